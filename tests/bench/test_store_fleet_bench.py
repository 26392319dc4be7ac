"""`kiosk bench` store and fleet sections at --quick scale, on a throwaway cache.

The store section runs every screen on SQLite and on PostgreSQL as a kiosk role beside its
hand-written floor; the fleet section runs kiosks through a real PgBouncer. The figures are
not asserted as timings (docs/benchmarks.md records them); what is asserted is that each is
measured and what the design promises: one round trip per screen, complete sessions.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import fleet as fleet_bench
from bench import store as store_bench
from bench.fleet_kiosks import SESSION
from bench.store_cache import CACHE_ENV
from kiosk.config import KioskConfig

# Each fixture seeds a store and starts clusters: minutes, not the suite's 120 s a test.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def cache() -> Iterator[Path]:
    # Not pytest's tmp_path: the postgres user must reach the cluster's folder.
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-test-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def store(cache: Path) -> dict[str, Any]:
    return store_bench.run(KioskConfig(), quick=True)


@pytest.fixture(scope="module")
def fleet(cache: Path, store: dict[str, Any]) -> dict[str, Any]:
    del store  # seeded the PostgreSQL store the fleet reuses
    return fleet_bench.run(KioskConfig(), quick=True)


def _check_figure(entry: dict[str, Any], figure: dict[str, Any]) -> None:
    """A screen's details and its figure: the same p99, beside the floor's p99."""
    ms = entry["ms"]
    assert 0 < ms["p50"] <= ms["p99"] <= ms["max"]
    assert ms["n"] == store_bench.QUICK_SAMPLE
    floor = entry["floor_ms"]
    assert 0 < floor["p50"] <= floor["p99"]
    assert entry["ratio_p99"] == round(ms["p99"] / floor["p99"], 2) == figure["ratio"]
    assert (figure["value"], figure["floor"]) == (ms["p99"], floor["p99"])


def test_every_kiosk_function_screen_is_one_round_trip_beside_its_floor(
    store: dict[str, Any],
) -> None:
    functions = store["details"]["postgresql"]["functions"]
    for name in store_bench.SCREENS:
        assert functions[name]["round_trips"] == 1, name
        assert store[f"postgresql.{name}_round_trips"]["met"] is True
        figure = store[f"postgresql.{name}_ms"]
        _check_figure(functions[name], figure)
        assert figure["goal"] == {"text": "p99 < 10 ms, ratio < 3", "below": 10.0,
                                  "ratio_below": 3.0}  # fmt: skip
    # Before issue 16 the overview read five statements from the tables.
    before = store["details"]["postgresql"]["tables_before_issue_16"]
    assert before["overview"]["round_trips"] > 1


def test_sqlite_screens_are_measured_beside_their_floors_and_with_their_audit_row(
    store: dict[str, Any],
) -> None:
    sqlite = store["details"]["sqlite"]
    for name in store_bench.SCREENS:
        _check_figure(sqlite["reads"][name], store[f"sqlite.{name}_ms"])
        audit = store[f"sqlite.with_audit_row.{name}_ms"]
        assert audit["value"] == sqlite["with_audit_row"][name]["ms"]["p99"]
        assert audit["floor"] == sqlite["reads"][name]["floor_ms"]["p99"]  # the read's floor
    # The plans the docs quote: the ledger read by its primary key.
    history = " ".join(" ".join(lines) for lines in sqlite["plans"].values())
    assert "ledger_entry USING PRIMARY KEY" in history


def test_the_fleet_serves_complete_sessions_through_pgbouncer(fleet: dict[str, Any]) -> None:
    details = fleet["details"]
    caps = {"shared_pool": fleet_bench.SHARED_BACKENDS, "pooled": fleet_bench.BACKENDS}
    for (config, cap), count in itertools.product(caps.items(), fleet_bench.QUICK.kiosks):
        phase = details[config][f"kiosks_{count}"]
        assert phase["kiosks"] == count
        assert len(phase["steps"]) == len(fleet_bench.QUICK.rates)
        for step in phase["steps"]:
            assert step["failed"] == {}
            assert step["sessions"] + step["turned_away"] == step["arrivals"] > 0
            assert set(step["screens_ms"]) == set(SESSION)
            # PgBouncer kept the fleet within its backends, whatever the number of kiosks.
            assert 0 < step["backends_max"] <= cap
            assert step["meets_goal"] is (
                step["sessions"] == step["arrivals"]
                and step["worst_screen_p99_ms"] < fleet_bench.GOAL["p99_ms"]
            )
    largest = max(fleet_bench.QUICK.kiosks)
    own = details["backend_per_kiosk"][f"kiosks_{largest}"]
    assert own["steps"][-1]["backends_max"] == largest
    assert details["backend_per_kiosk"]["pgbouncer_evictions"] == 0


def test_every_fleet_call_stands_beside_its_hand_written_floor(fleet: dict[str, Any]) -> None:
    largest, rate = max(fleet_bench.QUICK.kiosks), max(fleet_bench.QUICK.rates)
    floors = fleet["details"]["floors_ms"]
    assert set(floors) == set(SESSION)
    for config in ("shared_pool", "pooled", "backend_per_kiosk"):
        at = f"{config}.kiosks_{largest}.at_{rate:g}_per_s"
        step = fleet["details"][config][f"kiosks_{largest}"]["steps"][-1]
        for call in SESSION:
            figure = fleet[f"{at}.{call}_ms"]
            assert figure["value"] == step["screens_ms"][call]["p99"]
            assert figure["floor"] == floors[call]["p99"] > 0
            assert figure["ratio"] == round(figure["value"] / figure["floor"], 2)
        assert fleet[f"{at}.failed_sessions"]["value"] == 0
    # The section's own tables: every step of every fleet size, per configuration.
    steps = {table["title"].split(" (")[0]: table["rows"] for table in fleet["tables"]}
    runs = len(fleet_bench.QUICK.kiosks) * len(fleet_bench.QUICK.rates)
    assert len(steps["One shared pool"]) == len(steps["A pool per kiosk role"]) == runs

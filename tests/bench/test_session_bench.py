"""`kiosk bench` session section at --quick scale, through a real pcscd + vpcd."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench import session as session_bench
from bench.store import CACHE_ENV
from card_reader import open_card
from card_reader.backends.virtual import VirtualBackend
from card_reader.pcscd_harness import PcscdHarness
from kiosk.config import KioskConfig

pytestmark = pytest.mark.integration

PERCENTILES = ("p50", "p95", "p99", "max")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A store of its own: the 20,000-person quick store seeds in a few seconds.
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture(scope="module")
def figures(pcscd_harness: PcscdHarness, cache: Path) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(cache))
        return session_bench.run(KioskConfig(), quick=True, harness=pcscd_harness)


def _apdus_before_pin_pad(cache: Path) -> int:
    """What the session sends before the PIN pad: the identity read and the tries probe."""
    now = datetime.fromisoformat(json.loads((cache / "sqlite-20000.json").read_text())["now"])
    url = f"sqlite:///{cache / 'accounts-20000.sqlite3'}"
    holder = session_bench.card_holders(url, now, 1)[0]
    backend = VirtualBackend()
    backend.insert(session_bench.holder_card(holder))
    card = open_card(backend.connect(backend.reader))
    card.read_identity()
    card.pin_tries_left()
    return card.channel.apdu_count


def _sane(summary: dict[str, float]) -> None:
    assert all(math.isfinite(summary[p]) and summary[p] > 0 for p in PERCENTILES)
    assert summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]


def test_every_quick_session_reaches_the_pin_pad_and_the_painted_balance(
    figures: dict[str, Any],
) -> None:
    assert figures["sessions"] == 20
    assert figures["failed_sessions"] == 0
    for key in ("insert_to_pin_ms", "pin_to_overview_ms", "verify_apdu_ms",
                "insert_to_card_event_ms", "card_event_to_pin_ms"):  # fmt: skip
        _sane(figures[key])
        assert figures[key]["n"] == 20


def test_the_figures_add_up(figures: dict[str, Any]) -> None:
    # Card in -> PIN pad contains pcscd noticing the card; PIN -> overview contains VERIFY.
    assert figures["insert_to_pin_ms"]["p50"] >= figures["insert_to_card_event_ms"]["p50"]
    assert figures["pin_to_overview_ms"]["p50"] > figures["verify_apdu_ms"]["p50"]
    goal = figures["pin_to_overview_goal_p95_ms"]
    assert goal == pytest.approx(150 + figures["verify_apdu_ms"]["p95"], abs=0.01)
    assert figures["pin_to_overview_goal_met"] == (figures["pin_to_overview_ms"]["p95"] < goal)


def test_the_apdus_before_the_pin_pad_are_the_identity_read_and_the_tries_probe(
    figures: dict[str, Any], cache: Path
) -> None:
    assert figures["apdus_before_pin_pad"] == _apdus_before_pin_pad(cache)


def test_kiosk_run_with_the_pcsc_reader_paints_the_start_screen(figures: dict[str, Any]) -> None:
    start = figures["startup_to_attract_ms"]
    assert "error" not in start, start
    _sane(start)
    assert start["n"] == 3

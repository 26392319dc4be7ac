"""`kiosk bench` session section at --quick scale, through a real pcscd + vpcd."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench import holders
from bench import session as session_bench
from bench.store_cache import CACHE_ENV
from card_reader import open_card
from card_reader.backends.virtual import VirtualBackend
from kiosk.config import KioskConfig
from realparts.pcscd import PcscdHarness

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
    """What the session sends before the PIN pad: SELECT and the tries probe."""
    now = datetime.fromisoformat(json.loads((cache / "sqlite-20000.json").read_text())["now"])
    url = f"sqlite:///{cache / 'accounts-20000.sqlite3'}"
    holder = holders.card_holders(url, now, 1)[0]
    backend = VirtualBackend()
    backend.insert(holders.holder_card(holder))
    card = open_card(backend.connect(backend.reader))
    card.probe()
    return card.channel.apdu_count


def _sane(summary: dict[str, float]) -> None:
    assert all(math.isfinite(summary[p]) and summary[p] > 0 for p in PERCENTILES)
    assert summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]


def test_every_quick_session_reaches_the_pin_pad_and_the_painted_balance(
    figures: dict[str, Any],
) -> None:
    details = figures["details"]
    assert details["sessions"] == 20
    assert details["failed_sessions"] == figures["failed_sessions"]["value"] == 0
    for key in (
        "insert_to_pin_ms",
        "pin_to_overview_ms",
        "verify_apdu_ms",
        "insert_to_card_event_ms",
        "card_event_to_pin_ms",
    ):
        _sane(details[key])
        assert details[key]["n"] == 20


def test_each_step_stands_beside_the_cards_own_apdu_time_in_it(figures: dict[str, Any]) -> None:
    details = figures["details"]
    pin = figures["pin_to_overview_ms"]
    assert pin["floor"] == details["verify_apdu_ms"]["p95"]  # the same stat, p95
    assert pin["ratio"] == round(pin["value"] / pin["floor"], 2)
    event = figures["card_event_to_pin_ms"]
    assert event["floor"] == details["transmit_before_pin_ms"]["p95"] > 0
    balance = figures["card_event_to_balance_ms"]
    # Up to the balance the card answered every APDU, those before the pad among them.
    assert details["transmit_to_balance_ms"]["p50"] > details["transmit_before_pin_ms"]["p50"]
    assert balance["value"] > balance["floor"] > 0


def test_the_figures_add_up(figures: dict[str, Any]) -> None:
    details = figures["details"]
    # Card in -> PIN pad contains pcscd noticing the card; PIN -> overview contains VERIFY.
    assert details["insert_to_pin_ms"]["p50"] >= details["insert_to_card_event_ms"]["p50"]
    assert details["pin_to_overview_ms"]["p50"] > details["verify_apdu_ms"]["p50"]
    pin = figures["pin_to_overview_ms"]
    goal = pin["goal"]["below"]
    assert goal == pytest.approx(150 + details["verify_apdu_ms"]["p95"], abs=0.01)
    assert goal == details["pin_to_overview_goal_p95_ms"]
    assert pin["met"] == (pin["p95"] < goal)


def test_the_apdus_before_the_pin_pad_are_the_select_and_the_tries_probe(
    figures: dict[str, Any], cache: Path
) -> None:
    assert figures["apdus_before_pin_pad"]["value"] == _apdus_before_pin_pad(cache) == 2
    for delay in ("20ms", "40ms"):
        assert figures["details"]["real_reader"][delay]["apdus_before_pin_pad"] == 2
        assert figures[f"real_reader.{delay}.apdus_before_pin_pad"]["met"] is True


def test_real_reader_delays_are_felt_before_the_pin_pad_and_the_balance(
    figures: dict[str, Any],
) -> None:
    slow = figures["details"]["real_reader"]
    for delay_ms in (20, 40):
        run = slow[f"{delay_ms}ms"]
        assert run["sessions"] == 5
        assert run["failed_sessions"] == 0
        for key in ("card_event_to_pin_ms", "card_event_to_balance_ms", "pin_to_overview_ms"):
            _sane(run[key])
        # Two APDUs (connect aside) at this delay come before the pad; VERIFY and the rest
        # of the read (about ten more) before the balance.
        assert run["card_event_to_pin_ms"]["p50"] >= 2 * delay_ms
        assert run["card_event_to_balance_ms"]["p50"] >= 12 * delay_ms
        assert run["verify_apdu_ms"]["p50"] >= delay_ms
        # ... and so are the floors: the card's own time for those APDUs.
        prefix = f"real_reader.{delay_ms}ms."
        assert figures[prefix + "card_event_to_pin_ms"]["floor"] >= 2 * delay_ms
        assert figures[prefix + "card_event_to_balance_ms"]["floor"] >= 12 * delay_ms
    forty = figures["real_reader.40ms.card_event_to_pin_ms"]
    assert forty["goal"]["below"] == 150.0
    assert forty["met"] == (forty["p95"] < 150)
    assert figures["real_reader.20ms.card_event_to_pin_ms"]["goal"] is None


def test_kiosk_run_with_the_pcsc_reader_paints_the_start_screen(figures: dict[str, Any]) -> None:
    start = figures["startup_to_attract_ms"]
    _sane(start)
    assert start["n"] == 3
    assert start["floor"] > 0  # a bare window, painted in the same run
    assert start["goal"]["below"] == 1500.0

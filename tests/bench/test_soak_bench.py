"""`kiosk bench --soak N` at a small N: complete sessions through the production UI path."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bench import soak
from bench.soak_figures import GOAL_RSS_GROWTH_MB
from card_reader.simulator import profile
from kiosk.config import KioskConfig
from realparts.config import rig_config
from tests.session_kit import seed_demo_store

SESSIONS = 30


@pytest.fixture(scope="module")
def section() -> dict[str, Any]:
    return soak.run(KioskConfig(), quick=True, soak_sessions=SESSIONS)


@pytest.fixture(scope="module")
def figures(section: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = section["details"]
    return details


def test_the_checks_are_figures_with_their_goals(
    section: dict[str, Any], figures: dict[str, Any]
) -> None:
    for name in ("errors", "fds_growth", "personal_data_found", "os_threads_growth"):
        assert section[name]["goal"]["at_most"] == 0
        assert section[name]["met"] is (section[name]["value"] <= 0)
    assert section["errors"]["value"] == figures["errors"]
    assert section["rss_growth_mb"]["value"] == figures["rss_growth_mb"]
    assert section["rss_growth_mb"]["goal"]["below"] == GOAL_RSS_GROWTH_MB


def test_the_soak_reports_what_the_issue_asks_for(figures: dict[str, Any]) -> None:
    for key in (
        "sessions",
        "rss_growth_mb",
        "threads_end",
        "fds_growth",
        "errors",
        "personal_data_found",
    ):
        assert key in figures
    assert figures["sessions"] == SESSIONS
    assert figures["threads_end"] > 0
    assert math.isfinite(figures["rss_growth_mb"])
    assert figures["sessions_per_second"] > 0
    assert 0 < figures["session_ms"]["p50"] <= figures["session_ms"]["max"]


def test_every_session_reaches_its_screens_without_an_error(figures: dict[str, Any]) -> None:
    assert figures["errors"] == 0
    assert figures["missed_screens"] == 0
    assert "stopped" not in figures


def test_the_script_prints_every_tenth_time_and_sometimes_mistypes_the_pin(
    figures: dict[str, Any],
) -> None:
    assert figures["receipts"] == SESSIONS // soak.RECEIPT_EVERY
    assert figures["receipts_spooled"] == figures["receipts"]
    assert figures["wrong_pins"] == SESSIONS // soak.WRONG_PIN_EVERY


def test_no_thread_and_no_file_descriptor_is_left_behind(figures: dict[str, Any]) -> None:
    assert figures["fds_growth"] <= 0
    assert figures["threads_end"] <= figures["threads_after_warm_up"]
    assert figures["os_threads_end"] <= figures["os_threads_after_warm_up"]


def test_no_reference_to_true_or_false_is_lost_per_session(figures: dict[str, Any]) -> None:
    # PySide6 6.12.0 drops one on every Signal.emit (ui/bridge.py's post): after some
    # thousand sessions the interpreter aborts with "bool_dealloc: deallocating True".
    assert figures["bool_refs_lost_per_session"] < 1


def test_no_name_citizen_id_or_card_number_is_found_where_the_kiosk_wrote(
    figures: dict[str, Any],
) -> None:
    assert figures["personal_data_found"] == 0
    searched = figures["personal_data_search"]
    assert searched["audit_rows_searched"] > 0
    assert searched["log_lines_searched"] > 0


def test_the_privacy_search_finds_a_name_written_to_the_log(tmp_path: Path) -> None:
    config = rig_config(tmp_path, seed_demo_store(tmp_path))
    person = profile("li-kun")
    found = soak.personal_data_found(config, f"INFO kiosk: greeted {person.name}\n")
    assert found["log"] == 1
    (tmp_path / f"{person.card_number}.pdf").write_bytes(b"%PDF")
    assert soak.personal_data_found(config, "")["file_names"] == 1

"""The wall clock jumping a year forward or back mid-session (NTP step, a flat RTC battery).

Timeouts run on the monotonic clock, so a jump neither ends a session early nor keeps one
alive; the wall clock only dates receipts and audit rows, and the queries must not crash
when "now" lands far from the ledger's dates.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.session.view import State
from tests.faults.conftest import FaultKioskMaker

pytestmark = pytest.mark.integration

A_YEAR = timedelta(days=365)


@pytest.mark.parametrize("jump", [A_YEAR, -A_YEAR], ids=["forward", "back"])
def test_wall_clock_jump_mid_session_changes_no_timeout_and_breaks_nothing(
    make_fault_kiosk: FaultKioskMaker, jump: timedelta
) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    settings = kiosk.session.settings
    kiosk.clock.jump(jump)
    kiosk.qtbot.wait(600)  # a few ticks of the window's timer after the jump
    assert kiosk.session.view.state is State.OVERVIEW
    assert kiosk.session.view.idle_warning_seconds is None
    for screen in ("nav.history", "nav.annual", "nav.flagged", "nav.contributions"):
        kiosk.tap_text(screen)
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.busy is None)
        assert kiosk.session.view.problem is None, kiosk.session.view.problem
        kiosk.tap_text("button.back")
        kiosk.wait_for(State.OVERVIEW)
    # The idle timeout still counts from the last touch on the monotonic clock.
    kiosk.clock.advance(settings.idle_seconds - 1)
    kiosk.qtbot.wait(400)
    assert kiosk.session.view.idle_warning_seconds is None
    kiosk.clock.advance(2)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.idle_warning_seconds is not None)
    kiosk.clock.advance(settings.idle_warning_seconds)
    kiosk.wait_for(State.TAKE_CARD)
    assert not kiosk.session.view.has_personal_data
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()


@pytest.mark.parametrize("jump", [A_YEAR, -A_YEAR], ids=["forward", "back"])
def test_receipt_printed_after_a_clock_jump_carries_the_new_date(
    make_fault_kiosk: FaultKioskMaker, jump: timedelta
) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    kiosk.clock.jump(jump)
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.wait_for(State.TAKE_CARD)
    assert kiosk.session.view.printed
    spooled = sorted(p.name for p in kiosk.config.printer.spool_dir.glob("*.pdf"))
    day = kiosk.clock.now().strftime("%Y%m%d")
    assert len(spooled) == 2, spooled
    assert any(day in name for name in spooled), spooled
    kiosk.assert_no_audit_lost()
    assert kiosk.audited.count(("print", "ok")) == 2
    kiosk.assert_ready_for_next_person()


def test_a_pin_pad_left_alone_times_out_whatever_the_wall_clock_does(
    make_fault_kiosk: FaultKioskMaker,
) -> None:
    kiosk = make_fault_kiosk()
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.clock.jump(-A_YEAR)  # back a year: a wall-clock timer would wait a year
    settings = kiosk.session.settings
    kiosk.clock.advance(settings.pin_entry_seconds + settings.idle_warning_seconds)
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()

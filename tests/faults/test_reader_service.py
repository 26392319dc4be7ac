"""pcscd killed and restarted, the reader unplugged and plugged back: through the real stack.

While there is no reader the kiosk says so (service-unavailable, reader words) and stays
there whatever the clock does; when the reader is back it returns to the start screen by
itself and the next card works.
"""

from __future__ import annotations

import pytest

from card_reader.backends.pcsc import PcscBackend
from kiosk.session.view import ProblemKind, State
from realparts.pcscd import VpcdReader
from tests.faults.conftest import FaultKiosk, FaultKioskMaker, ReaderUnplugged

pytestmark = pytest.mark.integration

READER_GONE_MS = 10_000  # pcscd's death is seen at once; a reconnect takes ~0.25 s + a poll


def _pcsc_kiosk(make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader) -> FaultKiosk:
    kiosk = make_fault_kiosk(backend=PcscBackend("Virtual PCD"), vpcd=vpcd_reader)
    kiosk.wait_for(State.IDLE)
    return kiosk


def _shows_reader_unavailable(kiosk: FaultKiosk) -> None:
    kiosk.wait_for(State.SERVICE_UNAVAILABLE, timeout=READER_GONE_MS)
    kiosk.assert_problem_shown(ProblemKind.READER_UNAVAILABLE)
    kiosk.assert_nobody_on_screen()


def test_pcscd_killed_mid_session_shows_reader_unavailable_then_recovers(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = _pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    kiosk.at_overview()
    vpcd_reader.harness.kill()  # the card is still in: pcscd dies under the session
    _shows_reader_unavailable(kiosk)
    # Nobody touches it for longer than any timeout: it must not pretend to be ready.
    kiosk.clock.advance(kiosk.session.settings.idle_seconds * 10)
    kiosk.qtbot.wait(600)
    assert kiosk.session.view.state is State.SERVICE_UNAVAILABLE
    vpcd_reader.harness.start()
    kiosk.wait_for(State.IDLE, timeout=READER_GONE_MS)
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_pcscd_killed_while_the_pin_is_typed(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = _pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    kiosk.insert("li-kun")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.tap("数字 2")
    vpcd_reader.harness.kill()
    _shows_reader_unavailable(kiosk)
    assert "李*" not in " ".join(kiosk.texts())
    vpcd_reader.harness.start()
    kiosk.wait_for(State.IDLE, timeout=READER_GONE_MS)
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_pcscd_restarted_between_people_is_invisible_to_the_next_one(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = _pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    vpcd_reader.restart_pcscd()
    kiosk.qtbot.waitUntil(lambda: State.SERVICE_UNAVAILABLE in kiosk.states_seen, timeout=5000)
    kiosk.wait_for(State.IDLE, timeout=READER_GONE_MS)
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_reader_unplugged_at_the_pin_pad_and_plugged_back(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader, reader_unplugged: ReaderUnplugged
) -> None:
    kiosk = _pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    reader_unplugged.unplug()
    _shows_reader_unavailable(kiosk)
    kiosk.clock.advance(kiosk.session.settings.pin_entry_seconds * 10)
    kiosk.qtbot.wait(1500)  # pcscd is back without the reader: still nothing to read with
    assert kiosk.session.view.state is State.SERVICE_UNAVAILABLE
    reader_unplugged.plug_back()
    kiosk.wait_for(State.IDLE, timeout=READER_GONE_MS)
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_a_kiosk_started_without_a_reader_says_so_until_it_is_plugged_in(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader, reader_unplugged: ReaderUnplugged
) -> None:
    reader_unplugged.unplug()
    kiosk = make_fault_kiosk(backend=PcscBackend("Virtual PCD"), vpcd=vpcd_reader)
    # No reader at all: a start screen inviting a card would be a lie.
    kiosk.wait_for(State.SERVICE_UNAVAILABLE, timeout=READER_GONE_MS)
    kiosk.assert_problem_shown(ProblemKind.READER_UNAVAILABLE)
    reader_unplugged.plug_back()
    kiosk.wait_for(State.IDLE, timeout=READER_GONE_MS)
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()

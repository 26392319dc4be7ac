"""Card pulled: in every state of a session, and at every APDU of the read and the VERIFY.

Whatever the kiosk was doing, a card that leaves must take the person's data with it: the
start screen, nothing personal anywhere in the window, every audit row kept, and the next
card works. The virtual backend covers every state and every APDU; pcscd+vpcd covers the
same through the real reader stack at the APDUs that matter.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from card_reader.backends.pcsc import PcscBackend
from card_reader.simulator.card import Faults, SimulatedCard
from kiosk.session.view import Busy, ProblemKind, State
from printing.dispatch import PrinterProblemKind, SpoolPrinter
from realparts.pcscd import VpcdReader
from realparts.printer import FaultyPrinter
from tests.faults.conftest import ACCOUNT_SCREENS, FaultKiosk, FaultKioskMaker

pytestmark = pytest.mark.integration


def _pulled_and_recovered(kiosk: FaultKiosk) -> None:
    """The card leaves: start screen, nobody on it, no audit row lost, the next card works."""
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    kiosk.assert_nobody_on_screen()
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


# -- every state ------------------------------------------------------------------------------


def test_card_pulled_while_it_is_being_read(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.insert("zhang-wei", Faults(delay_seconds=0.15))  # ~2 s of reading
    kiosk.wait_state(State.READING)
    assert kiosk.session.view.busy is Busy.READING_CARD
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    kiosk.assert_nobody_on_screen()
    kiosk.drain()  # the read still running on the worker ends, and is dropped
    assert kiosk.session.view.state is State.IDLE
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_card_pulled_at_the_pin_pad(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.type_pin("000000")  # one wrong try: an audited event before the pull
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.pin_wrong)
    kiosk.tap("数字 1")
    _pulled_and_recovered(kiosk)


def test_card_pulled_while_the_pin_is_checked(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.insert("wang-zhe")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.drain()  # the rest of the read goes on behind the PIN pad: let it finish first
    card = kiosk.card
    assert card is not None
    before = card.apdus_seen
    card.faults.delay_seconds = 1.0  # VERIFY takes a second
    kiosk.type_pin("888888")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.busy is Busy.CHECKING_PIN)
    kiosk.qtbot.waitUntil(lambda: card.apdus_seen > before)  # the card is inside VERIFY
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    kiosk.assert_nobody_on_screen("王")
    kiosk.drain()  # VERIFY + summary finish on the worker; their result must stay dropped
    assert kiosk.session.view.state is State.IDLE
    kiosk.assert_nobody_on_screen("王")
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()


@pytest.mark.parametrize("screen", [State.OVERVIEW, *ACCOUNT_SCREENS], ids=lambda s: s.value)
def test_card_pulled_on_an_account_screen(make_fault_kiosk: FaultKioskMaker, screen: State) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    if screen is not State.OVERVIEW:
        kiosk.tap_text(ACCOUNT_SCREENS[screen])
        kiosk.wait_for(screen)
    _pulled_and_recovered(kiosk)


def test_card_pulled_while_a_screen_loads(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    gate = threading.Event()
    kiosk.parts.worker.submit(gate.wait, lambda _r: None, lambda _e: None)  # a slow store
    kiosk.tap_text("nav.history")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.busy is Busy.LOADING)
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    gate.set()
    kiosk.drain()
    assert kiosk.session.view.state is State.IDLE
    kiosk.assert_nobody_on_screen()
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()


class GatedSpool(SpoolPrinter):
    """A real spool printer that waits for the test before it writes (a slow printer)."""

    def __init__(self, spool_dir: Path) -> None:
        super().__init__(spool_dir)
        self.gate = threading.Event()

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        self.gate.wait(10)
        super().print_pdf(pdf, title, timeout_seconds)


def test_card_pulled_while_the_receipt_prints(
    make_fault_kiosk: FaultKioskMaker, tmp_path: Path
) -> None:
    printer = GatedSpool(tmp_path / "slow-spool")
    kiosk = make_fault_kiosk(printer=printer)
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.busy is Busy.PRINTING)
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    kiosk.assert_nobody_on_screen()
    printer.gate.set()
    kiosk.drain()
    assert kiosk.session.view.state is State.IDLE
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()


def test_card_pulled_on_the_printer_problem_screen(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk(printer=FaultyPrinter(PrinterProblemKind.MEDIA_EMPTY))
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.problem is not None)
    kiosk.assert_problem_shown(ProblemKind.PRINTER)
    _pulled_and_recovered(kiosk)


def test_card_pulled_on_the_take_card_screen(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    kiosk.tap_text("button.finish")
    kiosk.wait_for(State.TAKE_CARD)
    _pulled_and_recovered(kiosk)


def test_card_pulled_on_a_card_problem_screen(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.insert("lost-card")
    kiosk.wait_for(State.CARD_PROBLEM)  # the store's word replaces the PIN pad, no PIN needed
    kiosk.assert_problem_shown(ProblemKind.LOST)
    _pulled_and_recovered(kiosk)


def test_card_pulled_while_the_idle_countdown_shows(make_fault_kiosk: FaultKioskMaker) -> None:
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    kiosk.clock.advance(kiosk.session.settings.idle_seconds + 1)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.idle_warning_seconds is not None)
    kiosk.qtbot.waitUntil(kiosk.window.idle_warning.isVisible)
    _pulled_and_recovered(kiosk)
    assert not kiosk.window.idle_warning.isVisible()


# -- every APDU -----------------------------------------------------------------------------


def _apdus_of_a_whole_sign_in(make_fault_kiosk: FaultKioskMaker) -> int:
    """How many APDUs a good card sees from insertion to the overview (read + tries + VERIFY)."""
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    assert kiosk.card is not None
    seen = kiosk.card.apdus_seen
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    return seen


def test_card_pulled_at_every_apdu_of_read_and_verify(make_fault_kiosk: FaultKioskMaker) -> None:
    total = _apdus_of_a_whole_sign_in(make_fault_kiosk)
    assert total >= 14, total  # select, tries, 2 files, 9 records, VERIFY
    kiosk = make_fault_kiosk()
    for apdu in range(total):
        kiosk.insert("zhang-wei", Faults(pull_after=apdu))
        card = kiosk.card
        assert card is not None

        def settled(card: SimulatedCard = card, apdu: int = apdu) -> bool:
            view = kiosk.session.view
            at_pin_pad = view.state is State.PIN_ENTRY and view.busy is None
            return at_pin_pad or (view.state is State.IDLE and card.apdus_seen > apdu)

        kiosk.qtbot.waitUntil(settled, timeout=5000)
        kiosk.drain()  # a pull in the read behind the PIN pad has come through by now
        if kiosk.session.view.state is State.PIN_ENTRY:  # pulled at VERIFY, not before
            kiosk.type_pin("123456")
        kiosk.wait_for(State.IDLE)
        assert card.apdus_seen == apdu + 1, f"APDU {apdu}"
        kiosk.assert_nobody_on_screen()
        kiosk.remove()
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


# 0-1: before the PIN pad (SELECT, tries probe); 2-12: the rest of the read while the PIN
# is typed; 13: the VERIFY.
@pytest.mark.parametrize("apdu", [0, 1, 2, 6, 12, 13], ids=lambda n: f"apdu{n}")
def test_card_pulled_at_an_apdu_through_pcscd(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader, apdu: int
) -> None:
    kiosk = make_fault_kiosk(backend=PcscBackend("Virtual PCD"), vpcd=vpcd_reader)
    kiosk.wait_for(State.IDLE)
    kiosk.insert("zhang-wei", Faults(pull_after=apdu))
    if apdu == 13:  # the VERIFY: the read went through
        kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
        kiosk.type_pin("123456")
    kiosk.qtbot.waitUntil(lambda: State.READING in kiosk.states_seen, timeout=10_000)
    kiosk.wait_for(State.IDLE, timeout=10_000)
    assert kiosk.card is not None
    assert kiosk.card.apdus_seen == apdu + 1
    kiosk.assert_nobody_on_screen()
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()


def test_card_pulled_on_the_overview_through_pcscd(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = make_fault_kiosk(backend=PcscBackend("Virtual PCD"), vpcd=vpcd_reader)
    kiosk.wait_for(State.IDLE)
    kiosk.at_overview()
    kiosk.tap_text("nav.contributions")
    kiosk.wait_for(State.CONTRIBUTIONS)
    _pulled_and_recovered(kiosk)

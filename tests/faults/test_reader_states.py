"""Reader states a person and an operator understand, through a real pcscd + vpcd: a card in
the wrong way round, a reader another program holds, and pcscd frozen (SIGSTOP) and thawed.
Each ends in its screen, no person's data stays on it, and the next card is served."""

from __future__ import annotations

import logging
import time

import pytest

from card_reader.backends.pcsc import PcscBackend
from card_reader.health import HealthState
from kiosk.session.view import ProblemKind, State
from realparts.pcscd import VpcdReader
from tests.card_reader.test_pcsc_faults import peer
from tests.faults.conftest import NEXT_PERSON, NEXT_PERSON_PIN, FaultKiosk, FaultKioskMaker

pytestmark = pytest.mark.integration


def pcsc_kiosk(make: FaultKioskMaker, vpcd: VpcdReader) -> FaultKiosk:
    kiosk = make(backend=PcscBackend("Virtual PCD"), vpcd=vpcd)
    kiosk.wait_for(State.IDLE, timeout=10_000)
    return kiosk


def test_a_card_in_the_wrong_way_round_is_told_chip_first_face_up(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    vpcd_reader.insert_reversed()
    kiosk.wait_for(State.CARD_PROBLEM, timeout=5000)
    kiosk.assert_problem_shown(ProblemKind.CARD_MUTE)
    assert any("芯片朝上" in words for words in kiosk.visible_texts())
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()  # the same card, the right way round


def test_a_reader_held_by_another_program_is_named_for_the_operator(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk = pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    vpcd_reader.empty()
    reader = vpcd_reader.names[0]
    # A vendor's reader tool holds the reader (DIRECT, before any card): the kiosk's
    # EXCLUSIVE connect meets a sharing violation, every time, with no race.
    holder = peer("direct", reader)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with caplog.at_level(logging.WARNING):
            vpcd_reader.insert(NEXT_PERSON, slot=0)
            kiosk.wait_for(State.CARD_PROBLEM, timeout=10_000)
        kiosk.assert_problem_shown(ProblemKind.READER_BUSY)
        operator = " ".join(r.getMessage() for r in caplog.records)
        assert reader in operator
        assert str(holder.pid) in operator
    finally:
        holder.communicate(timeout=10)  # closes its stdin: it lets go of the reader
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()


@pytest.mark.allow_error_logs
def test_pcscd_frozen_shows_the_reader_unavailable_and_thawed_serves_again(
    make_fault_kiosk: FaultKioskMaker, vpcd_reader: VpcdReader
) -> None:
    kiosk = pcsc_kiosk(make_fault_kiosk, vpcd_reader)
    kiosk.at_overview()
    harness = vpcd_reader.harness
    harness.pause()  # SIGSTOP: SCardGetStatusChange never returns; a pulled card is unseen
    try:
        frozen = time.monotonic()
        kiosk.wait_for(State.SERVICE_UNAVAILABLE, timeout=10_000)
        noticed = time.monotonic() - frozen
        kiosk.assert_problem_shown(ProblemKind.READER_UNAVAILABLE)
        kiosk.assert_nobody_on_screen()
        assert kiosk.parts.backend.health().state is HealthState.STALLED
        assert "stalled" in kiosk.parts.reader_words()
    finally:
        harness.resume()
    assert noticed < 10
    # The person took the card while pcscd was frozen; once thawed the kiosk sees it gone.
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=15_000)
    assert kiosk.parts.backend.health().state is HealthState.OK
    kiosk.assert_no_audit_lost()
    kiosk.insert(NEXT_PERSON)
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin(NEXT_PERSON_PIN)
    kiosk.wait_for(State.OVERVIEW, timeout=10_000)
    kiosk.remove()
    kiosk.wait_for(State.IDLE, timeout=10_000)

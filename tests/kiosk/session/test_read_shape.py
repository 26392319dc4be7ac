"""The read shaped around the person: the PIN pad after SELECT and the tries probe, the rest
of the card and the store's word on it while the PIN is typed, EF06 after VERIFY on cards
that keep it behind the PIN, and a card that stops answering."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from card_reader.events import CardInserted, ReaderAdded, ReaderEvent
from card_reader.simulator import profile
from card_reader.simulator.card import SimulatedCard
from kiosk.domain import AccountSummary
from kiosk.services import AccountService
from kiosk.session.view import ProblemKind, State
from kiosk.store.engine import make_engine
from kiosk.store.errors import StoreUnavailable
from kiosk.worker import ManualWorker
from tests.card_reader.scripted import ScriptedCard, name_record, read, tlv
from tests.kiosk.session.harness import SETTINGS, Kiosk
from tests.session_kit import demo_card

VERIFY_WITH_DATA = 0x20


class TracedCard:
    """Wraps a simulated card to record each APDU's INS (and whether it carried data)."""

    def __init__(self, card: SimulatedCard) -> None:
        self.card = card
        self.sent: list[tuple[int, bool]] = []
        original = card.process

        def process(apdu: bytes) -> bytes:
            self.sent.append((apdu[1], len(apdu) > 5))
            return original(apdu)

        card.process = process  # type: ignore[method-assign]

    @property
    def verifies(self) -> int:
        return sum(1 for ins, data in self.sent if ins == VERIFY_WITH_DATA and data)


def insert_traced(kiosk: Kiosk, key: str) -> TracedCard:
    traced = TracedCard(demo_card(key))
    kiosk.backend.insert(traced.card)
    return traced


def test_the_pin_pad_shows_after_two_apdus_and_the_rest_is_read_while_typing(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    traced = insert_traced(kiosk, "zhang-wei")
    assert kiosk.view.state is State.READING
    worker.run_next()  # connect, SELECT, tries probe
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.pin_tries_left == 3
    assert len(traced.sent) == 2
    worker.run_all()  # EF05, the store's word on the card, EF06
    assert len(traced.sent) == 13
    assert kiosk.view.state is State.PIN_ENTRY
    kiosk.pin("123456")
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    assert traced.sent[-1] == (VERIFY_WITH_DATA, True)  # nothing of the card after VERIFY


def test_a_pin_typed_before_the_read_finished_is_verified_after_it(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    traced = insert_traced(kiosk, "zhang-wei")
    worker.run_next()
    kiosk.pin("123456")  # the person is quicker than the card
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    verify_at = traced.sent.index((VERIFY_WITH_DATA, True))
    assert verify_at == len(traced.sent) - 1 == 13


def test_a_lost_card_replaces_the_pin_pad_as_soon_as_the_store_says_so(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    traced = insert_traced(kiosk, "lost-card")
    worker.run_next()
    assert kiosk.view.state is State.PIN_ENTRY
    kiosk.pin(profile("lost-card").pin)  # typed while the store is still being asked
    worker.run_all()
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.LOST
    assert traced.verifies == 0  # the queued VERIFY was never sent to a lost card
    assert kiosk.view.summary is None


def test_an_expired_card_gets_its_screen_from_the_card_dates(kiosk: Kiosk) -> None:
    kiosk.insert("expired")
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.EXPIRED


def test_a_pin_gated_card_reaches_the_pin_pad_and_the_balance(kiosk: Kiosk) -> None:
    traced = insert_traced(kiosk, "pin-gated")
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.problem is None
    kiosk.pin(profile("pin-gated").pin)
    assert kiosk.view.state is State.OVERVIEW
    assert kiosk.view.summary is not None
    assert kiosk.view.summary.balance > 0
    # EF06 is read again after the good VERIFY: SELECT EF06 and READ RECORDs follow it.
    verify_at = traced.sent.index((VERIFY_WITH_DATA, True))
    assert any(ins == 0xB2 for ins, _ in traced.sent[verify_at + 1 :])


def test_a_blocked_pin_gated_card_gets_the_blocked_pin_screen(kiosk: Kiosk) -> None:
    traced = insert_traced(kiosk, "pin-gated-blocked")
    assert kiosk.view.state is State.CARD_PROBLEM
    problem = kiosk.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.PIN_BLOCKED
    assert "12333" in problem.message("zh")
    assert traced.verifies == 0
    assert not kiosk.view.has_personal_data


def test_a_card_with_six_tries_and_no_probe_reaches_the_pin_pad(kiosk: Kiosk) -> None:
    kiosk.insert("six-tries")
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.pin_tries_left is None  # the card does not say before a VERIFY
    kiosk.pin("000000")
    assert kiosk.view.pin_tries_left == 5


def test_the_overview_names_the_region_from_the_card_identification_code(kiosk: Kiosk) -> None:
    kiosk.signed_in("li-kun")
    summary = kiosk.view.summary
    assert summary is not None
    assert summary.card_region_code == "360400"  # not "156360", the issuer code's head
    assert summary.card_region_name == "九江市"
    kiosk.session.print_receipt()
    data = kiosk.receipts.printed[-1]
    assert (data.card_region_code, data.card_region_name) == ("360400", "九江市")


def test_a_card_that_stops_answering_gives_a_clear_screen_within_the_deadline(
    accounts: AccountService,
) -> None:
    kiosk = Kiosk(accounts, settings=replace(SETTINGS, card_command_seconds=0.5))
    started = time.monotonic()
    kiosk.insert("mute-card")  # answers 3 APDUs: the probe works, EF05 never comes
    elapsed = time.monotonic() - started
    assert kiosk.view.state is State.CARD_PROBLEM
    problem = kiosk.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.NOT_RESPONDING
    assert "没有响应" in problem.message("zh")
    assert "not responding" in problem.message("en")
    assert 0.5 <= elapsed < 2.0
    kiosk.backend.remove()
    assert kiosk.view.state is State.IDLE
    kiosk.signed_in("zhang-wei")  # the next card is served


class OneScriptedCard:
    """A reader backend holding one scripted card (tests/card_reader/scripted.py)."""

    reader = "Scripted Reader"

    def __init__(self, card: ScriptedCard) -> None:
        self.card = card

    def list_readers(self) -> list[str]:
        return [self.reader]

    def subscribe(self, callback: Callable[[ReaderEvent], None]) -> Callable[[], None]:
        callback(ReaderAdded(self.reader))
        return lambda: None

    def connect(self, reader: str) -> ScriptedCard:
        assert reader == self.reader
        return self.card

    def close(self) -> None:
        """Nothing to release."""


def zhang_wei_locked_until_the_pin() -> ScriptedCard:
    """张伟's card (demo store) on a card that opens EF05 and EF06 only after VERIFY."""
    card_file = {
        read(0x01, 16): tlv(0x01, bytes.fromhex("320100D156000005") + b"32010001"),
        read(0x02, 1): tlv(0x02, b"3"),
        read(0x03, 4): tlv(0x03, b"3.00"),
        read(0x04, 6): tlv(0x04, bytes.fromhex("156320100001")),
        read(0x05, 4): tlv(0x05, bytes.fromhex("20190520")),
        read(0x06, 4): tlv(0x06, bytes.fromhex("20290520")),
        read(0x07, 9): tlv(0x07, b"A32010001"),
    }
    personal = {
        read(0x08, 18): tlv(0x08, b"320102195203120316"),
        read(0x09, 30): tlv(0x09, name_record("张伟")),
    }
    locked = {command: "6982" for command in {**card_file, **personal}}
    return ScriptedCard(locked, {**card_file, **personal}, verify="0020000003123456")


def test_a_card_that_opens_even_its_card_file_only_after_the_pin_reaches_the_balance(
    accounts: AccountService,
) -> None:
    scripted = zhang_wei_locked_until_the_pin()
    kiosk = Kiosk(accounts, backend=OneScriptedCard(scripted))
    kiosk.session.handle_reader_event(CardInserted(OneScriptedCard.reader, scripted.atr))
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.problem is None
    kiosk.pin("123456")
    assert kiosk.view.state is State.OVERVIEW
    summary = kiosk.view.summary
    assert summary is not None
    assert (summary.person_name, summary.card_region_code) == ("张伟", "320100")


SELECT_SSSE = bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF")
SELECT_EF06 = bytes.fromhex("00A4020002EF06")
READ_CITIZEN_ID = bytes.fromhex("00B2080014")


def personal_file_answer(card: SimulatedCard) -> int:
    """What the card in the reader answers now to READ RECORD 08 in EF06 (a fresh command
    stream, as another program on the machine would send)."""
    for command in (SELECT_SSSE, SELECT_EF06):
        card.process(command)
    return int.from_bytes(card.process(READ_CITIZEN_ID)[-2:], "big")


def test_the_verified_pin_does_not_outlive_the_session(kiosk: Kiosk) -> None:
    traced = insert_traced(kiosk, "pin-gated")
    kiosk.pin(profile("pin-gated").pin)
    assert kiosk.view.state is State.OVERVIEW
    assert personal_file_answer(traced.card) == 0x9000  # verified while the person is served
    kiosk.session.finish()
    assert kiosk.view.state is State.TAKE_CARD  # the card is still in the reader
    assert personal_file_answer(traced.card) == 0x6982  # but no longer verified


class SummaryFails(AccountService):
    """The store answers the card's status, then goes away before the summary."""

    def summary(self, card_number: str, card_region: str = "") -> AccountSummary:
        raise StoreUnavailable("test: the store went away after the PIN")


def test_a_problem_screen_after_the_pin_leaves_no_verified_card_behind(
    store_url: str, tmp_path: Path
) -> None:
    accounts = SummaryFails(make_engine(store_url, 3.0), "test-kiosk",
                            outbox_path=tmp_path / "outbox.sqlite3")  # fmt: skip
    try:
        kiosk = Kiosk(accounts)
        traced = insert_traced(kiosk, "pin-gated")
        kiosk.pin(profile("pin-gated").pin)  # VERIFY succeeds, then the summary fails
        assert kiosk.view.state is State.SERVICE_UNAVAILABLE
        assert traced.verifies == 1
        assert personal_file_answer(traced.card) == 0x6982
    finally:
        accounts.close()

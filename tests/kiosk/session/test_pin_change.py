"""Changing the card PIN through the session: real simulated cards, the seeded SQLite store.

The card is the judge: a changed PIN is proven by pulling the card, inserting it again and
signing in with the new PIN (and not with the old one)."""

from __future__ import annotations

import logging

import pytest

from card_reader.simulator.card import SimulatedCard
from kiosk.pin_rules import WeakPin
from kiosk.services import AccountService
from kiosk.session.view import Busy, PinChangeStep, ProblemKind, State
from kiosk.worker import ManualWorker
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import PINS, demo_card

NEW_PIN = "731964"


class AuditedKiosk(Kiosk):
    """A kiosk that also keeps the (action, outcome) of every audit row it writes."""

    def __init__(self, accounts: AccountService, **kwargs: object) -> None:
        self.audited: list[tuple[str, str]] = []
        original = accounts.record_query

        def record_query(
            action: str, outcome: str, card_number: str | None = None, reachable: bool = True
        ) -> None:
            self.audited.append((action, outcome))
            original(action, outcome, card_number, reachable)

        accounts.record_query = record_query  # type: ignore[method-assign]
        super().__init__(accounts, **kwargs)  # type: ignore[arg-type]

    def pin_change_audits(self) -> list[str]:
        return [outcome for action, outcome in self.audited if action == "pin_change"]

    def change(self, digits: str) -> bytearray:
        buffer = bytearray(digits.encode("ascii"))
        self.session.submit_pin_change(buffer)
        return buffer

    def sign_in(self, card: SimulatedCard, pin: str) -> None:
        self.backend.insert(card)
        self.pin(pin)


@pytest.fixture
def audited(accounts: AccountService) -> AuditedKiosk:
    return AuditedKiosk(accounts)


def signed_in(kiosk: AuditedKiosk, key: str = "li-kun") -> SimulatedCard:
    card = demo_card(key)
    kiosk.sign_in(card, PINS[key])
    assert kiosk.view.state is State.OVERVIEW
    return card


def test_old_new_and_again_change_the_pin_on_the_card(audited: AuditedKiosk) -> None:
    card = signed_in(audited)
    audited.session.start_pin_change()
    assert audited.view.state is State.CHANGE_PIN
    assert audited.view.pin_change_step is PinChangeStep.OLD
    buffers = [audited.change(PINS["li-kun"])]
    assert audited.view.pin_change_step is PinChangeStep.NEW
    buffers.append(audited.change(NEW_PIN))
    assert audited.view.pin_change_step is PinChangeStep.REPEAT
    buffers.append(audited.change(NEW_PIN))
    assert audited.view.state is State.PIN_CHANGED
    assert all(buffer == bytearray(len(buffer)) for buffer in buffers)  # every PIN zeroed
    assert audited.pin_change_audits() == ["changed"]
    assert audited.view.summary is not None  # the person is still signed in
    audited.session.show(State.OVERVIEW)
    assert audited.view.state is State.OVERVIEW

    audited.session.finish()
    audited.backend.remove()
    audited.sign_in(card, PINS["li-kun"])
    assert audited.view.state is State.PIN_ENTRY
    assert audited.view.pin_wrong
    audited.pin(NEW_PIN)
    assert audited.view.state is State.OVERVIEW


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("888888", WeakPin.ONE_DIGIT),
        ("345678", WeakPin.RUN),
        ("987654", WeakPin.RUN),
        (PINS["li-kun"], WeakPin.OLD_PIN),
        ("910101", WeakPin.BIRTH_DATE),  # li-kun's citizen ID: born 1991-01-01
        ("199155", WeakPin.BIRTH_DATE),
        ("250101", WeakPin.BIRTH_DATE),
        ("73196", WeakPin.LENGTH),
    ],
)
def test_a_weak_new_pin_is_refused_with_its_reason_and_nothing_reaches_the_card(
    audited: AuditedKiosk, new: str, reason: WeakPin
) -> None:
    card = signed_in(audited)
    audited.session.start_pin_change()
    audited.change(PINS["li-kun"])
    refused = audited.change(new)
    assert refused == bytearray(len(refused))
    assert audited.view.pin_change_step is PinChangeStep.NEW
    assert audited.view.pin_change_refused is reason
    assert audited.pin_change_audits() == [f"refused_{reason.value}"]
    audited.session.finish()
    audited.backend.remove()
    audited.sign_in(card, PINS["li-kun"])  # the card still has its old PIN
    assert audited.view.state is State.OVERVIEW


def test_a_repeat_that_differs_asks_for_the_new_pin_again(audited: AuditedKiosk) -> None:
    signed_in(audited)
    audited.session.start_pin_change()
    audited.change(PINS["li-kun"])
    audited.change(NEW_PIN)
    audited.change("731965")
    assert audited.view.pin_change_step is PinChangeStep.NEW
    assert audited.view.pin_change_refused is WeakPin.MISMATCH
    audited.change("582047")
    audited.change("582047")
    assert audited.view.state is State.PIN_CHANGED


def test_a_wrong_old_pin_counts_down_and_the_third_blocks_the_card(
    audited: AuditedKiosk,
) -> None:
    signed_in(audited)
    audited.session.start_pin_change()
    for tries_left in (2, 1):
        audited.change("000000")
        audited.change(NEW_PIN)
        audited.change(NEW_PIN)
        assert audited.view.state is State.CHANGE_PIN
        assert audited.view.pin_change_step is PinChangeStep.OLD
        assert audited.view.pin_wrong
        assert audited.view.pin_tries_left == tries_left
    audited.change("000000")
    audited.change(NEW_PIN)
    audited.change(NEW_PIN)
    assert audited.view.state is State.CARD_PROBLEM
    assert audited.view.problem is not None
    assert audited.view.problem.kind is ProblemKind.PIN_BLOCKED
    assert "12333" in audited.view.problem.message_zh
    assert not audited.view.has_personal_data
    assert audited.pin_change_audits() == ["old_pin_wrong", "old_pin_wrong", "blocked"]


def test_going_back_keeps_nothing_typed_and_the_old_pin_still_works(
    audited: AuditedKiosk,
) -> None:
    card = signed_in(audited)
    audited.session.start_pin_change()
    audited.change(PINS["li-kun"])
    audited.change(NEW_PIN)
    held = [bytes(b) for b in (audited.session.pin_change._old, audited.session.pin_change._new)]
    assert held == [PINS["li-kun"].encode(), NEW_PIN.encode()]  # waiting for the repeat
    audited.session.show(State.OVERVIEW)
    assert audited.view.state is State.OVERVIEW
    assert audited.view.pin_change_step is None or audited.view.state is not State.CHANGE_PIN
    assert not audited.session.pin_change._old
    assert not audited.session.pin_change._new
    audited.session.start_pin_change()
    assert audited.view.pin_change_step is PinChangeStep.OLD  # a fresh start
    audited.session.finish()
    audited.backend.remove()
    audited.sign_in(card, PINS["li-kun"])
    assert audited.view.state is State.OVERVIEW


def test_pulling_the_card_mid_change_forgets_both_pins(audited: AuditedKiosk) -> None:
    signed_in(audited)
    audited.session.start_pin_change()
    old = audited.change(PINS["li-kun"])
    audited.change(NEW_PIN)
    audited.backend.remove()
    assert audited.view.state is State.IDLE
    assert old == bytearray(len(old))  # the held old PIN was zeroed in place
    assert not audited.session.pin_change._old
    assert not audited.session.pin_change._new


def test_a_card_pulled_while_the_change_waits_gets_no_change_pin(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = AuditedKiosk(accounts, worker=worker)
    card = demo_card("li-kun")
    kiosk.backend.insert(card)
    worker.run_all()
    kiosk.pin(PINS["li-kun"])
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    kiosk.session.start_pin_change()
    kiosk.change(PINS["li-kun"])
    kiosk.change(NEW_PIN)
    kiosk.change(NEW_PIN)
    assert kiosk.view.busy is Busy.CHANGING_PIN
    kiosk.backend.remove()  # before the card lane reaches the job
    kiosk.backend.insert(card)
    worker.run_all()
    kiosk.pin(PINS["li-kun"])
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW  # the old PIN: nothing was changed


def test_the_pin_change_pad_is_bounded_like_the_pin_pad(audited: AuditedKiosk) -> None:
    signed_in(audited)
    audited.session.start_pin_change()
    audited.change(PINS["li-kun"])
    settings = audited.session.settings
    audited.clock.advance(settings.pin_entry_seconds + settings.idle_warning_seconds + 1)
    audited.session.tick()
    assert audited.view.state is State.TAKE_CARD
    assert not audited.session.pin_change._old


def test_no_pin_of_the_change_reaches_a_log_line(
    audited: AuditedKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    signed_in(audited)
    audited.session.start_pin_change()
    for digits in (PINS["li-kun"], "888888", NEW_PIN, "731965", NEW_PIN, NEW_PIN):
        audited.change(digits)
    assert audited.view.state is State.PIN_CHANGED
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for digits in (PINS["li-kun"], NEW_PIN, "731965"):
        assert digits not in logged

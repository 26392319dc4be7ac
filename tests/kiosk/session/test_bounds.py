"""No state without a way out: every wait on screen ends in a clear screen at its bound, a
card that gives no ATR is explained, and a card left behind is raised. Fake clock; the
worker runs nothing unless the test says so (a job that never returns)."""

from __future__ import annotations

from card_reader.events import CardMute, CardRemoved
from kiosk.services import AccountService
from kiosk.session.front import LEFT_BEHIND_REMINDERS
from kiosk.session.view import Busy, ProblemKind, State
from kiosk.worker import ManualWorker
from tests.kiosk.session.harness import SETTINGS, Kiosk
from tests.session_kit import PINS


def at_pin_pad(accounts: AccountService) -> tuple[Kiosk, ManualWorker]:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    worker.run_all()
    assert kiosk.view.state is State.PIN_ENTRY
    return kiosk, worker


def test_a_pin_check_that_never_returns_ends_in_card_not_responding(
    accounts: AccountService,
) -> None:
    kiosk, worker = at_pin_pad(accounts)
    kiosk.pin(PINS["zhang-wei"])
    assert kiosk.view.busy is Busy.CHECKING_PIN
    kiosk.clock.advance(SETTINGS.busy_seconds)
    kiosk.session.tick()
    assert kiosk.view.busy is Busy.CHECKING_PIN  # not yet: the bound itself is allowed
    kiosk.clock.advance(0.5)
    kiosk.session.tick()
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.NOT_RESPONDING
    worker.run_all()  # the stuck job comes back at last: its answer is dropped
    assert kiosk.view.state is State.CARD_PROBLEM
    assert not kiosk.view.has_personal_data


def test_a_screen_that_never_loads_ends_in_the_service_unavailable_screen(
    accounts: AccountService,
) -> None:
    kiosk, worker = at_pin_pad(accounts)
    kiosk.pin(PINS["zhang-wei"])
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    kiosk.session.show(State.HISTORY)
    assert kiosk.view.busy is Busy.LOADING
    kiosk.clock.advance(SETTINGS.busy_seconds + 1)
    kiosk.session.tick()
    assert kiosk.view.state is State.SERVICE_UNAVAILABLE
    worker.run_all()
    assert kiosk.view.state is State.SERVICE_UNAVAILABLE
    assert kiosk.view.history is None


def test_a_print_that_never_finishes_ends_in_the_printer_problem(
    accounts: AccountService,
) -> None:
    kiosk, worker = at_pin_pad(accounts)
    kiosk.pin(PINS["zhang-wei"])
    worker.run_all()
    kiosk.session.print_receipt()
    assert kiosk.view.busy is Busy.PRINTING
    kiosk.clock.advance(SETTINGS.print_seconds + 1)
    kiosk.session.tick()
    assert kiosk.view.state is State.PRINTING
    assert kiosk.view.busy is None
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.PRINTER
    worker.run_all()  # a slip that comes out after all does not end the session twice
    assert kiosk.view.state is State.PRINTING
    assert kiosk.view.problem is not None


def test_the_admin_pin_check_is_bounded_too(accounts: AccountService) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.session.open_maintenance()
    kiosk.session.submit_admin_pin(bytearray(b"246810"))
    assert kiosk.view.busy is Busy.CHECKING_ADMIN_PIN
    kiosk.clock.advance(SETTINGS.busy_seconds + 1)
    kiosk.session.tick()
    assert kiosk.view.busy is None
    assert kiosk.view.state is not State.MAINTENANCE


def test_a_card_with_no_atr_is_told_to_go_in_chip_first_face_up(kiosk: Kiosk) -> None:
    reader = "Virtual Reader 0"
    kiosk.session.handle_reader_event(CardMute(reader))
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.CARD_MUTE
    assert "芯片朝上" in kiosk.view.problem.message("zh")
    kiosk.session.handle_reader_event(CardRemoved(reader))
    assert kiosk.view.state is State.IDLE
    assert kiosk.session.read_held_for() == 0  # a slip, not a failing card: no back-off
    kiosk.signed_in()  # the same card, the right way round


def test_a_card_left_behind_is_audited_once_and_raised_until_taken(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.finish()
    for _ in range(LEFT_BEHIND_REMINDERS - 1):
        kiosk.clock.advance(SETTINGS.take_card_reminder_seconds)
        kiosk.session.tick()
    assert not kiosk.session.card_left_behind
    for _ in range(3):
        kiosk.clock.advance(SETTINGS.take_card_reminder_seconds)
        kiosk.session.tick()
    assert kiosk.session.card_left_behind
    kiosk.backend.remove()
    assert not kiosk.session.card_left_behind
    assert kiosk.view.state is State.IDLE


def test_a_forged_card_carrying_someones_card_number_is_turned_away(
    kiosk: Kiosk, accounts: AccountService
) -> None:
    """A programmable card with 张伟's printed card number but another citizen ID, accepting
    the PIN: the store serves the card number only to the citizen ID it has for it."""
    from card_reader.simulator.profiles import CardProfile, build_card, profile

    real = profile("zhang-wei")
    forged = CardProfile("forged", "", {**real.raw, "citizen_id": "320102195203120412"})
    kiosk.backend.insert(build_card(forged))
    kiosk.pin(real.pin)
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.UNKNOWN_CARD
    assert kiosk.view.summary is None
    kiosk.backend.remove()
    kiosk.signed_in()  # the real card still opens the account

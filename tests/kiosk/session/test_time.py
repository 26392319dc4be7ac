"""Time in the session: idle warning and wipe, read timeout, take-card reminders, and the
back-off for runs of failing cards. The clock is fake; nothing sleeps."""

from __future__ import annotations

import pytest

from kiosk.services import AccountService
from kiosk.session.view import ProblemKind, State
from kiosk.worker import ManualWorker
from tests.kiosk.session.harness import SETTINGS, Kiosk


def test_the_take_card_reminder_repeats(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.finish()
    assert kiosk.view.state is State.TAKE_CARD
    for expected in (1, 2):
        kiosk.clock.advance(SETTINGS.take_card_reminder_seconds)
        kiosk.session.tick()
        assert kiosk.view.take_card_reminders == expected


def test_idle_warns_counts_down_and_then_wipes(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.clock.advance(SETTINGS.idle_seconds - 1)
    kiosk.session.tick()
    assert kiosk.view.idle_warning_seconds is None
    kiosk.clock.advance(1)
    kiosk.session.tick()
    assert kiosk.view.idle_warning_seconds == int(SETTINGS.idle_warning_seconds)
    kiosk.session.more_time()
    assert kiosk.view.idle_warning_seconds is None
    assert kiosk.view.state is State.OVERVIEW
    kiosk.clock.advance(SETTINGS.idle_seconds + 5)
    kiosk.session.tick()
    assert kiosk.view.idle_warning_seconds == int(SETTINGS.idle_warning_seconds) - 5
    kiosk.clock.advance(SETTINGS.idle_warning_seconds)
    kiosk.session.tick()
    assert kiosk.view.state is State.TAKE_CARD
    assert not kiosk.view.has_personal_data


def test_a_card_read_that_never_answers_times_out(accounts: AccountService) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    kiosk.clock.advance(SETTINGS.card_read_seconds + 0.5)
    kiosk.session.tick()
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.READ_TIMEOUT
    worker.run_all()  # the late answer is dropped
    assert kiosk.view.state is State.CARD_PROBLEM


def test_a_run_of_failing_cards_slows_the_next_card_down_and_a_success_resets_it(
    kiosk: Kiosk,
) -> None:
    for _ in range(3):  # three unusable cards in a row (BackoffPolicy.free_failures)
        kiosk.insert("not-ssse")
        assert kiosk.view.state is State.CARD_PROBLEM
        kiosk.backend.remove()
    kiosk.insert("zhang-wei")
    assert kiosk.view.state is State.READING  # held back, not read yet
    kiosk.clock.advance(4.9)
    kiosk.session.tick()
    assert kiosk.view.state is State.READING
    kiosk.clock.advance(0.2)
    kiosk.session.tick()
    assert kiosk.view.state is State.PIN_ENTRY
    kiosk.pin("123456")
    kiosk.backend.remove()
    kiosk.insert("wang-zhe")  # the success cleared the run
    assert kiosk.view.state is State.PIN_ENTRY


def test_a_wrong_pin_and_walking_away_counts_as_a_failing_card(kiosk: Kiosk) -> None:
    for _ in range(3):
        kiosk.insert("li-kun")
        kiosk.pin("000000")
        kiosk.backend.remove()
    kiosk.insert("zhang-wei")
    assert kiosk.view.state is State.READING


def test_a_held_card_says_how_long_until_it_is_read(kiosk: Kiosk) -> None:
    assert kiosk.session.read_held_for() == 0.0
    for _ in range(3):
        kiosk.insert("not-ssse")
        kiosk.backend.remove()
    kiosk.insert("zhang-wei")
    assert kiosk.session.read_held_for() == pytest.approx(5.0)


def test_a_problem_screen_ends_on_its_own_without_the_idle_countdown(kiosk: Kiosk) -> None:
    kiosk.insert("expired")
    assert kiosk.view.state is State.CARD_PROBLEM
    kiosk.clock.advance(SETTINGS.idle_seconds - 1)
    kiosk.session.tick()
    assert kiosk.view.state is State.CARD_PROBLEM
    kiosk.clock.advance(2)
    kiosk.session.tick()
    assert kiosk.view.state is State.TAKE_CARD  # at the idle bound, with no warning first
    assert all(v.idle_warning_seconds is None for v in kiosk.views if v.problem is not None)


def test_a_card_pulled_while_being_read_is_said_on_the_start_screen_for_a_while(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    assert kiosk.view.state is State.READING
    kiosk.backend.remove()
    assert kiosk.view.state is State.IDLE
    assert kiosk.view.card_pulled
    assert not kiosk.view.has_personal_data
    kiosk.clock.advance(4)
    kiosk.session.tick()
    assert kiosk.view.card_pulled
    kiosk.clock.advance(2)
    kiosk.session.tick()
    assert not kiosk.view.card_pulled


def test_a_card_taken_at_the_end_is_no_interruption(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.backend.remove()
    assert kiosk.view.state is State.IDLE
    assert not kiosk.view.card_pulled


def test_the_time_left_counts_down_where_a_timeout_applies(kiosk: Kiosk) -> None:
    assert kiosk.session.seconds_left() is None  # the start screen waits for a card
    kiosk.signed_in()
    full = int(SETTINGS.idle_seconds + SETTINGS.idle_warning_seconds)
    assert kiosk.session.seconds_left() == full
    kiosk.clock.advance(10)
    assert kiosk.session.seconds_left() == full - 10
    kiosk.session.touch()
    assert kiosk.session.seconds_left() == full
    kiosk.session.finish()
    kiosk.backend.remove()
    kiosk.insert("expired")  # a problem screen: its idle bound, with no countdown after it
    assert kiosk.session.seconds_left() == int(SETTINGS.idle_seconds)

"""The session state machine, without Qt: real simulated cards, a real seeded SQLite store."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from card_reader.events import ReaderAdded, ReaderLost
from card_reader.simulator.card import Faults
from kiosk.domain import LedgerKind
from kiosk.services import AccountService
from kiosk.session.view import Busy, ProblemKind, State, View
from kiosk.store.errors import StoreUnavailable
from kiosk.words import text
from kiosk.worker import ManualWorker
from tests.kiosk.session.harness import HEALTH, SETTINGS, Kiosk
from tests.session_kit import (
    NOW,
    PINS,
    RecordingReceipts,
    account_service,
)


def test_a_card_goes_from_reading_to_the_pin_pad_showing_tries_left(kiosk: Kiosk) -> None:
    kiosk.insert("zhang-wei")
    states = [v.state for v in kiosk.views]
    assert states[:3] == [State.IDLE, State.READING, State.PIN_ENTRY]
    assert kiosk.views[1].busy is Busy.READING_CARD
    assert kiosk.view.pin_tries_left == 3
    assert not kiosk.view.has_personal_data


def test_the_right_pin_shows_the_balance_at_once_and_the_pin_buffer_is_zeroed(
    kiosk: Kiosk,
) -> None:
    kiosk.insert("zhang-wei")
    buffer = kiosk.pin("123456")
    assert buffer == bytearray(6)
    assert kiosk.view.state is State.OVERVIEW
    summary = kiosk.view.summary
    assert summary is not None
    assert summary.person_name == "张伟"
    assert isinstance(summary.balance, Decimal)
    assert summary.balance > 0


def test_a_wrong_pin_says_how_many_tries_are_left(kiosk: Kiosk) -> None:
    kiosk.insert("zhang-wei")
    kiosk.pin("000000")
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.pin_wrong
    assert kiosk.view.pin_tries_left == 2
    assert kiosk.view.summary is None


def test_three_wrong_pins_block_the_card_and_say_where_to_unblock_it(kiosk: Kiosk) -> None:
    kiosk.insert("zhang-wei")
    for _ in range(3):
        kiosk.pin("000000")
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.PIN_BLOCKED
    assert "12333" in kiosk.view.problem.message("zh")


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("blocked-pin", ProblemKind.PIN_BLOCKED),
        ("expired", ProblemKind.EXPIRED),
        ("not-ssse", ProblemKind.NOT_SSSE),
        ("damaged-name", ProblemKind.DAMAGED),
        ("bad-checksum", ProblemKind.DAMAGED),
    ],
)
def test_cards_that_cannot_be_used_get_a_problem_screen_before_the_pin(
    kiosk: Kiosk, key: str, kind: ProblemKind
) -> None:
    kiosk.insert(key)
    if kind is ProblemKind.DAMAGED:  # the first bad read asks for the card again
        assert kiosk.view.problem is not None
        assert kiosk.view.problem.message("zh") == text("problem.reinsert", "zh")
        kiosk.backend.remove()
        kiosk.insert(key)
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is kind
    assert kiosk.view.problem.message("en")
    assert PINS.get(key) is None or kiosk.view.pin_tries_left is None


def test_a_bad_read_says_damaged_only_the_second_time_within_minutes(kiosk: Kiosk) -> None:
    kiosk.insert("damaged-name")
    first = kiosk.view.problem
    assert first is not None
    assert first.kind is ProblemKind.READ_FAILED
    assert "insert it again" in first.message("en")
    kiosk.backend.remove()
    kiosk.clock.advance(400)  # long after: a slip again, not damage
    kiosk.insert("damaged-name")
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.READ_FAILED
    kiosk.backend.remove()
    kiosk.clock.advance(60)  # the holder tried again at once: now it is said plainly
    kiosk.insert("damaged-name")
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.DAMAGED


@pytest.mark.parametrize(
    ("key", "pin", "kind"),
    [("lost-card", "202020", ProblemKind.LOST), ("replaced-card", "303030", ProblemKind.REPLACED)],
)
def test_a_lost_or_replaced_card_is_refused_after_the_pin(
    kiosk: Kiosk, key: str, pin: str, kind: ProblemKind
) -> None:
    kiosk.insert(key)
    kiosk.pin(pin)
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is kind
    assert not kiosk.view.has_personal_data


def test_every_account_screen_loads_its_data(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.HISTORY)
    assert kiosk.view.state is State.HISTORY
    assert kiosk.view.history is not None
    assert 0 < len(kiosk.view.history.entries) <= SETTINGS.history_rows
    kiosk.session.show(State.CONTRIBUTIONS)
    assert kiosk.view.contributions
    kiosk.session.show(State.ANNUAL)
    assert kiosk.view.annual is not None
    assert kiosk.view.annual.year == NOW.year
    kiosk.session.show(State.FAMILY_AID)
    assert kiosk.view.state is State.FAMILY_AID
    kiosk.session.show(State.FILINGS)
    assert kiosk.view.state is State.FILINGS
    kiosk.session.show(State.FLAGGED)
    assert kiosk.view.flagged
    assert len(kiosk.view.flagged) == kiosk.view.summary.flagged_count  # type: ignore[union-attr]
    kiosk.session.show(State.OVERVIEW)
    assert kiosk.view.state is State.OVERVIEW


def test_history_pages_and_filters_by_kind(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.HISTORY)
    first = kiosk.view.history
    assert first is not None
    assert first.pages > 1
    kiosk.session.history_page(2)
    second = kiosk.view.history
    assert second is not None
    assert second.page == 2
    assert second.entries[0].posted_at <= first.entries[-1].posted_at
    kiosk.session.history_filter(LedgerKind.PHARMACY)
    only = kiosk.view.history
    assert only is not None
    assert only.page == 1
    assert {e.kind for e in only.entries} == {LedgerKind.PHARMACY}
    assert kiosk.view.history_kind is LedgerKind.PHARMACY


def test_elderly_mode_shows_fewer_bigger_history_rows(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.HISTORY)
    kiosk.session.set_elderly(True)
    assert kiosk.view.elderly
    assert kiosk.view.history is not None
    assert len(kiosk.view.history.entries) == SETTINGS.history_rows_elderly


def test_printing_ends_the_session_and_asks_for_the_card(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.set_language("en")
    kiosk.session.print_receipt()
    assert [v.state for v in kiosk.views[-2:]] == [State.PRINTING, State.TAKE_CARD]
    assert kiosk.view.printed
    assert not kiosk.view.has_personal_data
    assert kiosk.view.language == "en"  # the person keeps their language to the end
    (receipt,) = kiosk.receipts.printed
    assert receipt.language == "en"
    assert receipt.balance == kiosk.views[-3].summary.balance  # type: ignore[union-attr]
    kiosk.backend.remove()
    assert kiosk.view.state is State.IDLE
    assert kiosk.view.language == SETTINGS.language


def test_a_printer_problem_stays_on_the_printing_screen_in_plain_words(
    accounts: AccountService,
) -> None:
    problem = StoreUnavailable("printer test: store gone while printing")
    kiosk = Kiosk(accounts, receipts=RecordingReceipts(problem))
    kiosk.signed_in()
    kiosk.session.print_receipt()
    assert kiosk.view.state is State.PRINTING
    assert kiosk.view.busy is None
    assert kiosk.view.problem is not None
    assert kiosk.view.summary is not None  # the person can go back to their account
    kiosk.session.show(State.OVERVIEW)
    assert kiosk.view.state is State.OVERVIEW
    kiosk.session.finish()
    assert kiosk.view.state is State.TAKE_CARD


@pytest.mark.parametrize(
    "state",
    [
        State.READING,
        State.PIN_ENTRY,
        State.OVERVIEW,
        State.HISTORY,
        State.CONTRIBUTIONS,
        State.ANNUAL,
        State.FAMILY_AID,
        State.FILINGS,
        State.FLAGGED,
        State.PRINTING,
        State.TAKE_CARD,
    ],
)
def test_pulling_the_card_in_any_state_wipes_everything(
    accounts: AccountService, state: State
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    _reach_with(kiosk, worker, state)
    assert kiosk.view.state is state
    kiosk.backend.remove()
    worker.run_all()  # whatever was still running finishes after the card left
    # The start screen, with nothing of the person; a read cut short says so for a while.
    interrupted = state in (State.READING, State.PIN_ENTRY)
    idle = View.idle(SETTINGS.language, SETTINGS.elderly)
    assert kiosk.view == replace(idle, card_pulled=interrupted)


def _reach_with(kiosk: Kiosk, worker: ManualWorker, state: State) -> None:
    """Like _reach, but leaves the last job pending so the card leaves mid-work."""
    steps = {
        State.READING: [lambda: kiosk.insert("zhang-wei")],
        State.PIN_ENTRY: [lambda: kiosk.insert("zhang-wei"), worker.run_all],
    }
    signed_in = [
        lambda: kiosk.insert("zhang-wei"),
        worker.run_all,
        lambda: kiosk.pin("123456"),
        worker.run_all,
    ]
    if state in steps:
        for step in steps[state]:
            step()
        return
    for step in signed_in:
        step()
    if state is State.TAKE_CARD:
        kiosk.session.finish()
    elif state is State.PRINTING:
        kiosk.session.print_receipt()
    elif state is not State.OVERVIEW:
        kiosk.session.show(state)
        worker.run_all()


def test_a_result_arriving_after_the_card_left_never_reaches_the_screen(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    worker.run_all()
    kiosk.pin("123456")  # VERIFY + summary now pending
    kiosk.backend.remove()
    worker.run_all()
    assert all(v.summary is None for v in kiosk.views)
    assert kiosk.view.state is State.IDLE


def test_a_card_pulled_mid_read_returns_to_the_start(kiosk: Kiosk) -> None:
    kiosk.insert("zhang-wei", Faults(pull_after=4))
    assert kiosk.view.state is State.IDLE


def test_an_unreachable_store_says_the_service_is_unavailable(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'accounts.sqlite3'}"
    service = account_service(missing, tmp_path / "outbox.sqlite3")
    try:
        kiosk = Kiosk(service)
        kiosk.insert("zhang-wei")
        kiosk.pin("123456")
        assert kiosk.view.state is State.SERVICE_UNAVAILABLE
        assert kiosk.view.problem is not None
        assert kiosk.view.problem.kind is ProblemKind.STORE_UNAVAILABLE
        kiosk.session.finish()
        assert kiosk.view.state is State.TAKE_CARD
        assert service.outbox_pending > 0  # the audit rows wait for the store
    finally:
        service.close()


def test_a_lost_reader_puts_the_kiosk_out_of_service_until_it_returns(kiosk: Kiosk) -> None:
    kiosk.session.handle_reader_event(ReaderLost(kiosk.backend.reader))
    assert kiosk.view.state is State.SERVICE_UNAVAILABLE
    kiosk.clock.advance(10_000)
    kiosk.session.tick()
    assert kiosk.view.state is State.SERVICE_UNAVAILABLE
    kiosk.session.handle_reader_event(ReaderAdded(kiosk.backend.reader))
    assert kiosk.view.state is State.IDLE


def test_maintenance_opens_only_from_the_start_screen_with_the_admin_pin(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.open_maintenance()
    assert kiosk.view.state is State.OVERVIEW
    kiosk.backend.remove()
    kiosk.session.open_maintenance()
    assert kiosk.view.state is State.MAINTENANCE_PIN
    wrong = bytearray(b"111111")
    kiosk.session.submit_admin_pin(wrong)
    assert wrong == bytearray(6)
    assert kiosk.view.admin_pin_wrong
    kiosk.session.submit_admin_pin(bytearray(b"246810"))
    assert kiosk.view.state is State.MAINTENANCE
    assert kiosk.view.maintenance == HEALTH
    kiosk.session.exit_kiosk()
    assert kiosk.exited
    kiosk.clock.advance(SETTINGS.idle_seconds + SETTINGS.idle_warning_seconds)
    kiosk.session.tick()
    assert kiosk.view.state is State.IDLE


def test_the_language_chosen_by_one_person_is_not_the_next_persons(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.set_language("en")
    kiosk.session.set_elderly(True)
    kiosk.backend.remove()
    assert (kiosk.view.language, kiosk.view.elderly) == ("zh", False)


def test_the_latest_screen_asked_for_wins_over_a_load_still_running(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    worker.run_all()
    kiosk.pin("123456")
    worker.run_all()
    kiosk.session.show(State.ANNUAL)  # slow load still running...
    kiosk.session.show(State.OVERVIEW)  # ...when the person taps Back
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    assert kiosk.view.annual is None


def test_switching_text_size_keeps_the_place_in_the_history(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.HISTORY)
    kiosk.session.history_page(4)
    shown_first = kiosk.view.history.entries[0]  # type: ignore[union-attr]
    kiosk.session.set_elderly(True)
    page = kiosk.view.history
    assert page is not None
    assert page.page_size == SETTINGS.history_rows_elderly
    assert shown_first in page.entries
    assert all(
        len(v.history.entries) <= SETTINGS.history_rows_elderly
        for v in kiosk.views
        if v.elderly and v.history
    )


def test_the_overviews_second_page_stays_while_the_person_moves_and_goes_with_them(
    kiosk: Kiosk,
) -> None:
    kiosk.signed_in()
    assert not kiosk.view.overview_more  # the balance first
    kiosk.session.overview_more(True)
    assert kiosk.view.overview_more
    kiosk.session.show(State.CONTRIBUTIONS)
    kiosk.session.overview_more(False)  # only on the overview
    assert kiosk.view.overview_more
    kiosk.session.show(State.OVERVIEW)  # Back: to the page the person came from
    assert kiosk.view.overview_more
    kiosk.session.overview_more(False)
    assert not kiosk.view.overview_more
    kiosk.session.overview_more(True)
    kiosk.backend.remove()
    kiosk.signed_in()
    assert not kiosk.view.overview_more  # the next person starts at the balance

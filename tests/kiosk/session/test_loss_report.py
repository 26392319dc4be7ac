"""The loss report without the card, through the session: the seeded SQLite store and the
real citizen-requests service (kiosk.citizen_requests); the lift with the card and its PIN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from card_reader.simulator import profile
from kiosk.citizen_requests import CitizenRequests
from kiosk.services import AccountService
from kiosk.session.view import ProblemKind, State
from kiosk.store.demo import DEMO_SERVICE_PASSWORD
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import PINS, account_service, seed_demo_store

LI_KUN_ID = profile("li-kun").citizen_id


@pytest.fixture
def fresh_accounts(tmp_path: Path) -> Iterator[AccountService]:
    """A store of its own: a report changes the card for every later test."""
    service = account_service(seed_demo_store(tmp_path), tmp_path / "outbox.sqlite3")
    yield service
    service.close()


@pytest.fixture
def kiosk(fresh_accounts: AccountService) -> Kiosk:
    return Kiosk(fresh_accounts, services=CitizenRequests(fresh_accounts))


def password(kiosk: Kiosk, digits: str) -> bytearray:
    buffer = bytearray(digits.encode("ascii"))
    kiosk.session.loss_password(buffer)
    return buffer


def reported(kiosk: Kiosk) -> None:
    kiosk.session.start_loss_report()
    assert kiosk.view.state is State.LOSS_ID
    kiosk.session.loss_citizen_id(LI_KUN_ID)
    assert kiosk.view.state is State.LOSS_PASSWORD
    typed = password(kiosk, DEMO_SERVICE_PASSWORD)
    assert typed == bytearray(len(typed))
    assert kiosk.view.state is State.LOSS_REPORTED


def test_a_report_with_the_service_password_refuses_the_card_at_once(kiosk: Kiosk) -> None:
    reported(kiosk)
    report = kiosk.view.loss_report
    assert report is not None
    assert report.report_no > 0
    assert report.masked_name != profile("li-kun").name  # masked by the store
    assert (report.expires_at - report.reported_at).days == 7
    kiosk.session.print_loss_slip()
    assert kiosk.receipts.slips == [(report, "zh")]
    assert kiosk.view.state is State.IDLE
    assert not kiosk.view.has_personal_data

    kiosk.insert("li-kun")
    assert kiosk.view.state is State.CARD_PROBLEM
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.REPORTED_LOST


def test_i_found_my_card_lifts_the_report_after_the_pin(kiosk: Kiosk) -> None:
    reported(kiosk)
    kiosk.session.finish()
    kiosk.insert("li-kun")
    assert kiosk.view.problem is not None
    kiosk.session.lift_loss()
    assert kiosk.view.state is State.PIN_ENTRY
    kiosk.pin("000000")
    assert kiosk.view.state is State.PIN_ENTRY
    assert kiosk.view.pin_wrong
    kiosk.pin(PINS["li-kun"])
    assert kiosk.view.state is State.OVERVIEW
    assert kiosk.view.loss_lifted
    kiosk.session.finish()
    kiosk.backend.remove()
    kiosk.insert("li-kun")  # a card like any other again
    assert kiosk.view.state is State.PIN_ENTRY
    kiosk.pin(PINS["li-kun"])
    assert kiosk.view.state is State.OVERVIEW
    assert not kiosk.view.loss_lifted


def test_a_wrong_password_counts_down_and_the_fifth_locks(kiosk: Kiosk) -> None:
    kiosk.session.start_loss_report()
    kiosk.session.loss_citizen_id(LI_KUN_ID)
    for tries_left in (4, 3, 2, 1):
        password(kiosk, "000000")
        assert kiosk.view.state is State.LOSS_PASSWORD
        assert kiosk.view.loss_password_tries_left == tries_left
    password(kiosk, "000000")
    assert kiosk.view.loss_locked_until is not None
    kiosk.session.finish()
    assert kiosk.view.state is State.IDLE
    kiosk.session.start_loss_report()
    kiosk.session.loss_citizen_id(LI_KUN_ID)
    password(kiosk, DEMO_SERVICE_PASSWORD)  # even the right one, while locked
    assert kiosk.view.loss_locked_until is not None
    kiosk.session.finish()
    kiosk.insert("li-kun")
    assert kiosk.view.state is State.PIN_ENTRY  # nothing was reported


def test_an_id_nobody_enrolled_reads_as_a_wrong_password(kiosk: Kiosk) -> None:
    kiosk.session.start_loss_report()
    kiosk.session.loss_citizen_id("11010519491231002X")  # valid, not in the demo store
    password(kiosk, DEMO_SERVICE_PASSWORD)
    assert kiosk.view.state is State.LOSS_PASSWORD
    assert kiosk.view.loss_password_tries_left == 4


def test_a_card_put_in_during_the_report_starts_its_own_session(kiosk: Kiosk) -> None:
    kiosk.session.start_loss_report()
    kiosk.session.loss_citizen_id(LI_KUN_ID)
    kiosk.insert("zhang-wei")
    assert kiosk.view.state is State.PIN_ENTRY
    password(kiosk, DEMO_SERVICE_PASSWORD)  # the report's step is gone: nothing happens
    assert kiosk.view.state is State.PIN_ENTRY


def test_the_report_screens_time_out_to_the_start(kiosk: Kiosk) -> None:
    kiosk.session.start_loss_report()
    kiosk.session.loss_citizen_id(LI_KUN_ID)
    settings = kiosk.session.settings
    kiosk.clock.advance(settings.pin_entry_seconds + settings.idle_warning_seconds + 1)
    kiosk.session.tick()
    assert kiosk.view.state is State.IDLE
    password(kiosk, DEMO_SERVICE_PASSWORD)
    assert kiosk.view.state is State.IDLE

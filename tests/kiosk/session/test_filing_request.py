"""A remote-care filing request through the session: the store's own list of places, one
choice a step, stored as pending and listed as pending; the seeded SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.citizen_requests import CitizenRequests
from kiosk.domain import FilingStatus, FilingType
from kiosk.services import AccountService
from kiosk.session.filing_draft import FilingStep
from kiosk.session.view import State
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import NOW, account_service, seed_demo_store


@pytest.fixture
def fresh_accounts(tmp_path: Path) -> Iterator[AccountService]:
    service = account_service(seed_demo_store(tmp_path), tmp_path / "outbox.sqlite3")
    yield service
    service.close()


@pytest.fixture
def kiosk(fresh_accounts: AccountService) -> Kiosk:
    kiosk = Kiosk(fresh_accounts, services=CitizenRequests(fresh_accounts))
    kiosk.signed_in("zhang-wei")
    kiosk.session.show(State.FILINGS)
    return kiosk


def choose_until_confirm(kiosk: Kiosk, kind: FilingType, days: int) -> tuple[str, str]:
    """Kind, the first province and city that is not the card's home, today, `days`."""
    session = kiosk.session
    session.start_filing_request()
    draft = kiosk.view.filing_draft
    assert kiosk.view.state is State.FILING_FORM
    assert draft is not None
    assert draft.step is FilingStep.KIND
    session.filing_choose(kind.value)
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.step is FilingStep.PROVINCE
    home = "江苏省"  # zhang-wei's card is from Nanjing
    province = next(name for name in draft.choices() if name != home)
    session.filing_choose(province)
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.step is FilingStep.CITY
    city = draft.choices()[0]
    session.filing_choose(city)
    session.filing_choose("0")
    session.filing_choose(str(days))
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.step is FilingStep.CONFIRM
    return province, city


def test_a_request_is_stored_pending_and_listed_pending(kiosk: Kiosk) -> None:
    before = len(kiosk.view.filings)
    province, city = choose_until_confirm(kiosk, FilingType.TEMPORARY, 90)
    kiosk.session.submit_filing_request()
    request = kiosk.view.filing_request
    assert kiosk.view.state is State.FILING_REQUESTED
    assert request is not None
    assert request.region_code == city
    assert request.province == province
    assert request.valid_from == NOW.date()
    assert request.valid_until == NOW.date() + timedelta(days=89)
    kiosk.session.print_filing_slip()
    assert kiosk.view.slip_printed
    kiosk.session.show(State.FILINGS)
    assert kiosk.view.state is State.FILINGS
    assert len(kiosk.view.filings) == before + 1
    pending = [f for f in kiosk.view.filings if f.status is FilingStatus.PENDING]
    assert [f.region_code for f in pending] == [city]


def test_a_choice_not_offered_is_ignored(kiosk: Kiosk) -> None:
    kiosk.session.start_filing_request()
    kiosk.session.filing_choose("not-a-kind")
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.step is FilingStep.KIND
    kiosk.session.filing_choose(FilingType.REFERRAL.value)
    kiosk.session.filing_choose("火星")
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.step is FilingStep.PROVINCE


def test_back_walks_the_steps_and_then_leaves(kiosk: Kiosk) -> None:
    choose_until_confirm(kiosk, FilingType.LONG_TERM, 365)
    steps = []
    for _ in range(5):
        kiosk.session.filing_back()
        draft = kiosk.view.filing_draft
        assert draft is not None
        steps.append(draft.step)
    assert steps == [FilingStep.LENGTH, FilingStep.START, FilingStep.CITY,
                     FilingStep.PROVINCE, FilingStep.KIND]  # fmt: skip
    kiosk.session.filing_back()
    assert kiosk.view.state is State.FILINGS


def test_the_home_region_is_refused_with_its_reason_on_the_last_look(kiosk: Kiosk) -> None:
    session = kiosk.session
    session.start_filing_request()
    session.filing_choose(FilingType.TEMPORARY.value)
    session.filing_choose("江苏省")
    draft = kiosk.view.filing_draft
    assert draft is not None
    assert draft.province is not None
    nanjing = next(c.code for c in draft.province.cities if c.name == "南京市")
    session.filing_choose(nanjing)
    session.filing_choose("0")
    session.filing_choose("30")
    session.submit_filing_request()
    draft = kiosk.view.filing_draft
    assert kiosk.view.state is State.FILING_FORM
    assert draft is not None
    assert draft.refused == "home_region"

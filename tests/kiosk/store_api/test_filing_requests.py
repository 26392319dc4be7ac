"""Remote-care filing requests on both stores: stored pending, listed pending, the
destination picked from the region table and nothing else, the length bounded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from kiosk.domain import FilingStatus, FilingType
from kiosk.store.errors import CardNotActive, FilingRefused
from kiosk.store.reference import REGIONS
from tests.kiosk.store_api.citizen_stores import BACKENDS, NOW, CitizenStore, Kiosk, citizen_store


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[CitizenStore]:
    made = citizen_store(request, "filing_requests", persons=20, seed=5)
    yield made
    made.close()


@pytest.fixture
def opened(store: CitizenStore) -> tuple[Kiosk, str, str]:
    """A kiosk with an active card opened and proved, and the holder's home region."""
    (card, citizen_id, home) = store.rows(
        "SELECT c.card_number, p.citizen_id, p.home_region FROM card c JOIN person p"
        " ON p.id = c.person_id WHERE c.status = 'active' AND c.expires_on > :day"
        " ORDER BY p.id DESC LIMIT 1",
        day=NOW.date() + timedelta(days=400),
    )[0]
    kiosk = store.kiosk("filing")
    kiosk.accounts.card_status(card)
    kiosk.accounts.prove(card, citizen_id)
    return kiosk, str(card), str(home)


def elsewhere(home: str) -> str:
    return next(code for code, _, _ in REGIONS if code != home)


def test_the_destinations_are_the_region_tables_provinces_and_cities(
    store: CitizenStore,
) -> None:
    provinces = store.kiosk("places").requests.filing_destinations()
    listed = {(city.code, city.name, p.name) for p in provinces for city in p.cities}
    assert listed == set(REGIONS)
    assert len(provinces) == len({province for _, _, province in REGIONS})


def test_a_request_is_stored_pending_and_listed_pending(
    opened: tuple[Kiosk, str, str],
) -> None:
    kiosk, card, home = opened
    start = kiosk.accounts.clock().date() + timedelta(days=3)
    made = kiosk.requests.request_filing(card, "temporary", elsewhere(home), start, 30)
    assert made.filing_type is FilingType.TEMPORARY
    assert (made.valid_from, made.valid_until) == (start, start + timedelta(days=29))
    listed = kiosk.accounts.filings(card)
    pending = [f for f in listed if f.status is FilingStatus.PENDING]
    assert [(f.region_code, f.valid_from) for f in pending] == [(elsewhere(home), start)]
    # Pending is not active: the overview shows no filing for it.
    assert kiosk.accounts.summary(card).active_filing != pending[0]


@pytest.mark.parametrize("code", ["999999", "320100' OR '1'='1", ""])
def test_a_destination_the_region_table_lacks_is_refused(
    opened: tuple[Kiosk, str, str], store: CitizenStore, code: str
) -> None:
    kiosk, card, _ = opened
    before = store.rows("SELECT count(*) AS n FROM remote_filing")[0].n
    with pytest.raises(FilingRefused) as refused:
        kiosk.requests.request_filing(card, "referral", code, kiosk.accounts.clock().date(), 10)
    assert refused.value.reason == "region"
    assert store.rows("SELECT count(*) AS n FROM remote_filing")[0].n == before


def test_the_home_region_is_no_destination(opened: tuple[Kiosk, str, str]) -> None:
    kiosk, card, home = opened
    with pytest.raises(FilingRefused) as refused:
        kiosk.requests.request_filing(card, "long_term", home, kiosk.accounts.clock().date(), 90)
    assert refused.value.reason == "home_region"


@pytest.mark.parametrize(
    ("kind", "lead", "days", "reason"),
    [
        ("temporary", 0, 0, "days"),
        ("temporary", 0, 366, "days"),
        ("holiday", 0, 10, "kind"),
        ("temporary", -1, 10, "start"),
        ("temporary", 91, 10, "start"),
    ],
)
def test_kind_start_and_length_are_bounded(
    opened: tuple[Kiosk, str, str], kind: str, lead: int, days: int, reason: str
) -> None:
    kiosk, card, home = opened
    start = kiosk.accounts.clock().date() + timedelta(days=lead)
    with pytest.raises(FilingRefused) as refused:
        kiosk.requests.request_filing(card, kind, elsewhere(home), start, days)
    assert refused.value.reason == reason


def test_a_request_needs_the_cards_proven_citizen_id(
    opened: tuple[Kiosk, str, str], store: CitizenStore
) -> None:
    kiosk, card, home = opened
    (other,) = store.rows(
        "SELECT citizen_id FROM person WHERE citizen_id <> (SELECT p.citizen_id FROM card c"
        " JOIN person p ON p.id = c.person_id WHERE c.card_number = :c) LIMIT 1",
        c=card,
    )
    kiosk.accounts.prove(card, other.citizen_id)
    with pytest.raises(CardNotActive):
        kiosk.requests.request_filing(
            card, "temporary", elsewhere(home), kiosk.accounts.clock().date(), 5
        )


def test_a_request_is_audited_with_the_cards_pseudonym_only(
    opened: tuple[Kiosk, str, str], store: CitizenStore
) -> None:
    kiosk, card, home = opened
    kiosk.requests.request_filing(
        card, "referral", elsewhere(home), kiosk.accounts.clock().date(), 14
    )
    rows = store.rows(
        "SELECT * FROM audit_event WHERE kiosk_id = :k AND action = 'request_filing'",
        k=kiosk.kiosk_id,
    )
    assert [r.outcome for r in rows] == ["ok"]
    assert rows[0].card_ref or rows[0].card_hash
    assert card not in repr(tuple(rows[0]))

"""The loss report without the card (临时挂失), its lock, its lapse, the counter and lifting
it, on both stores with the same assertions (tests/kiosk/store_api/citizen_stores.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from kiosk.domain import FlagReason
from kiosk.masking import mask_name
from kiosk.store import counter_desk
from kiosk.store import service_password as passwords
from kiosk.store.errors import (
    CardNotActive,
    CardRefusal,
    LossReportRefused,
    ServicePasswordLocked,
    ServicePasswordRefused,
)
from kiosk.store.models import TABLES
from kiosk.store.reference import CLINIC_SLOTS, institution_id
from tests.kiosk.store_api.citizen_stores import BACKENDS, NOW, CitizenStore, citizen_store

PASSWORD = "246135"
UNENROLLED_ID = "110101199003074514"  # a well-formed ID the store does not hold


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[CitizenStore]:
    made = citizen_store(request, "citizen_requests", persons=40, seed=11)
    yield made
    made.close()


@pytest.fixture(scope="module")
def people(store: CitizenStore) -> Iterator[tuple[str, str, str]]:
    """(card number, citizen ID, name) of generated people, each with PASSWORD set at the
    counter, one for each test that asks."""
    from kiosk.pseudonym_key import PseudonymKey

    key = PseudonymKey(store.folder).key
    found = store.rows(
        "SELECT c.card_number, p.citizen_id, p.name FROM card c JOIN person p"
        " ON p.id = c.person_id WHERE c.status = 'active' AND c.expires_on > :day"
        " AND NOT EXISTS (SELECT 1 FROM service_password s WHERE s.person_id = p.id)"
        " ORDER BY p.id",
        day=NOW.date() + timedelta(days=400),
    )
    with store.owner.begin() as connection:
        for _, citizen_id, _ in found:
            counter_desk.set_service_password(
                connection, citizen_id, bytearray(PASSWORD.encode()), NOW, key
            )
    return iter([(str(a), str(b), str(c)) for a, b, c in found])


def password(value: str = PASSWORD) -> bytearray:
    return bytearray(value.encode("ascii"))


def test_the_password_is_kept_salted_and_slow(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    first, second = next(people), next(people)
    kept = {
        row.citizen_id: row
        for row in store.rows(
            "SELECT p.citizen_id, s.* FROM service_password s JOIN person p"
            " ON p.id = s.person_id WHERE p.citizen_id IN (:a, :b)",
            a=first[1],
            b=second[1],
        )
    }
    one, two = kept[first[1]], kept[second[1]]
    assert (one.n, one.r, one.p) == (2**15, 8, 1)  # kiosk/admin_pin.py's floor
    assert len(bytes.fromhex(one.salt)) == 16
    assert one.salt != two.salt  # the same password ...
    assert one.stored_key != two.stored_key  # ... kept apart
    derived = hashlib.scrypt(
        PASSWORD.encode(), salt=bytes.fromhex(one.salt), n=2**15, r=8, p=1, dklen=32,
        maxmem=2**28,
    )  # fmt: skip
    assert hashlib.sha256(derived).hexdigest() == one.stored_key
    assert PASSWORD not in repr(tuple(one))
    assert PASSWORD.encode().hex() not in repr(tuple(one))


def test_a_right_password_reports_the_card_and_zeroes_the_password(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, name = next(people)
    kiosk = store.kiosk("report")
    typed = password()
    report = kiosk.requests.report_lost(citizen_id, typed)
    assert typed == bytearray(len(PASSWORD))
    assert report.masked_name == mask_name(name) != name
    assert report.expires_at - report.reported_at == timedelta(days=7)
    (row,) = store.rows("SELECT * FROM loss_report WHERE id = :n", n=report.report_no)
    assert (row.card_number, row.status, row.kiosk_id) == (card, "temporary", kiosk.kiosk_id)
    # The same person again while it holds: the standing report, not a second one.
    again = kiosk.requests.report_lost(citizen_id, password())
    assert again.report_no == report.report_no


def test_a_report_at_kiosk_a_is_refused_at_kiosk_b_at_once(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    a, b = store.kiosk("a"), store.kiosk("b")
    b.accounts.card_status(card)  # opened at B before the report
    b.accounts.prove(card, citizen_id)
    b.accounts.summary(card)
    a.requests.report_lost(citizen_id, password())
    with pytest.raises(CardNotActive) as refused:
        b.accounts.card_status(card)
    assert refused.value.status is CardRefusal.REPORTED_LOST
    with pytest.raises(CardNotActive) as screen:
        b.accounts.summary(card)  # a screen of the session already open at B
    assert screen.value.status is CardRefusal.REPORTED_LOST


def test_wrong_passwords_count_and_the_fifth_locks_for_24_hours(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    kiosk = store.kiosk("lock")
    left = []
    for _ in range(4):
        with pytest.raises(ServicePasswordRefused) as refused:
            kiosk.requests.report_lost(citizen_id, password("000000"))
        left.append(refused.value.tries_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(ServicePasswordLocked) as locked:
        kiosk.requests.report_lost(citizen_id, password("000000"))
    lock = locked.value.until - store.now()
    assert timedelta(hours=23, minutes=59) < lock <= timedelta(hours=24)
    # Locked: even the right password is not tried, from any kiosk.
    with pytest.raises(ServicePasswordLocked):
        store.kiosk("other").requests.report_lost(citizen_id, password())
    store.elapse(timedelta(hours=23, minutes=50))
    with pytest.raises(ServicePasswordLocked):
        kiosk.requests.report_lost(citizen_id, password())
    store.elapse(timedelta(minutes=11))
    report = kiosk.requests.report_lost(citizen_id, password())
    assert report.report_no > 0
    with pytest.raises(CardNotActive):
        kiosk.accounts.card_status(card)


def test_a_right_password_clears_the_count(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    _, citizen_id, _ = next(people)
    kiosk = store.kiosk("clear")
    for _ in range(3):
        with pytest.raises(ServicePasswordRefused):
            kiosk.requests.report_lost(citizen_id, password("999999"))
    kiosk.requests.report_lost(citizen_id, password())
    with pytest.raises(ServicePasswordRefused) as refused:
        kiosk.requests.report_lost(citizen_id, password("999999"))
    assert refused.value.tries_left == 4


def test_an_unenrolled_id_reads_exactly_as_a_wrong_password(store: CitizenStore) -> None:
    kiosk = store.kiosk("stranger")
    left = []
    for _ in range(4):
        with pytest.raises(ServicePasswordRefused) as refused:
            kiosk.requests.report_lost(UNENROLLED_ID, password())
        left.append(refused.value.tries_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(ServicePasswordLocked):
        kiosk.requests.report_lost(UNENROLLED_ID, password())


def test_every_try_is_audited_with_the_pseudonym_only(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, name = next(people)
    kiosk = store.kiosk("audit")
    with pytest.raises(ServicePasswordRefused):
        kiosk.requests.report_lost(citizen_id, password("111111"))
    kiosk.requests.report_lost(citizen_id, password())
    rows = store.rows("SELECT * FROM audit_event WHERE kiosk_id = :k ORDER BY id", k=kiosk.kiosk_id)
    assert [(r.action, r.outcome) for r in rows] == [
        ("service_password", "refused_password"),
        ("service_password", "ok"),
        ("loss_report", "ok"),
    ]
    refs = {r.card_ref or r.card_hash for r in rows[:2]}
    assert len(refs) == 1  # one pseudonym for the ID's tries
    assert None not in refs
    everything = repr([tuple(r) for r in rows])
    for secret in (citizen_id, citizen_id[-6:], card, name, PASSWORD):
        assert secret not in everything


def test_a_report_lapses_after_its_days_and_then_refuses_nothing(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    kiosk = store.kiosk("lapse", days=3)
    report = kiosk.requests.report_lost(citizen_id, password())
    assert report.expires_at - report.reported_at == timedelta(days=3)
    store.elapse(timedelta(days=2, hours=23))
    with pytest.raises(CardNotActive):
        kiosk.accounts.card_status(card)
    store.elapse(timedelta(hours=1, minutes=1))
    kiosk.accounts.card_status(card)
    (line,) = [x for x in counter_desk_lines(store) if x.report_no == report.report_no]
    assert line.state == "lapsed"


def counter_desk_lines(store: CitizenStore) -> list[counter_desk.ReportLine]:
    now = store.now()
    with store.owner.connect() as connection:
        return counter_desk.loss_report_lines(connection, now)


def test_confirmed_at_the_counter_it_holds_past_its_days_as_lost(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    kiosk = store.kiosk("confirm", days=2)
    report = kiosk.requests.report_lost(citizen_id, password())
    now = store.now()
    with store.owner.begin() as connection:
        counter_desk.confirm_loss(connection, report.report_no, now)
    store.elapse(timedelta(days=3))
    with pytest.raises(CardNotActive) as refused:
        kiosk.accounts.card_status(card)
    assert refused.value.status is CardRefusal.LOST
    now = store.now()
    with store.owner.begin() as connection, pytest.raises(counter_desk.CounterError):
        counter_desk.confirm_loss(connection, report.report_no, now)


def test_a_lapsed_report_cannot_be_confirmed(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    _, citizen_id, _ = next(people)
    report = store.kiosk("late").requests.report_lost(citizen_id, password())
    store.elapse(timedelta(days=8))
    now = store.now()
    with store.owner.begin() as connection, pytest.raises(counter_desk.CounterError) as late:
        counter_desk.confirm_loss(connection, report.report_no, now)
    assert "lapsed" in str(late.value)


def test_the_found_card_lifts_its_report_with_its_proven_citizen_id(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    _, someone_else, _ = next(people)
    kiosk = store.kiosk("lift")
    kiosk.requests.report_lost(citizen_id, password())
    with pytest.raises(CardNotActive) as refused:
        kiosk.accounts.card_status(card)  # the lost-card screen, with "I found my card"
    assert refused.value.status is CardRefusal.REPORTED_LOST
    kiosk.accounts.prove(card, someone_else)
    with pytest.raises(CardNotActive) as forged:
        kiosk.requests.lift_loss_report(card)
    assert forged.value.status is CardRefusal.MISMATCH
    kiosk.accounts.prove(card, citizen_id)
    kiosk.requests.lift_loss_report(card)
    kiosk.accounts.card_status(card)
    assert kiosk.accounts.summary(card).card_number == card
    with pytest.raises(LossReportRefused) as nothing:
        kiosk.requests.lift_loss_report(card)
    assert nothing.value.reason == "not_reported"
    (row,) = store.rows("SELECT status FROM loss_report WHERE card_number = :c", c=card)
    assert row.status == "lifted"


def test_the_counter_sets_a_new_password_and_clears_the_lock(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    from kiosk.pseudonym_key import PseudonymKey

    _, citizen_id, _ = next(people)
    kiosk = store.kiosk("reset")
    for _ in range(5):
        with pytest.raises((ServicePasswordRefused, ServicePasswordLocked)):
            kiosk.requests.report_lost(citizen_id, password("121212"))
    with store.owner.begin() as connection:
        counter_desk.set_service_password(
            connection, citizen_id, password("808182"), NOW, PseudonymKey(store.folder).key
        )
    assert kiosk.requests.report_lost(citizen_id, password("808182")).report_no > 0
    with pytest.raises(ServicePasswordRefused):
        kiosk.requests.report_lost(citizen_id, password())  # the old one is gone


def test_a_password_not_of_six_digits_is_refused_at_the_counter(store: CitizenStore) -> None:
    with store.owner.begin() as connection, pytest.raises(passwords.PasswordFormatError):
        counter_desk.set_service_password(connection, UNENROLLED_ID, password("12ab56"), NOW, b"k")
    with store.owner.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM person")).scalar_one() > 0


def post_charge(store: CitizenStore, card: str, at: datetime) -> int:
    """An outpatient charge at a clinic of the holder's home city (as the insurance system
    posts it, not the kiosk); its entry number."""
    (holder,) = store.rows(
        "SELECT p.id, p.home_region, coalesce(max(l.entry_no), 0) AS last_no,"
        " coalesce((SELECT l2.balance_after FROM ledger_entry l2 WHERE l2.person_id = p.id"
        " ORDER BY l2.entry_no DESC LIMIT 1), 0) AS balance"
        " FROM card c JOIN person p ON p.id = c.person_id"
        " LEFT JOIN ledger_entry l ON l.person_id = p.id WHERE c.card_number = :c"
        " GROUP BY p.id, p.home_region",
        c=card,
    )
    entry = int(holder.last_no) + 1
    charge = {
        "person_id": holder.id, "entry_no": entry, "posted_at": at, "kind": "outpatient",
        "amount": Decimal("-37.40"), "balance_after": Decimal(holder.balance) - Decimal("37.40"),
        "institution_id": institution_id(holder.home_region, CLINIC_SLOTS[0]),
        "pooled_amount": Decimal("0.00"), "quota_used": Decimal("0.00"),
    }  # fmt: skip
    with store.owner.begin() as connection:
        connection.execute(TABLES["ledger_entry"].insert(), [charge])
    return entry


def test_charges_posted_while_the_report_held_are_flagged_after_it_is_lifted(
    store: CitizenStore, people: Iterator[tuple[str, str, str]]
) -> None:
    card, citizen_id, _ = next(people)
    kiosk = store.kiosk("flags")
    kiosk.requests.report_lost(citizen_id, password())
    store.elapse(timedelta(hours=2))
    during = post_charge(store, card, store.now() - timedelta(hours=1))
    with pytest.raises(CardNotActive):
        kiosk.accounts.card_status(card)
    kiosk.accounts.prove(card, citizen_id)
    kiosk.requests.lift_loss_report(card)
    kiosk.accounts.card_status(card)
    store.elapse(timedelta(minutes=5))
    after = post_charge(store, card, store.now() - timedelta(minutes=1))
    flagged = {c.entry.entry_id: c.reasons for c in kiosk.accounts.flagged_charges(card)}
    assert FlagReason.AFTER_CARD_LOST in flagged[during]
    assert FlagReason.AFTER_CARD_LOST not in flagged.get(after, ())
    assert kiosk.accounts.summary(card).flagged_count == len(flagged)


@pytest.mark.parametrize(
    "typed", ["", "32010219520312031", "3201021952031203111", "32010219520312031Y"]
)
def test_a_malformed_citizen_id_is_refused_before_the_store_counts_anything(
    store: CitizenStore, typed: str
) -> None:
    kiosk = store.kiosk("malformed")
    secret = password()
    with pytest.raises(ValueError, match="17 digits"):
        kiosk.requests.report_lost(typed, secret)
    assert secret == bytearray(len(PASSWORD))
    assert store.rows("SELECT * FROM audit_event WHERE kiosk_id = :k", k=kiosk.kiosk_id) == []

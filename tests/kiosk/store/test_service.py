"""AccountService on the demo store: card states, summary, history paging and filters,
contributions, statements, flagged charges, receipts and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kiosk.domain import (
    FilingStatus,
    FlagReason,
    InsuranceType,
    LedgerKind,
    MaskingRules,
)
from kiosk.services import AccountService, CardNotActive, CardRefusal, StoreUnavailable
from kiosk.store.audit import card_hash
from kiosk.store.flags import LOOKBACK
from kiosk.store.models import TABLES
from kiosk.words import has
from kiosk.words.failures import failure_key

ZHANG, WANG, LI, ZHOU_NEW = "A32010001", "B32010002", "C36042603", "H33010018"


def test_summary_of_the_everyday_demo_card(service: AccountService) -> None:
    summary = service.summary(ZHANG)
    assert summary.person_name == "张伟"
    assert summary.citizen_id == "320102195203120316"
    assert summary.insurance_type is InsuranceType.RETIREE
    assert summary.balance > 0
    assert summary.balance == summary.balance.quantize(Decimal("0.01"))
    assert summary.quota.year == 2026
    assert summary.quota.limit == Decimal("5000.00")
    assert Decimal(0) < summary.quota.used < summary.quota.limit
    assert summary.last_contribution is not None
    assert summary.last_contribution.period == date(2026, 11, 1)
    assert [(f.relation, f.direction, f.counterpart_name) for f in summary.family] == [
        ("parent", "beneficiary", "张*梅")
    ]
    assert summary.family[0].transferred_this_year > 0
    assert summary.flagged_count == 2  # the night pharmacy and the duplicate


def test_balance_is_the_last_ledger_balance(service: AccountService) -> None:
    for card in (ZHANG, WANG, LI, ZHOU_NEW):
        last = service.history(card, page=1, page_size=1).entries[0]
        assert service.summary(card).balance == last.balance_after


def test_active_filing_and_employee_contributions(service: AccountService) -> None:
    summary = service.summary(WANG)
    assert summary.active_filing is not None
    assert summary.active_filing.region_name == "上海市"
    assert summary.active_filing.status is FilingStatus.ACTIVE
    rows = service.contributions(WANG, months=12)
    assert len(rows) == 12
    assert [r.period for r in rows] == sorted((r.period for r in rows), reverse=True)
    assert rows[0].period == date(2026, 11, 1)
    assert all(r.employee == r.base * Decimal("0.02") for r in rows)
    assert all(r.to_personal_account == r.employee + r.base * Decimal("0.01") for r in rows)
    assert len(service.contributions(WANG, months=3)) == 3
    expired = {f.status for f in service.filings(LI)}
    assert expired == {FilingStatus.EXPIRED}


@pytest.mark.parametrize(
    ("card", "status"),
    [
        ("G31010007", CardRefusal.LOST),
        ("H33010008", CardRefusal.REPLACED),
        ("F44030006", CardRefusal.EXPIRED),
        ("X99999999", CardRefusal.UNKNOWN),
    ],
)
def test_cards_that_do_not_open_the_accounts(
    service: AccountService, card: str, status: CardRefusal
) -> None:
    for call in (service.summary, service.history, service.annual_statement):
        with pytest.raises(CardNotActive) as refused:
            call(card)
        assert refused.value.status is status
        assert has(failure_key(refused.value))  # words of its own, not a generic apology
        assert failure_key(refused.value) != failure_key(StoreUnavailable())
        assert card not in refused.value.operator_message


@pytest.mark.parametrize("state", ["suspended", "cancelled"])
def test_suspended_and_cancelled_cards(service: AccountService, state: str) -> None:
    card = TABLES["card"]
    with service.engine.begin() as connection:
        connection.execute(update(card).where(card.c.card_number == LI).values(status=state))
    try:
        with pytest.raises(CardNotActive) as refused:
            service.summary(LI)
        assert refused.value.status.value == state
    finally:
        with service.engine.begin() as connection:
            connection.execute(update(card).where(card.c.card_number == LI).values(status="active"))
    assert service.summary(LI).person_name == "李堃"


def test_history_pages_cover_every_entry_once_newest_first(service: AccountService) -> None:
    first = service.history(ZHANG, page=1, page_size=7)
    assert first.total > 30
    seen = []
    for page in range(1, first.pages + 1):
        result = service.history(ZHANG, page=page, page_size=7)
        assert result.total == first.total
        seen.extend(result.entries)
    assert len(seen) == first.total
    assert len({e.entry_id for e in seen}) == first.total
    times = [e.posted_at for e in seen]
    assert times == sorted(times, reverse=True)
    beyond = service.history(ZHANG, page=first.pages + 1, page_size=7)
    assert beyond.entries == ()
    assert beyond.total == first.total
    with pytest.raises(ValueError, match="page"):
        service.history(ZHANG, page=0)


def test_history_filters_by_kind_and_since(service: AccountService) -> None:
    pharmacy = service.history(ZHANG, page=1, page_size=100, kind=LedgerKind.PHARMACY)
    assert pharmacy.total > 0
    assert {e.kind for e in pharmacy.entries} == {LedgerKind.PHARMACY}
    assert all(e.institution_name and e.amount < 0 for e in pharmacy.entries)
    since = service.history(ZHANG, page=1, page_size=100, since=date(2026, 10, 1))
    assert since.total > 0
    assert all(e.posted_at >= datetime(2026, 10, 1) for e in since.entries)
    both = service.history(
        ZHANG, page=1, page_size=100, kind=LedgerKind.PHARMACY, since=date(2026, 10, 1)
    )
    assert {e.entry_id for e in both.entries} == {
        e.entry_id for e in since.entries if e.kind is LedgerKind.PHARMACY
    }
    aid = service.history(ZHANG, page=1, page_size=100, kind=LedgerKind.FAMILY_AID_IN)
    assert aid.total > 0
    assert {e.counterpart for e in aid.entries} == {"张*梅"}


@pytest.mark.parametrize("card", [ZHANG, WANG, LI, ZHOU_NEW, "D65010004", "S00001001"])
@pytest.mark.parametrize("page_size", [1, 3, 20, 100])
@pytest.mark.parametrize("from_lookback", [False, True])
def test_the_first_page_reads_as_the_later_pages_do(
    service: AccountService, card: str, page_size: int, from_lookback: bool
) -> None:
    """Page 1 comes from the flags' look-back read when that holds it (reads.history);
    one entry a page from page 2 on is the plain ledger read. Both must say the same.
    From the look-back's start, the look-back read is the whole history."""
    since = service.clock() - LOOKBACK if from_lookback else None
    first = service.history(card, page=1, page_size=page_size, since=since)
    one_by_one = [
        entry
        for page in range(1, min(first.total, page_size) + 1)
        for entry in service.history(card, page=page, page_size=1, since=since).entries
    ]
    assert first.entries == tuple(one_by_one)
    assert first.total == service.history(card, page=2, page_size=1, since=since).total


def test_history_entries_carry_their_flags(service: AccountService) -> None:
    entries = service.history(ZHANG, page=1, page_size=100).entries
    flagged = {e.entry_id: e.flags for e in entries if e.flags}
    assert sorted(flagged.values()) == [(FlagReason.DUPLICATE,), (FlagReason.NIGHT_PHARMACY,)]


def test_planted_charges_are_flagged(service: AccountService) -> None:
    def reasons(card: str) -> set[FlagReason]:
        return {r for charge in service.flagged_charges(card) for r in charge.reasons}

    assert reasons(ZHANG) == {FlagReason.NIGHT_PHARMACY, FlagReason.DUPLICATE}
    assert {FlagReason.TWO_CITIES, FlagReason.REMOTE_WITHOUT_FILING} <= reasons(WANG)
    assert FlagReason.PHARMACY_SPIKE in reasons(LI)
    assert reasons(ZHOU_NEW) == {FlagReason.AFTER_CARD_LOST}
    charges = service.flagged_charges(WANG)
    times = [c.entry.posted_at for c in charges]
    assert times == sorted(times, reverse=True)
    assert all(c.entry.flags == c.reasons for c in charges)


@pytest.mark.parametrize("card", [ZHANG, WANG, LI, ZHOU_NEW, "D65010004", "S00001001"])
@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_annual_statement_reconciles_to_the_cent(
    service: AccountService, card: str, year: int
) -> None:
    statement = service.annual_statement(card, year)
    assert statement.closing_from_movements == statement.closing_balance
    assert len(statement.spending_by_month) == 12
    assert sum(statement.spending_by_month, Decimal(0)) == statement.total_out
    assert all(v >= 0 for v in statement.spending_by_kind.values())
    assert statement.carried_over == (statement.closing_balance if year < 2026 else 0)
    if year == 2026:
        assert statement.closing_balance == service.summary(card).balance


def test_statement_years_chain(service: AccountService) -> None:
    previous = service.annual_statement(WANG, 2025)
    current = service.annual_statement(WANG)
    assert current.year == 2026
    assert current.opening_balance == previous.closing_balance
    assert LedgerKind.CONTRIBUTION in current.income_by_kind
    assert LedgerKind.EMPLOYER_SHARE in current.income_by_kind
    assert current.family_aid_out > 0


def test_receipt_data(service: AccountService, tmp_path: Path) -> None:
    printed = datetime(2026, 11, 24, 10, 31)
    receipt = service.receipt_data(ZHANG, printed, "R-0001", MaskingRules(), entries=5)
    assert receipt.person_name == "张伟"
    assert receipt.kiosk_id == "test-kiosk"
    assert receipt.kiosk_location == "测试点"
    assert len(receipt.entries) == 5
    assert receipt.balance == service.summary(ZHANG).balance
    assert len(receipt.flagged) == 2
    # This installation's pseudonym: the key was made next to the outbox (no data_dir given).
    assert receipt.card_hash == card_hash(ZHANG, service.pseudonyms.key)
    assert (tmp_path / "pseudonym-key").read_bytes() == service.pseudonyms.key
    assert ZHANG not in receipt.card_hash


def test_every_query_is_audited_without_the_card_number(service: AccountService) -> None:
    audit = TABLES["audit_event"]
    with service.engine.connect() as connection:
        before = connection.execute(select(audit.c.id)).all()
    service.summary(ZHANG)
    with pytest.raises(CardNotActive):
        service.summary("G31010007")
    service.record_query("print_receipt", "ok", ZHANG)
    with service.engine.connect() as connection:
        rows = connection.execute(
            select(audit).where(audit.c.id.notin_([r.id for r in before])).order_by(audit.c.id)
        ).all()
    assert [(r.action, r.outcome) for r in rows] == [
        ("summary", "ok"),
        ("summary", "refused_lost"),
        ("print_receipt", "ok"),
    ]
    assert rows[0].card_hash == card_hash(ZHANG, service.pseudonyms.key)
    assert rows[2].card_hash == rows[0].card_hash  # one card, one pseudonym
    assert rows[1].card_hash not in (None, rows[0].card_hash)
    assert all(r.kiosk_id == "test-kiosk" for r in rows)
    for row in rows:
        assert ZHANG not in str(tuple(row))
        assert "G31010007" not in str(tuple(row))


def test_heartbeat_upserts_one_row_per_kiosk(service: AccountService) -> None:
    service.record_heartbeat("ready", "ok", 41000)
    service.record_heartbeat("no_reader", "paper_out", 0)
    table = TABLES["kiosk_heartbeat"]
    with service.engine.connect() as connection:
        rows = connection.execute(select(table).where(table.c.kiosk_id == "test-kiosk")).all()
    assert [(r.reader_state, r.printer_state, r.paper_left_mm) for r in rows] == [
        ("no_reader", "paper_out", 0)
    ]

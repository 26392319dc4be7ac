"""Read functions over one open connection, returning kiosk.domain types.

kiosk.services wraps these in a short read-only transaction with a deadline; keeping them
here lets one call (a receipt, say) combine several in the same snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row

from kiosk.domain import (
    AnnualStatement,
    Contribution,
    FamilyBinding,
    FilingStatus,
    FilingType,
    FlagReason,
    HistoryPage,
    InstitutionKind,
    LedgerEntry,
    LedgerKind,
    QuotaStatus,
    RemoteFiling,
)
from kiosk.frozen import maker
from kiosk.masking import mask_name
from kiosk.store import queries
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.store.flags import LOOKBACK, Charge, FilingCover, LostWindow, flag_charges

ZERO = Decimal("0.00")
# Member by stored value: a dict lookup costs a tenth of the Enum call, and a history page
# makes some forty of them. An unknown value still fails as the Enum call would.
_LEDGER_KINDS = {kind.value: kind for kind in LedgerKind}
_INSTITUTION_KINDS = {kind.value: kind for kind in InstitutionKind}


def _ledger_kind(value: str) -> LedgerKind:
    return _LEDGER_KINDS.get(value) or LedgerKind(value)


def _institution_kind(value: str) -> InstitutionKind:
    return _INSTITUTION_KINDS.get(value) or InstitutionKind(value)


FAMILY_KINDS = (LedgerKind.FAMILY_AID_IN, LedgerKind.FAMILY_AID_OUT)
_REFUSALS = {
    "lost": CardRefusal.LOST,
    "replaced": CardRefusal.REPLACED,
    "suspended": CardRefusal.SUSPENDED,
    "cancelled": CardRefusal.CANCELLED,
}


@dataclass(frozen=True)
class Holder:
    """The person behind an active card, with what the summary needs from the same row."""

    person_id: int
    name: str
    citizen_id: str
    insurance_type: str
    home_region: str
    balance: Decimal
    quota: QuotaStatus
    card_issued_on: date
    last_lost_at: datetime | None
    # The latest loss report made without the card (issue 17): from it until lifted or lapsed.
    last_report_at: datetime | None = None
    last_report_end: datetime | None = None


def resolve(connection: Connection, card_number: str, now: datetime) -> Holder:
    """The card's holder, or CardNotActive saying why the card does not open the accounts."""
    row = connection.execute(
        queries.RESOLVE, {"card_number": card_number, "year": now.year}
    ).first()
    return _holder(row, now)


def resolve_with_report(connection: Connection, card_number: str, now: datetime) -> Holder:
    """resolve() and refuse_reported() in one statement (where the kiosk reads tables)."""
    row = connection.execute(
        queries.RESOLVE_WITH_REPORT, {"card_number": card_number, "year": now.year, "now": now}
    ).first()
    holder = _holder(row, now)
    if row is not None and row.reported_until is not None:
        raise CardNotActive(CardRefusal.REPORTED_LOST)
    return holder


def _holder(row: Any, now: datetime) -> Holder:  # RESOLVE's row, or None
    if row is None:
        raise CardNotActive(CardRefusal.UNKNOWN)
    if row.status != "active":
        raise CardNotActive(_REFUSALS.get(row.status, CardRefusal.CANCELLED))
    if row.expires_on < now.date():
        raise CardNotActive(CardRefusal.EXPIRED)
    return Holder(
        person_id=row.person_id,
        name=row.name,
        citizen_id=row.citizen_id,
        insurance_type=row.insurance_type,
        home_region=row.home_region,
        balance=row.balance if row.balance is not None else ZERO,
        quota=QuotaStatus(now.year, row.quota_limit or ZERO, row.quota_used or ZERO),
        card_issued_on=row.issued_on,
        last_lost_at=row.last_lost_at,
        last_report_at=row.last_report_at,
        last_report_end=row.last_report_end,
    )


def refuse_reported(connection: Connection, card_number: str, now: datetime) -> None:
    """CardNotActive(REPORTED_LOST) while a temporary loss report on the card is in force
    (the embedded store; on the fleet store kiosk_api's gate refuses it)."""
    found = connection.execute(
        queries.REPORTED_UNTIL, {"card_number": card_number, "now": now}
    ).scalar()
    if found is not None:
        raise CardNotActive(CardRefusal.REPORTED_LOST)


def region_name(connection: Connection, code: str) -> str:
    """The region's name, or "" for a code the store does not list."""
    return str(connection.execute(queries.REGION_NAME, {"code": code}).scalar() or "")


def _contribution(row: Row[Any]) -> Contribution:
    return Contribution(
        period=row.period,
        base=row.base,
        employee=row.employee,
        employer=row.employer,
        to_personal_account=row.to_personal_account,
        arrived_at=row.arrived_at,
    )


def last_contribution(connection: Connection, person_id: int) -> Contribution | None:
    row = connection.execute(queries.LAST_CONTRIBUTION, {"person_id": person_id}).first()
    return _contribution(row) if row is not None else None


def contributions(connection: Connection, person_id: int, since: date) -> tuple[Contribution, ...]:
    """Contributions (or retiree allocations) from `since`, newest first."""
    rows = connection.execute(queries.CONTRIBUTIONS, {"person_id": person_id, "since": since})
    return tuple(_contribution(row) for row in rows)


def filings(connection: Connection, person_id: int, today: date) -> tuple[RemoteFiling, ...]:
    """Remote-care filings, newest first; an active one past its end reads as expired."""
    result = []
    for row in connection.execute(queries.FILINGS, {"person_id": person_id}):
        status = FilingStatus(row.status)
        if status is FilingStatus.ACTIVE and row.valid_until and row.valid_until < today:
            status = FilingStatus.EXPIRED
        result.append(
            RemoteFiling(
                filing_type=FilingType(row.filing_type),
                region_code=row.region_code,
                region_name=row.region_name,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                status=status,
            )
        )
    return tuple(result)


def active_filing(found: Sequence[RemoteFiling], today: date) -> RemoteFiling | None:
    for item in found:
        if item.status is FilingStatus.ACTIVE and item.valid_from <= today:
            return item
    return None


def recent_entries(connection: Connection, person_id: int, now: datetime) -> list[Row[Any]]:
    """The person's ledger rows within the flag look-back, oldest first."""
    return list(
        connection.execute(queries.ENTRIES_SINCE, {"person_id": person_id, "since": now - LOOKBACK})
    )


def recent_charges(connection: Connection, person_id: int, now: datetime) -> list[Row[Any]]:
    """recent_entries with only what analyse() and family_bindings() read."""
    return list(
        connection.execute(queries.CHARGES_SINCE, {"person_id": person_id, "since": now - LOOKBACK})
    )


def family_bindings(
    connection: Connection, person_id: int, recent: Sequence[Row[Any]], year: int
) -> tuple[FamilyBinding, ...]:
    """Who is bound, and what moved between us this year (from the recent ledger rows)."""
    moved: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in recent:
        if row.kind in FAMILY_KINDS and row.posted_at.year == year and row.counterpart_id:
            moved[row.counterpart_id] += abs(row.amount)
    return tuple(
        FamilyBinding(
            counterpart_name=mask_name(row.counterpart_name),
            relation=row.relation,
            direction=row.direction,
            since=row.since,
            transferred_this_year=moved[row.counterpart_id],
        )
        for row in connection.execute(queries.BINDINGS, {"person_id": person_id})
    )


# Built by the dozen a screen (kiosk.frozen says what that saves).
_charge = maker(Charge)
_entry = maker(LedgerEntry)


def analyse(
    recent: Sequence[Row[Any]], holder: Holder, found_filings: Sequence[RemoteFiling]
) -> dict[int, tuple[FlagReason, ...]]:
    """Apply domain.md's second-look rules to the recent charges."""
    charges = [
        _charge(
            entry_no=row.entry_no,
            posted_at=row.posted_at,
            kind=_ledger_kind(row.kind),
            amount=row.amount,
            pooled_amount=row.pooled_amount,
            institution_id=row.institution_id,
            institution_kind=_institution_kind(row.institution_kind),
            region_code=row.region_code,
        )
        for row in recent
        if row.institution_id is not None and row.kind != LedgerKind.REFUND
    ]
    covers = [
        FilingCover(f.region_code, f.valid_from, f.valid_until)
        for f in found_filings
        # A pending request (issue 17) is not a filing yet: it covers no charge.
        if f.status not in (FilingStatus.REVOKED, FilingStatus.PENDING)
    ]
    lost = []
    if holder.last_lost_at is not None:
        lost.append(
            LostWindow(holder.last_lost_at, datetime.combine(holder.card_issued_on, time()))
        )
    if holder.last_report_at is not None:
        lost.append(LostWindow(holder.last_report_at, holder.last_report_end))
    return flag_charges(charges, holder.home_region, covers, lost)


def to_entry(row: Row[Any], flags: dict[int, tuple[FlagReason, ...]]) -> LedgerEntry:
    return _entry(
        entry_id=row.entry_no,
        posted_at=row.posted_at,
        kind=_ledger_kind(row.kind),
        amount=row.amount,
        balance_after=row.balance_after,
        institution_name=row.institution_name,
        institution_kind=_institution_kind(row.institution_kind) if row.institution_kind else None,
        region_code=row.region_code,
        pooled_amount=row.pooled_amount,
        quota_used=row.quota_used,
        counterpart=mask_name(row.counterpart_name) if row.counterpart_name else None,
        reference=row.reference,
        flags=flags.get(row.entry_no, ()),
    )


def history_rows(
    connection: Connection,
    person_id: int,
    *,
    page: int,
    page_size: int,
    kind: LedgerKind | None,
    since: datetime | None,
) -> tuple[list[Row[Any]], int]:
    """One page of entries, newest first, and the total the filters match."""
    key, params = _filters(person_id, kind, since)
    rows = list(
        connection.execute(
            queries.HISTORY[key],
            {**params, "limit": page_size, "offset": (page - 1) * page_size},
        )
    )
    if rows:
        return rows, int(rows[0].total)
    return rows, _count(connection, key, params)


Filters = tuple[bool, bool]  # the key of queries.HISTORY and HISTORY_COUNT: (kind, since)


def _filters(
    person_id: int, kind: LedgerKind | None, since: datetime | None
) -> tuple[Filters, dict[str, Any]]:
    params: dict[str, Any] = {"person_id": person_id}
    if kind is not None:
        params["kind"] = kind.value
    if since is not None:
        params["since"] = since
    return (kind is not None, since is not None), params


def _count(connection: Connection, key: Filters, params: dict[str, Any]) -> int:
    return int(connection.execute(queries.HISTORY_COUNT[key], params).scalar_one())


def history(
    connection: Connection,
    holder: Holder,
    now: datetime,
    *,
    page: int,
    page_size: int,
    kind: LedgerKind | None = None,
    since: datetime | None = None,
) -> HistoryPage:
    recent: list[Row[Any]] | None = None
    if page == 1 and kind is None and (since is None or since <= now - LOOKBACK):
        # The first page usually lies within the look-back the flags need anyway (a
        # person's year is about 20 rows): one ledger read serves both, and the count
        # says whether the page holds anything older.
        recent = recent_entries(connection, holder.person_id, now)
        total = _count(connection, *_filters(holder.person_id, None, since))
        # Every recent row is at or after `since`: with as many in all, they are all.
        if len(recent) >= page_size or len(recent) == total:
            newest = recent[: -page_size - 1 : -1]
            found = analyse(recent, holder, filings(connection, holder.person_id, now.date()))
            return HistoryPage(tuple(to_entry(r, found) for r in newest), page, page_size, total)
    rows, total = history_rows(
        connection, holder.person_id, page=page, page_size=page_size, kind=kind, since=since
    )
    flags: dict[int, tuple[FlagReason, ...]] = {}
    if rows and rows[0].posted_at >= now - LOOKBACK:
        if recent is None:
            recent = recent_entries(connection, holder.person_id, now)
        flags = analyse(recent, holder, filings(connection, holder.person_id, now.date()))
    return HistoryPage(tuple(to_entry(r, flags) for r in rows), page, page_size, total)


def annual_statement(
    connection: Connection, person_id: int, year: int, today: date
) -> AnnualStatement:
    """The year's movements by kind; opening + in - out + aid in - aid out == closing."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    rows = list(
        connection.execute(
            queries.YEAR_ENTRIES, {"person_id": person_id, "start": start, "end": end}
        )
    )
    if rows:
        opening = rows[0].balance_after - rows[0].amount
        closing = rows[-1].balance_after
    else:
        before = connection.execute(
            queries.BALANCE_BEFORE, {"person_id": person_id, "start": start}
        ).scalar_one_or_none()
        opening = closing = before if before is not None else ZERO
    income: dict[LedgerKind, Decimal] = {}
    spending: dict[LedgerKind, Decimal] = {}
    aid_in = aid_out = ZERO
    by_month = [ZERO] * 12
    for row in rows:
        kind, amount = _ledger_kind(row.kind), row.amount
        if kind is LedgerKind.FAMILY_AID_IN:
            aid_in += amount
        elif kind is LedgerKind.FAMILY_AID_OUT:
            aid_out -= amount
        elif amount > 0:
            income[kind] = income.get(kind, ZERO) + amount
        elif amount < 0:
            spending[kind] = spending.get(kind, ZERO) - amount
            by_month[row.posted_at.month - 1] -= amount
    return AnnualStatement(
        year=year,
        opening_balance=opening,
        income_by_kind=income,
        spending_by_kind=spending,
        family_aid_in=aid_in,
        family_aid_out=aid_out,
        closing_balance=closing,
        carried_over=closing if year < today.year else ZERO,
        spending_by_month=tuple(by_month),
    )

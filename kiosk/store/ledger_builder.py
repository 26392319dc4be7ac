"""Builds one person's ledger in Python, with a running balance that never goes negative.

The demo seeder uses it (few people, every detail chosen); the scale generator does the
same arithmetic in SQL. Events are added in any order and posted in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kiosk.domain import LedgerKind

ZERO = Decimal("0.00")
SPENDING = {
    LedgerKind.OUTPATIENT,
    LedgerKind.PHARMACY,
    LedgerKind.INPATIENT_SELF_PAY,
    LedgerKind.EXAM,
}


@dataclass
class Event:
    at: datetime
    kind: LedgerKind
    amount: Decimal  # signed; spending is capped at the balance (the rest is paid in cash)
    institution_id: int | None = None
    pooled: Decimal = ZERO
    quota_used: Decimal = ZERO
    counterpart_id: int | None = None
    reference: str | None = None


@dataclass
class PersonLedger:
    person_id: int
    opening: Decimal
    start: datetime
    events: list[Event] = field(default_factory=list)

    def add(self, event: Event) -> None:
        self.events.append(event)

    def rows(self) -> list[dict[str, Any]]:
        """Ledger rows in time order, with a carry-over row opening every year."""
        balance = self.opening
        rows: list[dict[str, Any]] = []
        events = sorted(self.events, key=lambda e: e.at)
        years = range(self.start.year, (events[-1].at.year if events else self.start.year) + 1)
        carry = [Event(datetime(y, 1, 1), LedgerKind.CARRYOVER, ZERO) for y in years]
        carry[0].at = min(self.start, events[0].at if events else self.start)
        merged = sorted([*carry, *events], key=lambda e: (e.at, e.kind != LedgerKind.CARRYOVER))
        for number, event in enumerate(merged, start=1):
            amount = event.amount
            if event.kind in SPENDING or event.kind is LedgerKind.FAMILY_AID_OUT:
                amount = -min(-amount, balance)
            balance += amount
            rows.append(
                {
                    "person_id": self.person_id,
                    "entry_no": number,
                    "posted_at": event.at,
                    "kind": event.kind.value,
                    "amount": amount,
                    "balance_after": balance,
                    "institution_id": event.institution_id,
                    "pooled_amount": event.pooled,
                    "quota_used": event.quota_used,
                    "counterpart_id": event.counterpart_id,
                    "reference": event.reference,
                }
            )
        return rows


def quota_rows(
    person_id: int, ledger: list[dict[str, Any]], limits: dict[int, Decimal]
) -> list[dict[str, Any]]:
    """One outpatient-quota row a year, `used` summed from the ledger."""
    used: dict[int, Decimal] = dict.fromkeys(limits, ZERO)
    for row in ledger:
        year = row["posted_at"].year
        if year in used:
            used[year] += row["quota_used"]
    return [
        {"person_id": person_id, "year": y, "quota_limit": limits[y], "used": used[y]}
        for y in sorted(limits)
    ]


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s month."""
    months = []
    index = first.year * 12 + first.month - 1
    end = last.year * 12 + last.month - 1
    while index <= end:
        months.append(date(index // 12, index % 12 + 1, 1))
        index += 1
    return months

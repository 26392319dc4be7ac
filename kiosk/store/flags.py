"""The rules of domain.md for charges that deserve a second look (防止盗刷).

Pure functions over a person's recent charges, so each rule is testable without a
database. A flag never accuses: the UI shows "please check this charge".
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from kiosk.domain import FlagReason, InstitutionKind, LedgerKind

LOOKBACK = timedelta(days=365)  # charges older than this are not analysed
TWO_CITIES_WINDOW = timedelta(hours=4)
DUPLICATE_WINDOW = timedelta(minutes=10)
NIGHT_STARTS_HOUR = 22  # pharmacy charges from 22:00 ...
NIGHT_ENDS_HOUR = 6  # ... to 06:00 are flagged
SPIKE_FACTOR = 5  # a pharmacy month above 5x the median month
SPIKE_MIN_MONTHS = 3  # the median needs at least this many months with pharmacy spending

CHARGE_KINDS = frozenset(
    {LedgerKind.OUTPATIENT, LedgerKind.PHARMACY, LedgerKind.INPATIENT_SELF_PAY, LedgerKind.EXAM}
)


@dataclass(frozen=True)
class Charge:
    """A visit or purchase at an institution (the personal account, the pool, or both paid)."""

    entry_no: int
    posted_at: datetime
    kind: LedgerKind
    amount: Decimal  # negative: paid from the personal account
    pooled_amount: Decimal
    institution_id: int
    institution_kind: InstitutionKind
    region_code: str


@dataclass(frozen=True)
class FilingCover:
    region_code: str
    valid_from: date
    valid_until: date | None

    def covers(self, region_code: str, day: date) -> bool:
        return (
            region_code == self.region_code
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class LostWindow:
    """From a card's lost/replaced report until the person's next card was issued."""

    start: datetime
    end: datetime | None

    def contains(self, moment: datetime) -> bool:
        return moment >= self.start and (self.end is None or moment < self.end)


def flag_charges(
    charges: Sequence[Charge],
    home_region: str,
    filings: Iterable[FilingCover] = (),
    lost: Iterable[LostWindow] = (),
) -> dict[int, tuple[FlagReason, ...]]:
    """entry_no -> the reasons it is flagged (only flagged entries appear)."""
    found: dict[int, set[FlagReason]] = defaultdict(set)
    ordered = sorted(charges, key=lambda c: (c.posted_at, c.entry_no))
    covers = list(filings)
    windows = list(lost)
    for charge in ordered:
        # Most people have no lost card and no filing: no generator for an empty list.
        if windows and any(w.contains(charge.posted_at) for w in windows):
            found[charge.entry_no].add(FlagReason.AFTER_CARD_LOST)
        if charge.region_code != home_region and not (
            covers and any(f.covers(charge.region_code, charge.posted_at.date()) for f in covers)
        ):
            found[charge.entry_no].add(FlagReason.REMOTE_WITHOUT_FILING)
        if charge.institution_kind is InstitutionKind.PHARMACY and _at_night(charge.posted_at):
            found[charge.entry_no].add(FlagReason.NIGHT_PHARMACY)
    _pairs(ordered, found)
    _pharmacy_spikes(ordered, found)
    return {entry: tuple(sorted(reasons)) for entry, reasons in found.items()}


def _at_night(moment: datetime) -> bool:
    return moment.hour >= NIGHT_STARTS_HOUR or moment.hour < NIGHT_ENDS_HOUR


def _pairs(ordered: Sequence[Charge], found: dict[int, set[FlagReason]]) -> None:
    """Two cities within hours (both flagged); the same charge twice (the second flagged)."""
    for i, later in enumerate(ordered):
        for j in range(i - 1, -1, -1):
            earlier = ordered[j]
            gap = later.posted_at - earlier.posted_at
            if gap > TWO_CITIES_WINDOW:
                break
            if earlier.region_code != later.region_code:
                found[earlier.entry_no].add(FlagReason.TWO_CITIES)
                found[later.entry_no].add(FlagReason.TWO_CITIES)
            if (
                gap <= DUPLICATE_WINDOW
                and earlier.institution_id == later.institution_id
                and earlier.amount == later.amount
                and earlier.pooled_amount == later.pooled_amount
            ):
                found[later.entry_no].add(FlagReason.DUPLICATE)


def _pharmacy_spikes(ordered: Sequence[Charge], found: dict[int, set[FlagReason]]) -> None:
    by_month: dict[tuple[int, int], list[Charge]] = defaultdict(list)
    for charge in ordered:
        if charge.institution_kind is InstitutionKind.PHARMACY and charge.amount < 0:
            by_month[(charge.posted_at.year, charge.posted_at.month)].append(charge)
    if len(by_month) < SPIKE_MIN_MONTHS:
        return
    totals = {
        month: -sum((c.amount for c in group), Decimal(0)) for month, group in by_month.items()
    }
    median = statistics.median(totals.values())
    for month, total in totals.items():
        if total > SPIKE_FACTOR * median:
            for charge in by_month[month]:
                found[charge.entry_no].add(FlagReason.PHARMACY_SPIKE)

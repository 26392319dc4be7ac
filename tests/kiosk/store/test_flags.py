"""Each second-look rule of domain.md, proven on its own (and its near misses)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from kiosk.domain import FlagReason, InstitutionKind, LedgerKind
from kiosk.store.flags import Charge, FilingCover, LostWindow, flag_charges

HOME = "320100"
T0 = datetime(2026, 10, 5, 10, 0)


def charge(
    number: int,
    at: datetime,
    *,
    amount: str = "-50.00",
    region: str = HOME,
    institution: int = 1,
    kind: InstitutionKind = InstitutionKind.CLINIC,
) -> Charge:
    ledger_kind = LedgerKind.PHARMACY if kind is InstitutionKind.PHARMACY else LedgerKind.OUTPATIENT
    return Charge(
        number, at, ledger_kind, Decimal(amount), Decimal("0.00"), institution, kind, region
    )


def test_plain_charges_are_not_flagged() -> None:
    charges = [charge(i, T0 + timedelta(days=i), institution=i) for i in range(1, 10)]
    assert flag_charges(charges, HOME) == {}


def test_charge_after_the_card_was_reported_lost() -> None:
    lost = LostWindow(T0, T0 + timedelta(days=5))
    charges = [
        charge(1, T0 - timedelta(minutes=1)),
        charge(2, T0 + timedelta(days=1), institution=2),
        charge(3, T0 + timedelta(days=5), institution=3),
    ]
    assert flag_charges(charges, HOME, lost=[lost]) == {2: (FlagReason.AFTER_CARD_LOST,)}
    still_lost = LostWindow(T0, None)
    assert set(flag_charges(charges, HOME, lost=[still_lost])) == {2, 3}


def test_two_cities_within_hours_flags_both() -> None:
    filing = FilingCover("440300", date(2026, 1, 1), None)
    near = [charge(1, T0), charge(2, T0 + timedelta(hours=3), region="440300", institution=2)]
    assert flag_charges(near, HOME, [filing]) == {
        1: (FlagReason.TWO_CITIES,),
        2: (FlagReason.TWO_CITIES,),
    }
    apart = [charge(1, T0), charge(2, T0 + timedelta(hours=5), region="440300", institution=2)]
    assert flag_charges(apart, HOME, [filing]) == {}


def test_remote_charge_needs_a_filing_covering_the_day() -> None:
    remote = [charge(1, T0, region="310100")]
    assert flag_charges(remote, HOME) == {1: (FlagReason.REMOTE_WITHOUT_FILING,)}
    covering = FilingCover("310100", date(2026, 9, 1), date(2026, 12, 31))
    assert flag_charges(remote, HOME, [covering]) == {}
    other_region = FilingCover("330100", date(2026, 9, 1), None)
    ended = FilingCover("310100", date(2025, 1, 1), date(2026, 10, 4))
    assert set(flag_charges(remote, HOME, [other_region, ended])) == {1}


def test_same_amount_same_place_within_minutes_flags_the_second() -> None:
    twice = [charge(1, T0), charge(2, T0 + timedelta(minutes=4))]
    assert flag_charges(twice, HOME) == {2: (FlagReason.DUPLICATE,)}
    later = [charge(1, T0), charge(2, T0 + timedelta(minutes=30))]
    assert flag_charges(later, HOME) == {}
    different = [charge(1, T0), charge(2, T0 + timedelta(minutes=4), amount="-51.00")]
    assert flag_charges(different, HOME) == {}
    elsewhere = [charge(1, T0), charge(2, T0 + timedelta(minutes=4), institution=9)]
    assert flag_charges(elsewhere, HOME) == {}


def test_pharmacy_at_night() -> None:
    pharmacy = InstitutionKind.PHARMACY
    at = [T0.replace(hour=h, minute=30) for h in (21, 22, 3, 5, 6)]
    charges = [
        charge(i, moment + timedelta(days=i), institution=i, kind=pharmacy)
        for i, moment in enumerate(at)
    ]
    assert flag_charges(charges, HOME) == {
        1: (FlagReason.NIGHT_PHARMACY,),
        2: (FlagReason.NIGHT_PHARMACY,),
        3: (FlagReason.NIGHT_PHARMACY,),
    }
    clinic = [charge(1, T0.replace(hour=23))]
    assert flag_charges(clinic, HOME) == {}


def test_pharmacy_month_far_above_the_median() -> None:
    pharmacy = InstitutionKind.PHARMACY
    months = [datetime(2026, m, 10, 11) for m in range(2, 8)]
    usual = [
        charge(m.month, m, amount="-60.00", institution=m.month, kind=pharmacy) for m in months
    ]
    spike = charge(99, datetime(2026, 8, 10, 11), amount="-310.00", institution=5, kind=pharmacy)
    assert flag_charges([*usual, spike], HOME) == {99: (FlagReason.PHARMACY_SPIKE,)}
    modest = charge(99, datetime(2026, 8, 10, 11), amount="-290.00", institution=5, kind=pharmacy)
    assert flag_charges([*usual, modest], HOME) == {}
    too_few = [*usual[:1], spike]  # two months are no baseline
    assert flag_charges(too_few, HOME) == {}

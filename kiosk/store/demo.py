"""The demo store: an account for every simulator card profile with a "store" block.

Several years of contributions or retiree allocations, visits at clinics, hospitals and
pharmacies, family mutual aid, remote-care filings, and a few planted charges that
deserve a second look, so every screen has something to show. Deterministic for a seed
and a `now`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import Connection

from kiosk.domain import LedgerKind, money
from kiosk.store import enrolment_seed
from kiosk.store.ledger_builder import Event, PersonLedger, month_starts, quota_rows
from kiosk.store.models import TABLES
from kiosk.store.reference import (
    CLINIC_SLOTS,
    HOSPITAL_SLOTS,
    PHARMACY_SLOTS,
    REGIONS,
    citizen_id,
    institution_id,
    institution_rows,
)
from kiosk.store.service_password import password_values

QUOTA_LIMITS = {"employee": Decimal("4000.00"), "retiree": Decimal("5000.00"),
                "resident": Decimal("1500.00")}  # fmt: skip
RELATIVES_FIRST_ID = 501  # demo relatives without a card profile


@dataclass(frozen=True)
class DemoPerson:
    person_id: int
    key: str
    name: str
    citizen_id: str
    sex: str
    birth_date: date
    insurance_type: str
    home_region: str


def load_store_profiles() -> list[dict[str, Any]]:
    """The card profiles that have an account in the store (their "store" block)."""
    text = (
        resources.files("card_reader.simulator")
        .joinpath("profiles", "demo.json")
        .read_text("utf-8")
    )
    return [p for p in json.loads(text)["profiles"] if p.get("store")]


def insert_reference(connection: Connection) -> None:
    connection.execute(
        TABLES["region"].insert(),
        [{"code": c, "name": n, "province": p} for c, n, p in REGIONS],
    )
    connection.execute(TABLES["institution"].insert(), institution_rows())
    # The certificate's units and average wages (kiosk/store/enrolment_seed.py).
    enrolment_seed.insert_reference(connection)


class _Plan:
    """Collects one demo person's rows."""

    def __init__(self, who: DemoPerson, now: datetime, years: int, rng: random.Random) -> None:
        self.who, self.now, self.rng = who, now, rng
        first = date(now.year - years + 1, 1, 1)
        self.months = month_starts(first, now.date())
        self.ledger = PersonLedger(
            who.person_id, money(rng.randint(3000, 9000)), datetime.combine(first, time())
        )
        self.contributions: list[dict[str, Any]] = []

    def at(self, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute))

    def monthly_income(self, base: Decimal, employer_share: bool) -> None:
        for month in self.months:
            arrived = self.at(month.replace(day=15), 2, 10)
            if arrived > self.now:
                break
            if self.who.insurance_type == "retiree":
                amount = money(base)
                self.ledger.add(Event(arrived, LedgerKind.RETIREE_ALLOCATION, amount))
                row = (ZERO, ZERO, ZERO, amount)
            elif self.who.insurance_type == "employee":
                employee, employer = money(base * Decimal("0.02")), money(base * Decimal("0.08"))
                share = money(base * Decimal("0.01")) if employer_share else ZERO
                self.ledger.add(Event(arrived, LedgerKind.CONTRIBUTION, employee))
                if share:
                    later = arrived + timedelta(minutes=5)
                    self.ledger.add(Event(later, LedgerKind.EMPLOYER_SHARE, share))
                row = (base, employee, employer, employee + share)
            else:
                if month.month != 1:
                    continue
                row = (ZERO, Decimal("380.00"), Decimal("670.00"), ZERO)  # resident premium
            self.contributions.append(
                dict(zip(("base", "employee", "employer", "to_personal_account"), row, strict=True))
                | {"person_id": self.who.person_id, "period": month, "arrived_at": arrived}
            )

    def visit(self, at: datetime, kind: LedgerKind, region: str, slot: int, cost: Decimal) -> None:
        """A visit or purchase; the pool pays part of an outpatient bill from the quota."""
        pooled = quota = ZERO
        if kind is LedgerKind.OUTPATIENT:
            pooled = quota = money(cost * Decimal("0.5"))
        elif kind is LedgerKind.INPATIENT_SELF_PAY:
            pooled = money(cost * Decimal("5.5"))
        own = ZERO if self.who.insurance_type == "resident" else cost - pooled
        if kind is LedgerKind.INPATIENT_SELF_PAY:
            own = cost
        self.ledger.add(
            Event(
                at,
                kind,
                -own,
                institution_id(region, slot),
                pooled,
                quota,
                reference=f"V{self.who.person_id:04d}{at:%y%m%d%H%M}",
            )
        )

    def routine_visits(self, per_month: float, regions: tuple[str, ...] = ()) -> None:
        """Everyday visits, in the home region unless `regions` are given, 08:00-19:59."""
        for month in self.months:
            for _ in range(self.rng.choices((0, 1, 2, 3), (1, 2, 1, per_month))[0]):
                day = month + timedelta(days=self.rng.randrange(28))
                at = self.at(day, self.rng.randint(8, 19), self.rng.randrange(60))
                if at >= self.now:
                    continue
                region = self.rng.choice(regions) if regions else self.who.home_region
                roll = self.rng.random()
                if roll < 0.45:
                    slot = self.rng.choice(PHARMACY_SLOTS)
                    self.visit(at, LedgerKind.PHARMACY, region, slot, self._cost(15, 180))
                elif roll < 0.9:
                    slot = self.rng.choice([*CLINIC_SLOTS, *HOSPITAL_SLOTS])
                    self.visit(at, LedgerKind.OUTPATIENT, region, slot, self._cost(30, 400))
                elif roll < 0.95:
                    slot = self.rng.choice(CLINIC_SLOTS)
                    self.visit(at, LedgerKind.EXAM, region, slot, self._cost(150, 400))
                elif self.who.insurance_type != "resident":
                    slot = self.rng.choice(HOSPITAL_SLOTS)
                    self.visit(
                        at, LedgerKind.INPATIENT_SELF_PAY, region, slot, self._cost(400, 2500)
                    )

    def _cost(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randrange(low * 100, high * 100)).scaleb(-2)


ZERO = Decimal("0.00")


def _demo_people(now: datetime) -> tuple[list[DemoPerson], list[dict[str, Any]]]:
    people, cards = [], []
    for number, profile in enumerate(load_store_profiles(), start=1):
        store = profile["store"]
        people.append(
            DemoPerson(
                number,
                profile["key"],
                profile["name"],
                profile["citizen_id"],
                profile["sex"],
                date.fromisoformat(profile["birth_date"]),
                store["insurance_type"],
                store["home_region"],
            )
        )
        issued = date.fromisoformat(profile["issue_date"])
        card = {
            "card_number": profile["card_number"],
            "person_id": number,
            "issued_on": issued,
            "expires_on": date.fromisoformat(profile["expiry_date"]),
            "status": store["card_status"],
            "status_changed_at": None,
            "replaced_by": store.get("replaced_by"),
        }
        if store["card_status"] in ("lost", "replaced"):
            card["status_changed_at"] = datetime.combine(now.date() - timedelta(days=40), time(9))
        cards.append(card)
        if store.get("replaced_by"):
            cards.append(
                card
                | {
                    "card_number": store["replaced_by"],
                    "issued_on": now.date() - timedelta(days=33),
                    "expires_on": now.date() - timedelta(days=33) + timedelta(days=3652),
                    "status": "active",
                    "status_changed_at": None,
                    "replaced_by": None,
                }
            )
    return people, cards


def _relatives(now: datetime) -> list[DemoPerson]:
    """People without a demo card, bound to demo people for family mutual aid."""
    specs = (
        ("zhang-xiaomei", "张晓梅", citizen_id("320102", date(1980, 4, 15), 2), "2",
         date(1980, 4, 15), "employee", "320100"),
        ("liu-fang", "刘芳", citizen_id("320105", date(1989, 11, 2), 4), "2",
         date(1989, 11, 2), "employee", "320100"),
        ("wang-yichen", "王一宸", citizen_id("320105", date(2015, 3, 9), 3), "1",
         date(2015, 3, 9), "resident", "320100"),
    )  # fmt: skip
    del now
    return [DemoPerson(RELATIVES_FIRST_ID + i, *spec) for i, spec in enumerate(specs)]


def demo_people_count() -> int:
    """How many people `seed_demo` inserts: one per card profile with an account, and the
    relatives bound to them."""
    return len(load_store_profiles()) + len(_relatives(datetime.now()))


def seed_demo(connection: Connection, now: datetime, seed: int = 1, years: int = 3) -> int:
    """Insert the demo people (the tables must be empty); returns how many."""
    people, cards = _demo_people(now)
    relatives = _relatives(now)
    everyone = people + relatives
    for rel_card, who in enumerate(relatives, start=1):
        cards.append(
            {
                "card_number": f"Z{who.home_region[:2]}0{rel_card:05d}",
                "person_id": who.person_id,
                "issued_on": date(2020, 6, 1),
                "expires_on": date(2030, 6, 1),
                "status": "active",
                "status_changed_at": None,
                "replaced_by": None,
            }
        )
    connection.execute(
        TABLES["person"].insert(),
        [
            {
                "id": p.person_id,
                "citizen_id": p.citizen_id,
                "name": p.name,
                "sex": p.sex,
                "birth_date": p.birth_date,
                "insurance_type": p.insurance_type,
                "home_region": p.home_region,
            }
            for p in everyone
        ],
    )
    connection.execute(TABLES["card"].insert(), cards)
    rngs = {p.key: random.Random(f"{seed}:{p.key}") for p in everyone}  # noqa: S311 (test data)
    plans = {p.key: _Plan(p, now, years, rngs[p.key]) for p in everyone}
    _story(plans, now, connection)
    for plan in plans.values():
        _write(connection, plan, now)
    _demo_service_passwords(connection, everyone, now)
    # Every demo person's enrolment, derived as the scale generator's (enrolment_seed.py).
    first = min(p.person_id for p in everyone)
    last = max(p.person_id for p in everyone)
    enrolment_seed.insert_enrolments(connection, date(now.year - years + 1, 1, 1), first, last)
    return len(everyone)


# Every demo person's service password (服务密码, issue 17), as README's demo PINs are.
DEMO_SERVICE_PASSWORD = "135790"  # noqa: S105 (the demo's, printed in README)


@functools.cache
def _demo_password_values(key: str) -> tuple[tuple[str, object], ...]:
    # A salt of the person's own, fixed so the scrypt work is done once per process
    # (every test store seeds the demo people); only the demo has fixed salts.
    salt = hashlib.sha256(f"sscard-demo-salt:{key}".encode()).digest()[:16]
    return tuple(password_values(DEMO_SERVICE_PASSWORD.encode("ascii"), salt).items())


def _demo_service_passwords(
    connection: Connection, everyone: list[DemoPerson], now: datetime
) -> None:
    connection.execute(
        TABLES["service_password"].insert(),
        [
            {"person_id": p.person_id, "set_at": now, **dict(_demo_password_values(p.key))}
            for p in everyone
        ],
    )


def _story(plans: dict[str, _Plan], now: datetime, connection: Connection) -> None:
    """Each demo person's life, with the planted charges that deserve a second look."""
    ids = {key: plan.who.person_id for key, plan in plans.items()}
    recent = now.date() - timedelta(days=20)
    zhang = plans["zhang-wei"]
    zhang.monthly_income(Decimal("268.40"), employer_share=False)
    zhang.routine_visits(3)
    zhang.visit(zhang.at(recent, 23, 41), LedgerKind.PHARMACY, "320100", 27, Decimal("86.50"))
    dup = zhang.at(recent - timedelta(days=6), 10, 12)
    for minutes in (0, 3):
        at = dup + timedelta(minutes=minutes)
        zhang.visit(at, LedgerKind.OUTPATIENT, "320100", 12, Decimal("168.00"))
    wang = plans["wang-zhe"]
    wang.monthly_income(Decimal("12500.00"), employer_share=True)
    wang.routine_visits(1)
    morning = wang.at(recent - timedelta(days=3), 9, 10)
    wang.visit(morning, LedgerKind.OUTPATIENT, "320100", 3, Decimal("236.00"))
    wang.visit(morning + timedelta(hours=2, minutes=25), LedgerKind.PHARMACY, "440300", 30,
               Decimal("412.80"))  # fmt: skip
    wang.visit(wang.at(recent - timedelta(days=50), 15, 5), LedgerKind.OUTPATIENT, "310100", 4,
               Decimal("320.00"))  # fmt: skip
    li = plans["li-kun"]
    li.ledger.opening = Decimal("16000.00")  # enough that the spike is paid in full
    li.monthly_income(Decimal("7800.00"), employer_share=False)
    li.routine_visits(1)
    li.visit(li.at(recent - timedelta(days=9), 14, 30), LedgerKind.OUTPATIENT, "330100", 2,
             Decimal("198.00"))  # fmt: skip
    # A pharmacy month far above the usual for 李堃.
    for day in (2, 5, 9):
        li.visit(li.at(recent - timedelta(days=day), 16, 0), LedgerKind.PHARMACY, "360400", 28,
                 Decimal("690.00"))  # fmt: skip
    for key, base in (("blocked-pin", "9800.00"), ("expired", "310.00"),
                      ("lost-card", "15000.00"), ("replaced-card", "11000.00")):  # fmt: skip
        plan = plans[key]
        plan.monthly_income(Decimal(base), employer_share=key == "replaced-card")
        plan.routine_visits(1)
    long_name = plans["long-name"]
    long_name.monthly_income(ZERO, employer_share=False)
    long_name.routine_visits(1)
    lost_at = now.date() - timedelta(days=40)
    for key, slot in (("lost-card", 33), ("replaced-card", 26)):
        plan = plans[key]
        plan.visit(plan.at(lost_at + timedelta(days=2), 20, 15), LedgerKind.PHARMACY,
                   plan.who.home_region, slot, Decimal("358.00"))  # fmt: skip
    for key, base in (("zhang-xiaomei", "9000.00"), ("liu-fang", "8200.00"),
                      ("wang-yichen", "0")):  # fmt: skip
        plans[key].monthly_income(Decimal(base), employer_share=False)
        plans[key].routine_visits(0.5)
    bindings = [
        (ids["zhang-xiaomei"], ids["zhang-wei"], "parent", date(now.year - 2, 3, 1)),
        (ids["wang-zhe"], ids["liu-fang"], "spouse", date(now.year - 2, 9, 1)),
        (ids["wang-zhe"], ids["wang-yichen"], "child", date(now.year - 2, 9, 1)),
    ]
    connection.execute(
        TABLES["family_binding"].insert(),
        [dict(zip(("payer_id", "beneficiary_id", "relation", "since"), b, strict=True))
         for b in bindings],
    )  # fmt: skip
    by_id = {plan.who.person_id: plan for plan in plans.values()}
    for payer, beneficiary, _relation, since in bindings:
        for month in by_id[payer].months[::2]:
            at = by_id[payer].at(month.replace(day=21), 10, 30)
            if at.date() < since or at > now:
                continue
            amount = Decimal(by_id[payer].rng.randrange(8000, 40000)).scaleb(-2)
            reference = f"F{payer:04d}{beneficiary:04d}{at:%y%m}"
            by_id[payer].ledger.add(Event(at, LedgerKind.FAMILY_AID_OUT, -amount, None, ZERO,
                                          ZERO, beneficiary, reference))  # fmt: skip
            by_id[beneficiary].ledger.add(Event(at, LedgerKind.FAMILY_AID_IN, amount, None, ZERO,
                                                ZERO, payer, reference))  # fmt: skip
    filings = [
        (ids["wang-zhe"], "temporary", "310100", now.date() - timedelta(days=60),
         now.date() + timedelta(days=120), "active"),
        (ids["li-kun"], "long_term", "360100", date(now.year - 2, 5, 1),
         date(now.year - 1, 4, 30), "expired"),
        (ids["zhang-wei"], "referral", "310100", date(now.year - 1, 10, 8),
         date(now.year - 1, 12, 31), "expired"),
    ]  # fmt: skip
    keys = ("person_id", "filing_type", "region_code", "valid_from", "valid_until", "status")
    connection.execute(
        TABLES["remote_filing"].insert(),
        [{"id": i, **dict(zip(keys, f, strict=True))} for i, f in enumerate(filings, start=1)],
    )
    # A refund and a correction, so those kinds appear too.
    zhang.ledger.add(Event(zhang.at(recent - timedelta(days=5), 9, 0), LedgerKind.REFUND,
                           Decimal("168.00"), None, reference="R-DUP-0001"))  # fmt: skip
    wang.ledger.add(Event(wang.at(recent - timedelta(days=30), 11, 0), LedgerKind.CORRECTION,
                          Decimal("-12.50"), None, reference="C-ADJ-0001"))  # fmt: skip


def _write(connection: Connection, plan: _Plan, now: datetime) -> None:
    rows = plan.ledger.rows()
    who = plan.who
    connection.execute(TABLES["ledger_entry"].insert(), rows)
    connection.execute(
        TABLES["account"].insert(),
        [{"person_id": who.person_id, "balance": rows[-1]["balance_after"], "frozen": False,
          "updated_at": now.replace(microsecond=0)}],
    )  # fmt: skip
    limits = {m.year: QUOTA_LIMITS[who.insurance_type] for m in plan.months}
    connection.execute(TABLES["outpatient_quota"].insert(), quota_rows(who.person_id, rows, limits))
    if plan.contributions:
        connection.execute(TABLES["contribution"].insert(), plan.contributions)


__all__ = [
    "citizen_id",
    "demo_people_count",
    "insert_reference",
    "load_store_profiles",
    "seed_demo",
]

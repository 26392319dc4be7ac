"""What the insurance certificate reads: the enrolment, the months contributed, the latest base.

On SQLite these statements run through the screen's connection (kiosk.services runs them
as it runs reads.py's); on the fleet store `kiosk_api.certificate_data` (migration 0006)
runs the same statements behind the gate and returns their rows in one call.

Months contributed: a month counts when someone paid into the scheme for it (employee or
employer part above zero); a retiree's allocation is money out of the scheme, not a
contribution. A resident's yearly premium (one row, in January) covers the year's twelve
months. The total adds the months from before the contribution table's records, kept on
the enrolment (months_before_records).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, and_, bindparam, case, func, select, text

from kiosk.store.bundle import parse
from kiosk.store.models import TABLES
from kiosk.store.reads import Holder, resolve

_enrolment, _unit = TABLES["enrolment"], TABLES["employer_unit"]
_contribution, _person = TABLES["contribution"], TABLES["person"]
_wage = TABLES["average_wage"]

ENROLMENT = (
    select(
        _enrolment.c.started_on,
        _enrolment.c.status,
        _enrolment.c.months_before_records,
        _unit.c.name.label("unit_name"),
        _unit.c.credit_code.label("unit_code"),
    )
    .select_from(_enrolment)
    .outerjoin(_unit, _unit.c.id == _enrolment.c.unit_id)
    .where(_enrolment.c.person_id == bindparam("person_id"))
)
_counted = (_contribution.c.employee + _contribution.c.employer) > 0
_row_months = case((_person.c.insurance_type == "resident", 12), else_=1)
_in_year = and_(
    _contribution.c.period >= bindparam("year_start"),
    _contribution.c.period < bindparam("year_stop"),
)
MONTHS = (
    select(
        func.coalesce(func.sum(case((_counted, _row_months), else_=0)), 0).label("on_record"),
        func.coalesce(func.sum(case((and_(_counted, _in_year), _row_months), else_=0)), 0).label(
            "this_year"
        ),
    )
    .select_from(_contribution)
    .join(_person, _person.c.id == _contribution.c.person_id)
    .where(_contribution.c.person_id == bindparam("person_id"))
)
LATEST_BASE = (
    select(_contribution.c.period, _contribution.c.base)
    .where(_contribution.c.person_id == bindparam("person_id"), _contribution.c.base > 0)
    .order_by(_contribution.c.period.desc())
    .limit(1)
)
AVERAGE_WAGE = (
    select(_wage.c.monthly)
    .where(_wage.c.region_code == bindparam("region"), _wage.c.year <= bindparam("year"))
    .order_by(_wage.c.year.desc())
    .limit(1)
)
FLEET_SQL = (
    "SELECT kiosk_api.certificate_data(CAST(:card AS text), CAST(:citizen AS text),"
    " CAST(:year AS int), CAST(:region AS text))::text"
)
REGION_NAME = select(TABLES["region"].c.name).where(TABLES["region"].c.code == bindparam("code"))


@dataclass(frozen=True)
class EnrolmentFacts:
    """The certificate's facts as the store holds them (kiosk.certificates words them)."""

    started_on: date | None
    status: str  # kiosk.domain.EnrolmentStatus's values; "" without an enrolment row
    unit_name: str
    unit_code: str
    months_this_year: int
    months_total: int
    latest_base: Decimal | None
    average_wage: Decimal | None  # of the home region, in the latest base's year
    region_name: str = ""


def table_facts(
    connection: Connection, holder: Holder, now: datetime, region: str
) -> EnrolmentFacts:
    """The facts through a SQLite (or admin) connection, in the caller's transaction."""
    person = {"person_id": holder.person_id}
    enrolment = connection.execute(ENROLMENT, person).first()
    year = {"year_start": date(now.year, 1, 1), "year_stop": date(now.year + 1, 1, 1)}
    months = connection.execute(MONTHS, person | year).first()
    base = connection.execute(LATEST_BASE, person).first()
    wage = None
    if base is not None:
        wage = connection.execute(
            AVERAGE_WAGE, {"region": holder.home_region, "year": base.period.year}
        ).scalar()
    region_name = connection.execute(REGION_NAME, {"code": region}).scalar() if region else ""
    return _facts(
        enrolment._asdict() if enrolment is not None else None,
        months._asdict() if months is not None else {},
        base.base if base is not None else None,
        _decimal(wage),
        str(region_name or ""),
    )


def fleet_facts(
    connection: Connection, card_number: str, citizen_id: str | None, now: datetime, region: str
) -> tuple[Holder, EnrolmentFacts]:
    """The holder and facts through kiosk_api.certificate_data: one gated, audited call."""
    answer = connection.execute(
        text(FLEET_SQL),
        {"card": card_number, "citizen": citizen_id, "year": now.year, "region": region or None},
    ).scalar_one()
    document: dict[str, Any] = json.loads(answer, parse_float=Decimal)
    bundle = parse(document)  # a refusal raises as on every screen
    holder = resolve(cast("Connection", bundle), card_number, now)
    enrolment = document.get("enrolment") or [None]
    months = (document.get("months") or [{}])[0]
    base = (document.get("base") or [None])[0]
    names = document.get("region_name") or [{}]
    row = enrolment[0]
    if row is not None:
        row = dict(row) | {"started_on": date.fromisoformat(str(row["started_on"])[:10])}
    facts = _facts(
        row,
        months,
        _decimal(base["base"]) if base else None,
        _decimal(base.get("average_wage")) if base else None,
        str(names[0].get("name") or ""),
    )
    return holder, facts


def _facts(
    enrolment: dict[str, Any] | None,
    months: dict[str, Any],
    base: Decimal | None,
    wage: Decimal | None,
    region_name: str,
) -> EnrolmentFacts:
    before = int(enrolment["months_before_records"]) if enrolment else 0
    return EnrolmentFacts(
        started_on=enrolment["started_on"] if enrolment else None,
        status=str(enrolment["status"]) if enrolment else "",
        unit_name=str(enrolment.get("unit_name") or "") if enrolment else "",
        unit_code=str(enrolment.get("unit_code") or "") if enrolment else "",
        months_this_year=int(months.get("this_year") or 0),
        months_total=before + int(months.get("on_record") or 0),
        latest_base=base,
        average_wage=wage,
        region_name=region_name,
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))

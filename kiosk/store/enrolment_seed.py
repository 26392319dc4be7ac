"""Demo and scale data for the certificate: units, average wages, an enrolment per person.

Reference rows (a few units per city, each city's average monthly wage of the years
WAGE_YEARS) are made in Python; the enrolments by one INSERT ... SELECT over a range
of persons, the same arithmetic on SQLite and PostgreSQL, so a million people take one
statement, as the ledger does (kiosk/store/scale_sql.py).

What the rows say, derived from what the store already holds about a person:
- employees start working at 22 to 27 (by person id), retirees did too; residents are
  enrolled from birth, or from 2008 when the resident scheme began for them. Nobody's start
  is after the first month of the contribution records.
- months_before_records: employees, every month from the start to the records; retirees,
  those months up to their 60th birthday; residents, twelve for each year's premium.
- status: retirees `retired`, everyone else `contributing`; employees have a unit of their
  home city (retirees and residents none).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from kiosk.domain import money
from kiosk.store.models import TABLES
from kiosk.store.reference import REGIONS

UNITS_PER_REGION = 6
WAGE_YEARS = range(2000, 2041)
ANCHOR_YEAR = 2026
RESIDENT_SCHEME_YEAR = 2008
_UNIT_NAMES = (
    "恒通科技有限公司",
    "安和物流有限公司",
    "长青建设集团有限公司",
    "明德教育咨询有限公司",
    "华信电子股份有限公司",
    "康宁医药连锁有限公司",
)


def unit_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, (code, name, _province) in enumerate(REGIONS):
        city = name.removesuffix("市")
        for slot, stem in enumerate(_UNIT_NAMES[:UNITS_PER_REGION]):
            unit_id = index * UNITS_PER_REGION + slot + 1
            rows.append(
                {
                    "id": unit_id,
                    "credit_code": f"91{code}MA1{unit_id:06d}X",
                    "name": f"{city}{stem}",
                    "region_code": code,
                }
            )
    return rows


def wage_rows() -> list[dict[str, object]]:
    """Each city's average monthly wage, 7,000-11,800 in ANCHOR_YEAR, about 6 % a year more
    each year (fixed years, so a store seeded for any `now` in them has its wages)."""
    rows: list[dict[str, object]] = []
    for index, (code, _name, _province) in enumerate(REGIONS):
        anchor = Decimal(7000 + (index * 1637) % 4800)
        for year in WAGE_YEARS:
            rows.append(
                {
                    "region_code": code,
                    "year": year,
                    "monthly": money(anchor * Decimal("1.06") ** (year - ANCHOR_YEAR)),
                }
            )
    return rows


def insert_reference(connection: Connection) -> None:
    connection.execute(TABLES["employer_unit"].insert(), unit_rows())
    connection.execute(TABLES["average_wage"].insert(), wage_rows())


def insert_enrolments(
    connection: Connection, records_start: date, first_id: int, last_id: int
) -> int:
    """An enrolment for every person with first_id <= id <= last_id; returns how many."""
    sql = enrolment_sql(connection.dialect.name, records_start, first_id, last_id)
    if connection.dialect.name == "postgresql":
        sql = sql.replace("%", "%%")
    return int(connection.exec_driver_sql(sql).rowcount)


def enrolment_sql(dialect: str, records_start: date, first_id: int, last_id: int) -> str:
    sqlite = dialect == "sqlite"
    birth_year = (
        "CAST(strftime('%Y', p.birth_date) AS INTEGER)"
        if sqlite
        else "extract(year FROM p.birth_date)::int"
    )
    ry, rm = records_start.year, records_start.month
    scheme = RESIDENT_SCHEME_YEAR
    resident_from = f"CASE WHEN {birth_year} > {scheme} THEN {birth_year} ELSE {scheme} END"
    wanted_year = (
        f"CASE WHEN p.insurance_type = 'resident' THEN {resident_from}"
        f" ELSE {birth_year} + 22 + p.id % 6 END"
    )
    wanted_month = "CASE WHEN p.insurance_type = 'resident' THEN 1 ELSE 1 + (p.id * 7) % 12 END"
    wanted = f"(({wanted_year}) * 12 + ({wanted_month}) - 1)"
    start = f"CASE WHEN {wanted} < {ry * 12 + rm - 1} THEN {wanted} ELSE {ry * 12 + rm - 1} END"
    started_on = (
        "printf('%04d-%02d-01', s.start / 12, s.start % 12 + 1)"
        if sqlite
        else "make_date((s.start / 12)::int, (s.start % 12 + 1)::int, 1)"
    )
    # Januaries before the records (a resident's premium is paid in January).
    first_january = ry * 12 if rm == 1 else (ry + 1) * 12
    retire = f"(({birth_year}) + 60) * 12"
    before = (
        f"CASE WHEN s.kind = 'resident' THEN 12 * (({first_january} - s.start + 11) / 12)"
        f" WHEN s.kind = 'retiree' THEN (CASE WHEN s.retire < {ry * 12 + rm - 1}"
        f" THEN s.retire ELSE {ry * 12 + rm - 1} END) - s.start"
        f" ELSE {ry * 12 + rm - 1} - s.start END"
    )
    return f"""
INSERT INTO enrolment (person_id, started_on, status, unit_id, months_before_records)
SELECT s.id, {started_on},
    CASE WHEN s.kind = 'retiree' THEN 'retired' ELSE 'contributing' END,
    CASE WHEN s.kind = 'employee' THEN s.first_unit + s.id % {UNITS_PER_REGION} END,
    CASE WHEN ({before}) > 0 THEN ({before}) ELSE 0 END
FROM (
    SELECT p.id, p.insurance_type AS kind, {start} AS start, {retire} AS retire,
        u.first_unit
    FROM person p
    LEFT JOIN (SELECT region_code, min(id) AS first_unit FROM employer_unit
               GROUP BY region_code) u ON u.region_code = p.home_region
    WHERE p.id BETWEEN {first_id} AND {last_id}
) s
ORDER BY s.id
"""  # noqa: S608 (numbers and fixed SQL only)

"""Remote-care filing requests (异地就医备案) made at a kiosk, on both stores.

A request is a remote_filing row with status 'pending' (so the filings screen lists it as
pending, and it covers no charge) and a filing_request row saying where and when it was
asked for. The destinations are the region table's cities by province: picked, never typed,
and a code the table does not hold is refused. The fleet store does the same in
kiosk_api.request_filing (migration 0007), behind the gate.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from kiosk.domain import City, FilingRequest, FilingType, Province
from kiosk.store.errors import CardNotActive, CardRefusal, FilingRefused, StoreUnavailable
from kiosk.store.models import TABLES

MAX_FILING_DAYS = 365
MAX_FILING_LEAD_DAYS = 90  # a request starts today or within this many days

_REGION = TABLES["region"]
_FILING = TABLES["remote_filing"]
_REQUEST = TABLES["filing_request"]
_PERSON = TABLES["person"]


def check_request(kind: str, start: date, days: int, today: date) -> FilingType:
    """The request's own bounds, before any store is asked; FilingRefused says which."""
    try:
        chosen = FilingType(kind)
    except ValueError:
        raise FilingRefused("kind") from None
    if not 1 <= days <= MAX_FILING_DAYS:
        raise FilingRefused("days")
    if not today <= start <= today + timedelta(days=MAX_FILING_LEAD_DAYS):
        raise FilingRefused("start")
    return chosen


def destinations(connection: Connection) -> tuple[Province, ...]:
    """Every province the region table lists, each with its cities, by name and code."""
    cities: dict[str, list[City]] = defaultdict(list)
    rows = connection.execute(select(_REGION).order_by(_REGION.c.province, _REGION.c.code))
    for row in rows:
        cities[row.province].append(City(row.code, row.name))
    return tuple(Province(name, tuple(found)) for name, found in sorted(cities.items()))


def request(
    connection: Connection,
    *,
    person_id: int,
    kind: str,
    region_code: str,
    start: date,
    days: int,
    kiosk_id: str,
    now: datetime,
) -> FilingRequest:
    """Store a pending filing for the person (whose card the caller has checked)."""
    chosen = check_request(kind, start, days, now.date())
    region = connection.execute(select(_REGION).where(_REGION.c.code == region_code)).first()
    if region is None:
        raise FilingRefused("region")
    home = connection.execute(
        select(_PERSON.c.home_region).where(_PERSON.c.id == person_id)
    ).scalar_one()
    if region.code == home:
        raise FilingRefused("home_region")
    filing_id = (
        int(connection.execute(select(func.coalesce(func.max(_FILING.c.id), 0))).scalar_one()) + 1
    )
    until = start + timedelta(days=days - 1)
    connection.execute(
        insert(_FILING).values(
            id=filing_id, person_id=person_id, filing_type=chosen.value,
            region_code=region.code, valid_from=start, valid_until=until, status="pending",
        )
    )  # fmt: skip
    number = connection.execute(
        insert(_REQUEST)
        .values(remote_filing_id=filing_id, kiosk_id=kiosk_id, requested_at=now, days=days)
        .returning(_REQUEST.c.id)
    ).scalar_one()
    return FilingRequest(
        int(number), chosen, region.code, region.name, region.province, start, until, now
    )


# -- the fleet store ------------------------------------------------------------------------

DESTINATIONS_SQL = "SELECT kiosk_api.filing_destinations()::text"
REQUEST_SQL = (
    "SELECT kiosk_api.request_filing(CAST(:card AS text), CAST(:citizen AS text),"
    " CAST(:kind AS text), CAST(:region AS text), CAST(:start AS date), CAST(:days AS int))::text"
)
_GATE_REFUSALS = {r.value: r for r in CardRefusal}


def destinations_on_fleet(connection: Connection) -> tuple[Province, ...]:
    found = json.loads(str(connection.execute(text(DESTINATIONS_SQL)).scalar()))
    return tuple(
        Province(p["province"], tuple(City(c["code"], c["name"]) for c in p["cities"]))
        for p in found
    )


def request_on_fleet(
    connection: Connection,
    *,
    card_number: str,
    citizen_id: str,
    kind: str,
    region_code: str,
    start: date,
    days: int,
    today: date,
) -> FilingRequest:
    chosen = check_request(kind, start, days, today)
    values = {"card": card_number, "citizen": citizen_id, "kind": chosen.value,
              "region": region_code, "start": start, "days": days}  # fmt: skip
    found: dict[str, Any] = json.loads(str(connection.execute(text(REQUEST_SQL), values).scalar()))
    refused = found.get("refused")
    if refused in ("region", "home_region"):
        raise FilingRefused(str(refused))
    if refused == "ceiling":
        raise StoreUnavailable("the store refuses this kiosk: over its cards-per-hour ceiling")
    if refused == "unopened":
        raise StoreUnavailable("filing refused: the card was not opened by card_status first")
    if refused is not None:
        raise CardNotActive(_GATE_REFUSALS.get(str(refused), CardRefusal.UNKNOWN))
    return FilingRequest(
        request_no=int(found["request_no"]),
        filing_type=chosen,
        region_code=region_code,
        region_name=str(found["region_name"]),
        province=str(found["province"]),
        valid_from=date.fromisoformat(str(found["valid_from"])),
        valid_until=date.fromisoformat(str(found["valid_until"])),
        requested_at=datetime.fromisoformat(str(found["requested_at"])),
    )

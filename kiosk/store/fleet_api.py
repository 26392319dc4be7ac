"""The kiosk's side of the fleet store's `kiosk_api` functions (migration 0004).

A kiosk logged in with a kiosk role (a member of `sscard_kiosk`) may not read or write any
table: every screen is one call of its function, which checks the card number against the
citizen ID the chip proved, audits itself with the server's time, and returns the screen's
rows (kiosk.store.bundle). Audit rows only the kiosk sees (a print, a wrong PIN) and the
heartbeat go through `record` and `heartbeat`. Each call runs in its own READ COMMITTED
transaction and is committed: the server's audit row is part of the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from kiosk.store.bundle import Bundle, parse
from kiosk.store.errors import CardNotActive, CardRefusal, StoreUnavailable

KIOSK_GROUP = "sscard_kiosk"
_STATUS_REFUSALS = {
    "lost": CardRefusal.LOST,
    "replaced": CardRefusal.REPLACED,
    "suspended": CardRefusal.SUSPENDED,
    "cancelled": CardRefusal.CANCELLED,
    "expired": CardRefusal.EXPIRED,
    "unknown": CardRefusal.UNKNOWN,
    "reported_lost": CardRefusal.REPORTED_LOST,  # migration 0007
}
# Each screen's function and its parameters after (card_number, citizen_id), in order.
SCREENS: Mapping[str, tuple[str, ...]] = {
    "overview": ("year", "region_code"),
    "history_page": ("kind", "since", "page_limit", "page_offset"),
    "contributions": ("since",),
    "annual_statement": ("start", "stop"),
    "family_aid": ("since",),
    "filings": (),
    "charges_to_check": ("since",),
    "receipt_data": ("since", "entries", "region_code"),
}
_CASTS = {"since": "timestamp", "start": "timestamp", "stop": "timestamp", "kind": "text",
          "region_code": "text", "year": "int", "page_limit": "int", "page_offset": "int",
          "entries": "int"}  # fmt: skip
_CONTRIBUTIONS_SINCE = "date"
CARD_STATUS_SQL = "SELECT kiosk_api.card_status(:card)"
RECORD_SQL = "SELECT kiosk_api.record(:action, :outcome, :card, :at, :key)"


def is_kiosk_role(connection: Connection) -> bool:
    """True when this connection's login role is a kiosk's on a store with kiosk_api."""
    if connection.dialect.name != "postgresql":
        return False
    # A direct member (grant_kiosk_role makes one): pg_has_role would say yes for any
    # superuser too, and an admin's tools read the tables.
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_auth_members m"
                " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
                " WHERE g.rolname = :group AND u.rolname = session_user)"
            ),
            {"group": KIOSK_GROUP},
        ).scalar_one()
    )


def card_status(connection: Connection, card_number: str) -> None:
    """CardNotActive unless the card is active (the server audits the question)."""
    status = connection.execute(text(CARD_STATUS_SQL), {"card": card_number}).scalar_one()
    if status == "active":
        return
    if status == "ceiling":
        raise StoreUnavailable("the store refuses this kiosk: over its cards-per-hour ceiling")
    raise CardNotActive(_STATUS_REFUSALS.get(str(status), CardRefusal.CANCELLED))


def screen(
    connection: Connection,
    name: str,
    card_number: str,
    citizen_id: str | None,
    arguments: Mapping[str, Any],
) -> Bundle:
    """One screen's rows in one round trip; refusals raise as `bundle.parse` says."""
    values = {"card": card_number, "citizen": citizen_id}
    values |= {parameter: arguments[parameter] for parameter in SCREENS[name]}
    return parse(connection.execute(text(screen_sql(name)), values).scalar_one())


def screen_sql(name: str) -> str:
    """The one statement of screen `name`, its parameters :card, :citizen and SCREENS'."""
    placeholders = ["CAST(:card AS text)", "CAST(:citizen AS text)"]
    for parameter in SCREENS[name]:
        cast = _CONTRIBUTIONS_SINCE if (name, parameter) == ("contributions", "since") else None
        placeholders.append(f"CAST(:{parameter} AS {cast or _CASTS[parameter]})")
    return f"SELECT kiosk_api.{name}({', '.join(placeholders)})::text"


def record(
    connection: Connection,
    action: str,
    *,
    outcome: str,
    card_number: str | None,
    kiosk_at: datetime,
    event_key: str,
) -> None:
    """An audit row only the kiosk saw; idempotent by `event_key` (the outbox retries)."""
    connection.execute(
        text(RECORD_SQL),
        {"action": action, "outcome": outcome, "card": card_number, "at": kiosk_at,
         "key": event_key},
    )  # fmt: skip


def heartbeat(connection: Connection, values: Mapping[str, Any]) -> None:
    connection.execute(
        text(
            "SELECT kiosk_api.heartbeat(:reader_state, :printer_state, :paper_left_mm,"
            " :last_error, :version, :alerts)"
        ),
        dict(values),
    )

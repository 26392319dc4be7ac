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
from sqlalchemy.exc import DBAPIError

from kiosk.store.bundle import Bundle, parse
from kiosk.store.engine import server_words
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
_CARD_STATUS_DRIVER_SQL = "SELECT kiosk_api.card_status(CAST(%s AS text))"
RECORD_SQL = "SELECT kiosk_api.record(:action, :outcome, :card, :at, :key)"


def is_kiosk_role(connection: Connection) -> bool:
    """True when this connection's login role is a kiosk's on a store with kiosk_api."""
    from kiosk.store.pool_calls import identity_of

    if connection.dialect.name != "postgresql":
        return False
    if identity_of(connection) is not None:
        return True  # the shared pool's login is no kiosk's; every call proves the kiosk
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
    status = _driver_call(connection, _CARD_STATUS_DRIVER_SQL, (card_number,))
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
    values = (card_number, citizen_id, *(arguments[parameter] for parameter in SCREENS[name]))
    return parse(_driver_call(connection, _driver_sql(name), values))


def screen_sql(name: str) -> str:
    """The one statement of screen `name`, its parameters :card, :citizen and SCREENS'."""
    placeholders = ["CAST(:card AS text)", "CAST(:citizen AS text)"]
    for parameter in SCREENS[name]:
        cast = _CONTRIBUTIONS_SINCE if (name, parameter) == ("contributions", "since") else None
        placeholders.append(f"CAST(:{parameter} AS {cast or _CASTS[parameter]})")
    return f"SELECT kiosk_api.{name}({', '.join(placeholders)})::text"


def _driver_sql(name: str) -> str:
    """screen_sql with the driver's positional placeholders, in the order of its values."""
    found = _DRIVER_SQL.get(name)
    if found is None:
        found = screen_sql(name)
        for parameter in ("card", "citizen", *SCREENS[name]):
            found = found.replace(f"CAST(:{parameter} AS", "CAST(%s AS", 1)
        _DRIVER_SQL[name] = found
    return found


_DRIVER_SQL: dict[str, str] = {}


def _driver_call(connection: Connection, sql: str, values: tuple[Any, ...]) -> Any:
    """One kiosk_api call straight on psycopg, its one value back.

    A screen's call is one statement whose answer is one text: SQLAlchemy's statement and
    result machinery cost more CPU than that (about 0.35 ms a call measured here, against
    0.1 ms for the driver's execute and fetch). Its errors come back as SQLAlchemy's would,
    worded without the values they quote and marking a dead connection invalidated, so
    AccountService handles them the same (one retry on a fresh connection, else
    StoreUnavailable).
    """
    import psycopg

    if not connection.in_transaction():
        # As SQLAlchemy's autobegin would: the caller's commit() must reach the driver.
        connection.begin()
    from kiosk.store.pool_calls import positional

    driver: Any = connection.connection.driver_connection
    sql, values = positional(sql, values, connection)
    try:
        with driver.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
    except psycopg.Error as error:
        server_words(error)
        lost = bool(driver.broken or driver.closed)
        if lost:
            connection.invalidate()
        raise DBAPIError.instance(
            sql, None, error, psycopg.Error, hide_parameters=True, connection_invalidated=lost
        ) from None
    return row[0]


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

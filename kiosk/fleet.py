"""The fleet as its heartbeats tell it: which kiosks are stale, which are unhealthy, and why.

Each kiosk upserts one `kiosk_heartbeat` row a minute (AccountService.record_heartbeat).
A kiosk is STALE when that row is older than `stale_after` (it is off, frozen or cut off
from the store), UNHEALTHY when it reports a reader, printer or paper problem or an alert
of its own watch (a stalled part, a card left behind, audit rows held in memory), and OK
otherwise. `fleet_report` lists stale kiosks first, then unhealthy ones, each group by
kiosk id, so the kiosks that need someone are at the top of the table.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from printing.paper import DEFAULT_LOW_MM

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEFAULT_STALE_AFTER = timedelta(minutes=3)  # three missed heartbeats
PAPER_LOW_MM = DEFAULT_LOW_MM  # the kiosk's own "paper low": about 15 long receipts left


class Health(enum.StrEnum):
    STALE = "stale"
    UNHEALTHY = "unhealthy"
    OK = "ok"


_ORDER = {Health.STALE: 0, Health.UNHEALTHY: 1, Health.OK: 2}


@dataclass(frozen=True)
class Heartbeat:
    """One row of kiosk_heartbeat."""

    kiosk_id: str
    last_seen: datetime
    reader_state: str
    printer_state: str
    paper_left_mm: int | None
    last_error: str = ""
    version: str = ""
    alerts: str = ""  # the kiosk's own watch: a stalled part, a card left behind, ...


@dataclass(frozen=True)
class KioskStatus:
    heartbeat: Heartbeat
    health: Health
    reasons: tuple[str, ...]
    age: timedelta

    @property
    def needs_attention(self) -> bool:
        return self.health is not Health.OK


def reader_ok(state: str) -> bool:
    # kiosk.app.KioskParts.health reports "ok (N readers)" or what is wrong.
    return state.strip().lower().startswith("ok")


def printer_ok(state: str) -> bool:
    # The printer reports "ready" or its problems ("media_empty, media_jam").
    return state.strip().lower() in ("ready", "ok")


def classify(heartbeat: Heartbeat, now: datetime, stale_after: timedelta) -> KioskStatus:
    """The kiosk's health at `now`, with every reason for it in operator words."""
    age = now - heartbeat.last_seen
    problems: list[str] = []
    if not reader_ok(heartbeat.reader_state):
        problems.append(f"reader: {heartbeat.reader_state or 'unknown'}")
    if not printer_ok(heartbeat.printer_state):
        problems.append(f"printer: {heartbeat.printer_state or 'unknown'}")
    if heartbeat.alerts:
        problems.append(heartbeat.alerts)
    paper = heartbeat.paper_left_mm
    if paper is not None and paper <= PAPER_LOW_MM:
        problems.append(f"paper low: {max(paper, 0) / 1000:.1f} m left")
    if age > stale_after:
        reasons = (f"no heartbeat for {format_age(age)}", *problems)
        return KioskStatus(heartbeat, Health.STALE, reasons, age)
    health = Health.UNHEALTHY if problems else Health.OK
    return KioskStatus(heartbeat, health, tuple(problems), age)


def fleet_report(
    heartbeats: Sequence[Heartbeat], now: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> list[KioskStatus]:
    """Every kiosk classified, stale first, then unhealthy, then ok; by kiosk id within each."""
    statuses = [classify(h, now, stale_after) for h in heartbeats]
    return sorted(statuses, key=lambda s: (_ORDER[s.health], s.heartbeat.kiosk_id))


def read_heartbeats(engine: Engine) -> list[Heartbeat]:
    """All heartbeat rows, one per kiosk that ever reported."""
    from sqlalchemy import select

    from kiosk.store.models import TABLES

    table = TABLES["kiosk_heartbeat"]
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.kiosk_id)).all()
    return [
        Heartbeat(
            kiosk_id=row.kiosk_id,
            last_seen=row.last_seen,
            reader_state=row.reader_state,
            printer_state=row.printer_state,
            paper_left_mm=row.paper_left_mm,
            last_error=row.last_error or "",
            version=row.version or "",
            alerts=row.alerts or "",
        )
        for row in rows
    ]


def format_age(age: timedelta) -> str:
    """How long ago, short: '45 s', '12 min', '3 h', '5 days'."""
    seconds = int(age.total_seconds())
    if seconds < 0:
        return "0 s (clock ahead)"
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"

"""The fleet as its heartbeats tell it: which kiosks are stale, which are unhealthy, and why.

Each kiosk upserts one `kiosk_heartbeat` row a minute (AccountService.record_heartbeat).
A kiosk is STALE when that row is older than `stale_after` (it is off, frozen or cut off
from the store), UNHEALTHY when it reports a reader, printer or paper problem or an alert
of its own watch (a stalled part, a card left behind, audit rows held in memory), and OK
otherwise.

On the fleet's PostgreSQL store (migration 0004) the server also says which kiosk roles
it refused lately for what an honest kiosk never does: going over its ceiling of cards per
hour, a card number with someone else's citizen ID, a screen for a card it never opened
(`kiosk_api.suspicious_kiosks()`, read with the admin's rights). Such a kiosk is
SUSPICIOUS whatever its heartbeat says, and listed even if it never sent one: a stolen
credential used from elsewhere has no heartbeat. The refusals come from the server's own
audit rows, so a thief cannot hide them.

`fleet_report` lists suspicious kiosks first, then stale, then unhealthy ones, each group
by kiosk id, so the kiosks that need someone are at the top of the table.
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
    SUSPICIOUS = "suspicious"
    STALE = "stale"
    UNHEALTHY = "unhealthy"
    OK = "ok"


_ORDER = {Health.SUSPICIOUS: 0, Health.STALE: 1, Health.UNHEALTHY: 2, Health.OK: 3}
SUSPICION_WINDOW = timedelta(hours=1)  # kiosk_api.suspicious_kiosks' default look-back


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
class Suspicion:
    """One row of kiosk_api.suspicious_kiosks(): refusals of the last SUSPICION_WINDOW."""

    kiosk_id: str
    refusals: int
    last_refusal: datetime  # local time, naive like the heartbeats


@dataclass(frozen=True)
class KioskStatus:
    """A kiosk's health. `heartbeat` and `age` are None for a kiosk role the server
    refused that never sent a heartbeat (only a suspicious kiosk can be listed so)."""

    heartbeat: Heartbeat | None
    health: Health
    reasons: tuple[str, ...]
    age: timedelta | None
    suspicion: Suspicion | None = None

    @property
    def kiosk_id(self) -> str:
        if self.heartbeat is not None:
            return self.heartbeat.kiosk_id
        assert self.suspicion is not None
        return self.suspicion.kiosk_id

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


def suspicion_reason(suspicion: Suspicion) -> str:
    refusals = suspicion.refusals
    return (
        f"suspicious: {refusals} refused call{'s' if refusals != 1 else ''} in the last"
        f" {format_age(SUSPICION_WINDOW)}, the last at {suspicion.last_refusal:%Y-%m-%d %H:%M:%S}"
    )


def suspect(status: KioskStatus, suspicion: Suspicion) -> KioskStatus:
    """`status` marked SUSPICIOUS, the refusals first among its reasons."""
    reasons = (suspicion_reason(suspicion), *status.reasons)
    return KioskStatus(status.heartbeat, Health.SUSPICIOUS, reasons, status.age, suspicion)


def fleet_report(
    heartbeats: Sequence[Heartbeat],
    now: datetime,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    suspicious: Sequence[Suspicion] = (),
) -> list[KioskStatus]:
    """Every kiosk classified, suspicious first, then stale, then unhealthy, then ok; by
    kiosk id within each. A suspicious kiosk without a heartbeat is listed too."""
    statuses = {h.kiosk_id: classify(h, now, stale_after) for h in heartbeats}
    for suspicion in suspicious:
        known = statuses.get(suspicion.kiosk_id)
        if known is None:
            known = KioskStatus(None, Health.STALE, ("never sent a heartbeat",), None)
        statuses[suspicion.kiosk_id] = suspect(known, suspicion)
    return sorted(statuses.values(), key=lambda s: (_ORDER[s.health], s.kiosk_id))


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


def read_suspicious(engine: Engine) -> list[Suspicion]:
    """The kiosks the store flags (kiosk_api.suspicious_kiosks), or [] on a store without
    it: SQLite, or PostgreSQL before migration 0004. It runs with the caller's rights (it
    reads every kiosk's audit rows): a role that may not call it gets the server's error,
    as it would for the heartbeats, rather than a fleet that looks clean."""
    from sqlalchemy import text

    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            return []
        found = connection.execute(
            text("SELECT to_regprocedure('kiosk_api.suspicious_kiosks(interval)') IS NOT NULL")
        ).scalar_one()
        if not found:
            return []
        rows = connection.execute(
            text(
                "SELECT kiosk_id, refusals, last_refusal FROM kiosk_api.suspicious_kiosks()"
                " ORDER BY kiosk_id"
            )
        ).all()
    return [
        Suspicion(str(kiosk_id), int(refusals), _local(last_refusal))
        for kiosk_id, refusals, last_refusal in rows
    ]


def _local(moment: datetime) -> datetime:
    """A timestamptz as this machine's naive local time (what datetime.now() gives)."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


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

"""`kiosk fleet status`: every kiosk's last heartbeat, the ones that need someone first.

On the fleet's PostgreSQL store the kiosks the server refused for what an honest kiosk
never does (kiosk_api.suspicious_kiosks) come first, as SUSPICIOUS, with the count of
refusals of the last hour and the time of the last one. Exit 0 when every kiosk is fine,
1 when any is suspicious, stale or unhealthy (so a monitoring job can alert on it), 4 when
the store cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.fleet import KioskStatus

HELP = "the fleet's kiosks from their heartbeats: suspicious, stale or unhealthy ones first"
EXIT_ATTENTION = 1
EXIT_STORE = 4
COLUMNS = ("KIOSK", "HEALTH", "LAST SEEN", "READER", "PRINTER", "PAPER", "VERSION", "WHY")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="fleet_command", metavar="ACTION", required=True)
    status = sub.add_parser(
        "status", help="list all kiosks, suspicious, stale or unhealthy ones first"
    )
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument(
        "--stale-after",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="a kiosk silent for longer than this is stale (default 180: three heartbeats)",
    )


def run(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta

    from kiosk.commands.common import config_or_exit
    from kiosk.fleet import fleet_report, read_heartbeats, read_suspicious
    from kiosk.store.engine import make_engine

    if args.stale_after <= 0:
        print("kiosk fleet: --stale-after must be a positive number of seconds", file=sys.stderr)
        return 2
    # No log file: a monitoring host may run this with a read-only /var/log.
    config = config_or_exit(args)
    engine = make_engine(config.store_url(), config.store.timeout_seconds)
    try:
        heartbeats = read_heartbeats(engine)
        suspicious = read_suspicious(engine)
    except Exception as error:  # an unreachable store is an answer, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(error, SQLAlchemyError):
            raise
        detail = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        print(f"kiosk fleet: cannot read the store: {detail}", file=sys.stderr)
        return EXIT_STORE
    finally:
        engine.dispose()
    stale_after = timedelta(seconds=args.stale_after)
    report = fleet_report(heartbeats, datetime.now(), stale_after, suspicious)
    print(_as_json(report) if args.json else _as_table(report))
    return EXIT_ATTENTION if any(s.needs_attention for s in report) else 0


def _row(status: KioskStatus) -> tuple[str, ...]:
    from kiosk.fleet import format_age

    beat = status.heartbeat
    why = "; ".join(status.reasons)
    if beat is None:  # a kiosk role the server refused, never heard from otherwise
        return (status.kiosk_id, status.health.value.upper(), "never", "-", "-", "-", "-", why)
    paper = "-" if beat.paper_left_mm is None else f"{beat.paper_left_mm / 1000:.1f} m"
    if beat.last_error:
        why = f"{why}; last error: {beat.last_error}" if why else f"last error: {beat.last_error}"
    age = format_age(status.age) if status.age is not None else "?"
    return (
        beat.kiosk_id,
        status.health.value.upper(),
        f"{beat.last_seen:%Y-%m-%d %H:%M:%S} ({age} ago)",
        beat.reader_state,
        beat.printer_state,
        paper,
        beat.version or "-",
        why or "-",
    )


def _as_table(report: list[KioskStatus]) -> str:
    if not report:
        return "No kiosk has sent a heartbeat to this store yet."
    rows = [COLUMNS, *(_row(s) for s in report)]
    # The last column (WHY) is free text: not padded, so long reasons do not widen the table.
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
        for r in rows
    ]
    counts = {h: sum(s.health.value == h for s in report) for h in ("stale", "unhealthy", "ok")}
    parts = [f"{n} {h}" for h, n in counts.items()]
    suspicious = sum(s.suspicion is not None for s in report)
    if suspicious:  # only a fleet store flags kiosks: elsewhere the line stays as it was
        parts.insert(0, f"{suspicious} suspicious")
    summary = f"{len(report)} kiosk(s): " + ", ".join(parts)
    return "\n".join([*lines, "", summary])


def _entry(status: KioskStatus) -> dict[str, object]:
    beat, suspicion = status.heartbeat, status.suspicion
    entry: dict[str, object] = {
        "kiosk_id": status.kiosk_id,
        "health": status.health.value,
        "reasons": list(status.reasons),
        "last_seen": None,
        "age_seconds": None,
        "reader_state": None,
        "printer_state": None,
        "paper_left_mm": None,
        "last_error": None,
        "alerts": None,
        "version": None,
    }
    if beat is not None:
        entry.update(
            last_seen=beat.last_seen.isoformat(timespec="seconds"),
            age_seconds=int(status.age.total_seconds()) if status.age is not None else None,
            reader_state=beat.reader_state,
            printer_state=beat.printer_state,
            paper_left_mm=beat.paper_left_mm,
            last_error=beat.last_error,
            alerts=beat.alerts,
            version=beat.version,
        )
    if suspicion is not None:  # only on a fleet store, only for a flagged kiosk
        entry["suspicion"] = {
            "refusals": suspicion.refusals,
            "last_refusal": suspicion.last_refusal.isoformat(timespec="seconds"),
        }
    return entry


def _as_json(report: list[KioskStatus]) -> str:
    return json.dumps([_entry(s) for s in report], ensure_ascii=False, indent=2)

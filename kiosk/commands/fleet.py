"""`kiosk fleet status`: every kiosk's last heartbeat, the ones that need someone first.

Exit 0 when every kiosk is fine, 1 when any is stale or unhealthy (so a monitoring job can
alert on it), 4 when the store cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.fleet import KioskStatus

HELP = "the fleet's kiosks from their heartbeats: stale or unhealthy ones first"
EXIT_ATTENTION = 1
EXIT_STORE = 4
COLUMNS = ("KIOSK", "HEALTH", "LAST SEEN", "READER", "PRINTER", "PAPER", "VERSION", "WHY")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="fleet_command", metavar="ACTION", required=True)
    status = sub.add_parser("status", help="list all kiosks, stale or unhealthy ones first")
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
    from kiosk.fleet import fleet_report, read_heartbeats
    from kiosk.store.engine import make_engine

    if args.stale_after <= 0:
        print("kiosk fleet: --stale-after must be a positive number of seconds", file=sys.stderr)
        return 2
    # No log file: a monitoring host may run this with a read-only /var/log.
    config = config_or_exit(args)
    engine = make_engine(config.store_url(), config.store.timeout_seconds)
    try:
        heartbeats = read_heartbeats(engine)
    except Exception as error:  # an unreachable store is an answer, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(error, SQLAlchemyError):
            raise
        detail = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        print(f"kiosk fleet: cannot read the store: {detail}", file=sys.stderr)
        return EXIT_STORE
    finally:
        engine.dispose()
    report = fleet_report(heartbeats, datetime.now(), timedelta(seconds=args.stale_after))
    print(_as_json(report) if args.json else _as_table(report))
    return EXIT_ATTENTION if any(s.needs_attention for s in report) else 0


def _row(status: KioskStatus) -> tuple[str, ...]:
    from kiosk.fleet import format_age

    beat = status.heartbeat
    paper = "-" if beat.paper_left_mm is None else f"{beat.paper_left_mm / 1000:.1f} m"
    why = "; ".join(status.reasons)
    if beat.last_error:
        why = f"{why}; last error: {beat.last_error}" if why else f"last error: {beat.last_error}"
    return (
        beat.kiosk_id,
        status.health.value.upper(),
        f"{beat.last_seen:%Y-%m-%d %H:%M:%S} ({format_age(status.age)} ago)",
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
    summary = f"{len(report)} kiosk(s): " + ", ".join(f"{n} {h}" for h, n in counts.items())
    return "\n".join([*lines, "", summary])


def _as_json(report: list[KioskStatus]) -> str:
    return json.dumps(
        [
            {
                "kiosk_id": s.heartbeat.kiosk_id,
                "health": s.health.value,
                "reasons": list(s.reasons),
                "last_seen": s.heartbeat.last_seen.isoformat(timespec="seconds"),
                "age_seconds": int(s.age.total_seconds()),
                "reader_state": s.heartbeat.reader_state,
                "printer_state": s.heartbeat.printer_state,
                "paper_left_mm": s.heartbeat.paper_left_mm,
                "last_error": s.heartbeat.last_error,
                "alerts": s.heartbeat.alerts,
                "version": s.heartbeat.version,
            }
            for s in report
        ],
        ensure_ascii=False,
        indent=2,
    )

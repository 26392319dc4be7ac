"""`kiosk bench`: the performance suite; `--json` prints one object keyed by section."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from typing import Any

HELP = "measure start-up, card reads, store queries, sessions, receipts and soak"


def configure(parser: argparse.ArgumentParser) -> None:
    from bench import SECTIONS

    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--quick", action="store_true", help="small scale, seconds not minutes")
    parser.add_argument(
        "--soak",
        type=int,
        metavar="N",
        default=None,
        help="complete scripted sessions for the soak section",
    )


def _machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(args: argparse.Namespace) -> int:
    from bench import SECTIONS
    from kiosk.commands.common import config_or_exit

    config = config_or_exit(args)
    wanted = args.only or [s for s in SECTIONS if s != "soak" or args.soak]
    results: dict[str, Any] = {"machine": _machine()}
    failed = False
    for name in wanted:
        started = time.perf_counter()
        try:
            section = SECTIONS[name]()
            options = {"soak_sessions": args.soak} if name == "soak" and args.soak else {}
            figures: dict[str, Any] = section(config, quick=args.quick, **options)
        except Exception as error:  # one broken section must not hide the rest
            failed = True
            figures = {"error": f"{type(error).__name__}: {error}"}
        figures["section_seconds"] = round(time.perf_counter() - started, 2)
        results[name] = figures
        if not args.json:
            print(f"[{name}]")
            for key, value in figures.items():
                print(f"  {key}: {value}")
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 1 if failed else 0

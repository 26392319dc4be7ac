"""`kiosk bench`: the performance suite. Each section runs in a child process of its own
(bench/runner.py); `--json` prints one object keyed by section, without it one table;
`--report bench.json` turns a saved run into docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
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
        help="complete scripted sessions for the soak section (default 10,000; --quick: 30)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=None,
        help="end a section that runs longer (default: 30 min --quick, 4 h full)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="BENCH_JSON",
        help="write docs/benchmarks.md's text for a saved `kiosk bench --json` run",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="with --report: write here, not stdout"
    )


def _report(args: argparse.Namespace) -> int:
    from bench.report import markdown

    try:
        results = json.loads(args.report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"kiosk bench: cannot read {args.report}: {error}", file=sys.stderr)
        return 2
    text = markdown(results)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.report:
        return _report(args)
    from bench import SECTIONS
    from bench.machine import describe
    from bench.runner import Options, run_section
    from bench.table import table
    from kiosk.commands.common import config_or_exit

    config_or_exit(args)  # every problem at once, before any section starts
    wanted = args.only or list(SECTIONS)
    options = Options(args.quick, args.soak, args.config, args.timeout)
    machine = describe() | {"quick": args.quick, "sections": wanted}
    results: dict[str, Any] = {"machine": machine}
    failed = []
    for name in wanted:
        results[name] = run_section(name, options)
        if "error" in results[name]:
            failed.append(name)
            print(f"kiosk bench: {name} failed: {results[name]['error']}", file=sys.stderr)
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        sys.stdout.write(table(results))
    return 1 if failed else 0

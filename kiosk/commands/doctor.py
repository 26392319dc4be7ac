"""`kiosk doctor`: check the configuration, Python dependencies and system parts."""

from __future__ import annotations

import argparse
import sys

HELP = "check the configuration and installed parts; exit 1 if anything is wrong"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    from kiosk.doctor import format_table, run_checks

    findings = run_checks(args.config)
    print(format_table(findings))
    problems = sum(not f.ok for f in findings)
    if problems:
        print(f"\n{problems} problem(s) found.", file=sys.stderr)
        return 1
    print("\nAll ok.")
    return 0

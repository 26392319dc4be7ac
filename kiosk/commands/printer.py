"""`kiosk printer`: filled in by its issue."""

from __future__ import annotations

import argparse
import sys

HELP = "printer commands (not built yet)"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    print("kiosk printer: not built yet", file=sys.stderr)
    return 1

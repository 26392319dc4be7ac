"""`kiosk db`: filled in by its issue."""

from __future__ import annotations

import argparse
import sys

HELP = "db commands (not built yet)"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    print("kiosk db: not built yet", file=sys.stderr)
    return 1

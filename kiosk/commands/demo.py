"""`kiosk demo`: placeholder until the UI lands (issue 6)."""

from __future__ import annotations

import argparse
import sys

HELP = "demo the kiosk (not built yet)"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    print("kiosk demo: not built yet", file=sys.stderr)
    return 1

"""`kiosk receipt`: filled in by its issue."""

from __future__ import annotations

import argparse
import sys

HELP = "receipt commands (not built yet)"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    print("kiosk receipt: not built yet", file=sys.stderr)
    return 1

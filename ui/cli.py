"""The `kiosk` console script: the core's commands, plus run, demo and bench.

It lives in ui/ because the UI owns the executable (the core never names the UI). Command
modules import only the standard library at top level, so `kiosk --help` loads no Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bench import command as bench_command
from kiosk import cli
from ui.commands import demo, run

WINDOW_COMMANDS = {"run": run, "demo": demo, "bench": bench_command}


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, WINDOW_COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(WINDOW_COMMANDS)


if __name__ == "__main__":
    sys.exit(main())

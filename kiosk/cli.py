"""The core of the `kiosk` command: global options and the subcommands that need no window.

The console script is `ui.cli:main`, which adds the commands that open a window (run, demo)
and the bench; `python -m kiosk.cli` offers the core ones only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType

from kiosk.commands import COMMANDS

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3


def build_parser(extra: Mapping[str, ModuleType] | None = None) -> argparse.ArgumentParser:
    """The parser for the core commands plus `extra` (name -> command module)."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Social-security card self-service kiosk.",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $KIOSK_CONFIG, then ./kiosk.toml)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in {**(extra or {}), **COMMANDS}.items():
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(command_parser)
        command_parser.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None, extra: Mapping[str, ModuleType] | None = None) -> int:
    args = build_parser(extra).parse_args(argv)
    try:
        result: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())

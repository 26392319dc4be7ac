"""`kiosk run`: the kiosk as kiosk.toml configures it (full screen, the configured reader)."""

from __future__ import annotations

import argparse
import os
import sys
import time

HELP = "run the kiosk as configured in kiosk.toml"

NO_SCREEN_MESSAGE = (
    "kiosk: there is no screen here (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "To see every screen without one, run the scripted demo offscreen:\n"
    "  kiosk demo --headless --out out/demo\n"
    "then open the PNG files it writes."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="paint the start screen, print milliseconds since process start, exit",
    )


def has_screen() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def process_started_at() -> float:
    """Wall-clock time this process started (Linux /proc), so start-up counts the imports."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return time.time() - up + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit, setup_logging_for

    started_at = process_started_at()
    if not has_screen():
        print(NO_SCREEN_MESSAGE, file=sys.stderr)
        return 2
    config = config_or_exit(args)
    setup_logging_for(config, console=not args.smoke)
    from ui import launch

    result: int = launch.run_kiosk(config, smoke=args.smoke, started_at=started_at)
    return result

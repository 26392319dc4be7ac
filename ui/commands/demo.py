"""`kiosk demo`: the kiosk on demo cards; `--headless --out DIR` writes every screen as PNG."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

HELP = "run the kiosk with demo cards, or write PNGs of every screen with --headless"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true", help="no window: render offscreen")
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for the PNGs")
    parser.add_argument(
        "--speech", action="store_true", help="with --headless: a WAV of each screen's words too"
    )


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit, setup_logging_for
    from ui.commands.run import NO_SCREEN_MESSAGE, has_screen

    config = config_or_exit(args)
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not has_screen():
        print(NO_SCREEN_MESSAGE, file=sys.stderr)
        return 2
    setup_logging_for(config)
    # The demo always uses the virtual reader and a window, whatever kiosk.toml says.
    config = dataclasses.replace(
        config,
        reader=dataclasses.replace(config.reader, backend="virtual"),
        kiosk=dataclasses.replace(config.kiosk, fullscreen=False),
    )
    from ui import launch

    if args.headless:
        written = launch.write_screens(config, args.out, speech=args.speech)
        print(f"wrote {len(written)} screen(s) to {args.out}")
        return 0
    result: int = launch.run_kiosk(config, demo=True)
    return result

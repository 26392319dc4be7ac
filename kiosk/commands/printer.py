"""`kiosk printer status|refilled`: the receipt printer as kiosk.toml configures it.

Exit codes of `status`: 0 ready, 1 not ready (the problems are listed), 3 configuration.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.printers import ReceiptPrinter

HELP = "receipt printer: show its status and the paper left, or note a new roll"

EXIT_NOT_READY = 1


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="printer_command", metavar="ACTION", required=True)
    status = sub.add_parser("status", help="is the printer ready, and how much paper is left")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument("--language", choices=("zh", "en"), default="en")
    sub.add_parser("refilled", help="a fresh paper roll was loaded: reset the paper counter")


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit
    from kiosk.printers import ReceiptPrinter

    config = config_or_exit(args)
    printer = ReceiptPrinter.from_config(config)
    if args.printer_command == "refilled":
        printer.refilled()
        print(f"paper counter reset: {printer.paper_left_mm / 1000:.1f} m on the new roll")
        return 0
    return _status(args, printer, config.printer.kind)


def _status(args: argparse.Namespace, printer: ReceiptPrinter, kind: str) -> int:
    from kiosk.words.failures import failure_text
    from printing.problems import PrinterProblem

    status = printer.status()
    messages = [failure_text(PrinterProblem(k), args.language) for k in status.problems]
    figures = {
        "printer": kind,
        "ready": status.ready,
        "problems": [k.value for k in status.problems],
        "detail": status.detail,
        "paper_left_mm": printer.paper_left_mm,
        "paper_low": printer.paper_low,
        "messages": messages,
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(f"{kind} printer: {'ready' if status.ready else 'NOT READY'} ({status.detail})")
        for problem, message in zip(status.problems, messages, strict=True):
            print(f"  {problem.value}: {message}")
        low = "  LOW: load a new roll soon" if printer.paper_low else ""
        print(f"paper left: about {printer.paper_left_mm / 1000:.1f} m{low}")
    return 0 if status.ready else EXIT_NOT_READY

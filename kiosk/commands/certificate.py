"""`kiosk certificate`: the insurance certificate (参保证明) of a card, as a PDF.

    kiosk certificate --card-number X --out FILE.pdf [--paper a4|80] [--language zh|en] [--print]

The certificate is recorded in the store (its digest, for the verification service) before
it is written, exactly as the kiosk records the ones it prints. `--print` sends it to the
kiosk printer (80 mm) or to `[printer] a4_queue` (A4).

Exit codes: 0 done, 2 usage, 3 configuration, 4 printer or file problem, 5 card refused or
store unavailable.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

HELP = "make an insurance certificate (参保证明) PDF for a card, recorded for verification"

EXIT_USAGE = 2
EXIT_PRINTER = 4
EXIT_STORE = 5


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--card-number", help="the card whose enrolment is certified")
    parser.add_argument("--out", metavar="FILE.pdf", help="write the certificate PDF here")
    parser.add_argument("--paper", choices=("80", "a4"), default="80", help="80 mm or A4")
    parser.add_argument("--language", choices=("zh", "en"), help="certificate language")
    parser.add_argument(
        "--print",
        action="store_true",
        help="also print it: 80 mm on the kiosk printer, A4 on [printer] a4_queue",
    )


def run(args: argparse.Namespace) -> int:
    if not args.card_number or not (args.out or args.print):
        print(
            "kiosk certificate: give --card-number and --out FILE.pdf (or --print)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from datetime import datetime
    from pathlib import Path

    from kiosk.certificates import issue_certificate
    from kiosk.commands.common import config_or_exit
    from kiosk.masking import rules_for
    from kiosk.printers import next_serial
    from kiosk.services import AccountService, StoreError
    from kiosk.slip_records import DocumentRecorder
    from kiosk.words.failures import failure_text

    config = config_or_exit(args)
    if args.print and args.paper == "a4" and not config.printer.a4_queue:
        print("kiosk certificate: set [printer] a4_queue to print on A4", file=sys.stderr)
        return EXIT_USAGE
    masking = rules_for(config.privacy)
    now = datetime.now().replace(microsecond=0)
    service = AccountService.from_config(config)
    recorder = DocumentRecorder.from_config(config)
    try:
        data = service.certificate_data(
            args.card_number,
            now,
            next_serial(config, now),
            masking,
            language=args.language or config.kiosk.language,
        )
        certificate = issue_certificate(
            data,
            lambda printed: recorder.record(
                printed, args.card_number, data.citizen_id, open_card=True
            ),
            config.verify.base_url,
            args.paper,
        )
    except StoreError as error:
        print(f"kiosk certificate: {failure_text(error, 'en')}", file=sys.stderr)
        return EXIT_STORE
    except OSError as error:  # the serial counter under data_dir: a full disk, say
        print(f"kiosk certificate: not made: {error}", file=sys.stderr)
        return EXIT_PRINTER
    finally:
        service.close()
        recorder.close()
    if args.out:
        try:
            Path(args.out).write_bytes(certificate.pdf)
        except OSError as error:
            print(f"kiosk certificate: not written: {error}", file=sys.stderr)
            return EXIT_PRINTER
        print(f"wrote {args.out}: {args.paper}, code {certificate.code}")
    if args.print:
        return _print(config, certificate.pdf, data.serial, args.paper)
    return 0


def _print(config: KioskConfig, pdf: bytes, serial: str, paper: str) -> int:
    from kiosk.printers import printer_for
    from printing.dispatch import CupsPrinter
    from printing.problems import PrinterProblem

    printer = CupsPrinter(config.printer.a4_queue) if paper == "a4" else printer_for(config)
    try:
        printer.print_pdf(pdf, serial, 20.0)
    except PrinterProblem as problem:
        print(f"kiosk certificate: not printed: {problem.operator_message}", file=sys.stderr)
        return EXIT_PRINTER
    print(f"printed {serial}")
    return 0

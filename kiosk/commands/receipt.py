"""`kiosk receipt`: make a receipt for a card, or verify a printed one.

    kiosk receipt --card-number X --out FILE.pdf [--width 58|80] [--print]
    kiosk receipt verify 'SSR1|serial|time|balance|code' [--card-number X]

Exit codes: 0 done / valid, 1 invalid receipt or failure, 2 usage, 3 configuration,
4 printer problem, 5 card refused or store unavailable.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

HELP = "make a receipt PDF for a card, or verify a printed receipt's code"

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_PRINTER = 4
EXIT_STORE = 5


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--card-number", help="the card whose accounts the receipt shows")
    parser.add_argument("--out", metavar="FILE.pdf", help="write the receipt PDF here")
    parser.add_argument("--width", type=int, choices=(58, 80), help="paper width in mm")
    parser.add_argument("--language", choices=("zh", "en"), help="receipt language")
    parser.add_argument(
        "--print", action="store_true", help="also send it to the configured printer"
    )
    sub = parser.add_subparsers(dest="receipt_command", metavar="ACTION")
    verify = sub.add_parser(
        "verify", help="check a receipt: pass the QR code's text (scan it) as CODE"
    )
    verify.add_argument("code", metavar="CODE", help="the QR payload SSR1|serial|time|...")
    verify.add_argument(
        "--card-number",
        dest="verify_card",
        help="the card the slip claims to be for (else this kiosk's receipt journal is used)",
    )


def run(args: argparse.Namespace) -> int:
    if args.receipt_command == "verify":
        return _verify(args)
    if not args.card_number or not (args.out or args.print):
        print("kiosk receipt: give --card-number and --out FILE.pdf (or --print)", file=sys.stderr)
        return EXIT_USAGE
    return _make(args)


def _make(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk.commands.common import config_or_exit
    from kiosk.masking import rules_for
    from kiosk.printers import (
        ReceiptKeyError,
        ReceiptPrinter,
        next_serial,
        note_receipt,
        receipt_key,
    )
    from kiosk.services import AccountService, StoreError
    from kiosk.words.failures import failure_text
    from printing.problems import PrinterProblem
    from printing.receipt import render

    config = config_or_exit(args)
    masking = rules_for(config.privacy)
    now = datetime.now().replace(microsecond=0)
    service = AccountService.from_config(config)
    try:
        data = service.receipt_data(
            args.card_number,
            now,
            next_serial(config, now),
            masking,
            entries=config.printer.history_entries,
            language=args.language or config.kiosk.language,
        )
    except StoreError as error:
        print(f"kiosk receipt: {failure_text(error, 'en')}", file=sys.stderr)
        return EXIT_STORE
    finally:
        service.close()
    width = args.width or config.printer.paper_width_mm
    if args.out:
        try:  # a full disk (the key, the slip or the journal) is words, never a traceback
            receipt = render(data, width, receipt_key(config))
            Path(args.out).write_bytes(receipt.pdf)
            note_receipt(config.data_dir / "receipt-journal.jsonl", data, receipt.code)
        except (ReceiptKeyError, OSError) as error:
            print(f"kiosk receipt: not written: {error}", file=sys.stderr)
            return EXIT_PRINTER
        print(f"wrote {args.out}: {width} mm x {receipt.length_mm:.0f} mm, code {receipt.code}")
    if args.print:
        printer = ReceiptPrinter.from_config(config)
        printer.width_mm = width
        try:
            receipt = printer.print_receipt(data)
        except PrinterProblem as problem:
            print(f"kiosk receipt: not printed: {problem.operator_message}", file=sys.stderr)
            return EXIT_PRINTER
        print(f"printed {data.serial}: {receipt.length_mm:.0f} mm, code {receipt.code}")
        print(f"paper left: about {printer.paper_left_mm / 1000:.1f} m")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit
    from kiosk.printers import JOURNAL_NAME, KEY_NAME, journal_card_hash
    from printing.verification import group, parse_payload, verify_code

    config = config_or_exit(args)
    try:
        claim = parse_payload(args.code)
    except ValueError as error:
        print(f"kiosk receipt verify: {error}; scan the slip's QR code", file=sys.stderr)
        return EXIT_USAGE
    key_file = config.data_dir / KEY_NAME
    if not key_file.exists():
        print(f"kiosk receipt verify: no receipt key at {key_file}", file=sys.stderr)
        return EXIT_INVALID
    if args.verify_card:
        # The slip's code binds the card's pseudonym under this installation's key: read
        # it as the kiosk made it (never a new one here, which would match nothing).
        from kiosk.pseudonym_key import PseudonymKeyError, load_existing
        from kiosk.store.audit import card_hash

        try:
            hashed = card_hash(args.verify_card, load_existing(config.data_dir))
        except PseudonymKeyError as error:
            print(
                f"kiosk receipt verify: {error}; a slip is checked against a card only with "
                "the pseudonym key of the kiosk that printed it (without --card-number the "
                "receipt journal is used)",
                file=sys.stderr,
            )
            return EXIT_INVALID
    else:
        found = journal_card_hash(config.data_dir / JOURNAL_NAME, claim.serial)
        if found is None:
            print(
                f"INVALID: serial {claim.serial} is not in this kiosk's receipt journal "
                "(use --card-number to check it against a card)"
            )
            return EXIT_INVALID
        hashed = found
    summary = (
        f"serial {claim.serial}, printed {claim.printed_at:%Y-%m-%d %H:%M:%S}, "
        f"balance {claim.balance:,.2f}, code {group(claim.code)}"
    )
    if verify_code(key_file.read_bytes(), claim, hashed):
        print(f"VALID: {summary}")
        return 0
    print(f"INVALID: {summary} was not issued by this kiosk for that card")
    return EXIT_INVALID

"""Printing, composed from kiosk.toml: the printer, the paper counter, the key and serials.

`ReceiptPrinter.print_receipt` renders at the configured width, prints, counts the paper and
notes the receipt in a journal (serial, time, card hash, code: no personal data) so staff can
verify a slip with `kiosk receipt verify` from its QR code alone.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain import ReceiptData
from printing.atomic_file import write_atomically
from printing.dispatch import CupsPrinter, Printer, SpoolPrinter
from printing.paper import PaperCounter
from printing.problems import PrinterStatus
from printing.receipt import RenderedReceipt, render

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

log = logging.getLogger(__name__)

KEY_NAME = "receipt-key"
KEY_BYTES = 32
SERIAL_STATE = "receipt-serial.json"
PAPER_STATE = "paper-counter.json"
JOURNAL_NAME = "receipt-journal.jsonl"
PRINT_TIMEOUT_SECONDS = 20.0


class ReceiptKeyError(RuntimeError):
    """The receipt key file exists but is not a key (operator: restore or delete it)."""


def receipt_key(config: KioskConfig) -> bytes:
    """This kiosk's 32-byte receipt key, created on first use (data_dir/receipt-key, 0600)."""
    path = config.data_dir / KEY_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise ReceiptKeyError(
                f"{path} holds {len(key)} bytes, not a {KEY_BYTES}-byte key: restore it from "
                "the kiosk's backup, or delete it (slips printed so far then stop verifying)"
            ) from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(handle, "wb") as file:
        file.write(key)
    log.info("new receipt key created in %s", path)
    return key


def next_serial(config: KioskConfig, now: datetime) -> str:
    """`<kiosk id>-YYYYMMDD-NNNN`: a per-day counter kept under data_dir (safe across processes)."""
    path = config.data_dir / SERIAL_STATE
    day = now.strftime("%Y%m%d")
    with _locked(path.with_suffix(".lock")):
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            state = {}
        number = int(state.get("last", 0)) + 1 if state.get("day") == day else 1
        write_atomically(path, json.dumps({"day": day, "last": number}))
    return f"{config.kiosk.id}-{day}-{number:04d}"


def printer_for(config: KioskConfig) -> Printer:
    """The printer kiosk.toml names: the spool folder or the CUPS queue."""
    if config.printer.kind == "cups":
        return CupsPrinter(config.printer.cups_queue)
    if config.printer.kind == "escpos":
        from printing.escpos import EscPosPrinter

        return EscPosPrinter(config.printer.escpos_device, config.printer.paper_width_mm)
    return SpoolPrinter(config.printer.spool_dir)


class ReceiptPrinter:
    """Renders, prints and counts receipts for one kiosk."""

    def __init__(
        self,
        printer: Printer,
        paper: PaperCounter,
        key: bytes,
        *,
        width_mm: int = 80,
        journal: Path | None = None,
        timeout_seconds: float = PRINT_TIMEOUT_SECONDS,
    ) -> None:
        self.printer = printer
        self.paper = paper
        self.key = key
        self.width_mm = width_mm
        self.journal = journal
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_config(cls, config: KioskConfig, printer: Printer | None = None) -> ReceiptPrinter:
        return cls(
            printer if printer is not None else printer_for(config),
            PaperCounter(config.data_dir / PAPER_STATE, config.printer.paper_roll_mm),
            receipt_key(config),
            width_mm=config.printer.paper_width_mm,
            journal=config.data_dir / JOURNAL_NAME,
        )

    def print_receipt(self, data: ReceiptData) -> RenderedReceipt:
        """Render, print (raises PrinterProblem), count the paper and journal the slip."""
        receipt = render(data, self.width_mm, self.key)
        self.printer.print_pdf(receipt.pdf, data.serial, self.timeout_seconds)
        try:  # the slip is out: book-keeping that fails must not tell the person it is not
            self.paper.printed(receipt.length_mm)
            note_receipt(self.journal, data, receipt.code)
        except OSError as error:
            log.warning(
                "receipt %s printed, but not counted or journaled: %s",
                data.serial,
                error.strerror or type(error).__name__,
            )
        log.info("receipt %s printed: %.0f mm", data.serial, receipt.length_mm)
        return receipt

    def status(self) -> PrinterStatus:
        return self.printer.status()

    @property
    def paper_left_mm(self) -> int:
        return self.paper.left_mm

    @property
    def paper_low(self) -> bool:
        return self.paper.low

    def refilled(self) -> None:
        self.paper.refilled()


def note_receipt(journal: Path | None, data: ReceiptData, code: str) -> None:
    """Append the slip's serial, time, card hash and code (never a name, ID or card number)."""
    if journal is None:
        return
    line = json.dumps(
        {
            "serial": data.serial,
            "printed_at": data.printed_at.isoformat(timespec="seconds"),
            "card_hash": data.card_hash,
            "code": code,
        }
    )
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        with journal.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
    except OSError as error:  # the slip is printed; only later verification needs this
        log.warning("receipt journal not written: %s", error.strerror)


def journal_card_hash(journal: Path, serial: str) -> str | None:
    """The card hash the journal holds for `serial` (the newest line wins)."""
    found = None
    try:
        with journal.open(encoding="utf-8") as file:
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("serial") == serial:
                    found = str(entry.get("card_hash", "")) or None
    except FileNotFoundError:
        return None
    return found


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

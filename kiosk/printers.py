"""Printing, composed from kiosk.toml: the printer, the paper counter, the key and serials.

`ReceiptPrinter.print_receipt` renders at the configured width, prints, counts the paper and
notes the receipt in a journal (serial, time, card pseudonym, code: no personal data) so staff
can verify a slip with `kiosk receipt verify` from its QR code alone. The card pseudonym is the
one the audit rows carry, an HMAC under this installation's key (kiosk/pseudonym_key.py,
made by AccountService), so a journal line maps back to no card number without that key.

The state under data_dir: the key (kiosk/receipt_key.py), the serial counter and the paper
counter are small files replaced whole (printing.atomic_file); the journal only grows, so
it is appended to, and a line torn by a crash or a full disk is closed off and skipped.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.domain import CertificateData, FilingSlip, LossReportSlip, ReceiptData
from kiosk.receipt_key import KEY_BYTES, KEY_NAME, ReceiptKey, ReceiptKeyError, load_or_create
from printing.atomic_file import write_atomically
from printing.dispatch import CupsPrinter, Printer, SpoolPrinter
from printing.paper import PaperCounter
from printing.problems import PrinterProblem, PrinterProblemKind, PrinterStatus
from printing.receipt import RenderedReceipt, render

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.slip_records import DocumentRecorder
    from printing.certificate import RenderedCertificate
    from printing.slips import RenderedSlip

__all__ = [
    "JOURNAL_NAME",
    "KEY_BYTES",
    "KEY_NAME",
    "PAPER_STATE",
    "SERIAL_STATE",
    "ReceiptKeyError",
    "ReceiptPrinter",
    "journal_card_hash",
    "next_serial",
    "note_receipt",
    "printer_for",
    "receipt_key",
]

log = logging.getLogger(__name__)

SERIAL_STATE = "receipt-serial.json"
PAPER_STATE = "paper-counter.json"
JOURNAL_NAME = "receipt-journal.jsonl"
PRINT_TIMEOUT_SECONDS = 20.0


def receipt_key(config: KioskConfig) -> bytes:
    """This kiosk's 32-byte receipt key, created on first use (data_dir/receipt-key, 0600);
    a damaged one is replaced. ReceiptKeyError when it can be neither read nor made."""
    return load_or_create(config.data_dir).key


def next_serial(config: KioskConfig, now: datetime) -> str:
    """`<kiosk id>-YYYYMMDD-NNNN`: a per-day counter kept under data_dir (safe across processes)."""
    path = config.data_dir / SERIAL_STATE
    day = now.strftime("%Y%m%d")
    with _locked(path.with_suffix(".lock")):
        last = _last_serial(path, day)
        if last is None:  # no counter, or a damaged one: today's slips are in the journal
            last = _last_journaled(config.data_dir / JOURNAL_NAME, f"{config.kiosk.id}-{day}-")
        number = last + 1
        write_atomically(path, json.dumps({"day": day, "last": number}))
    return f"{config.kiosk.id}-{day}-{number:04d}"


def _last_serial(path: Path, day: str) -> int | None:
    """Today's last number from the counter: 0 on a new day, None if missing or damaged."""
    try:
        state: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:  # 0 bytes or torn (a full disk under old code)
        log.warning("receipt serial counter %s unreadable (%s)", path, type(error).__name__)
        return None
    last = state.get("last") if isinstance(state, dict) else None
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        log.warning("receipt serial counter %s damaged: counting from the journal", path)
        return None
    return last if state.get("day") == day else 0


def _last_journaled(journal: Path, prefix: str) -> int:
    """The highest number after `prefix` in the journal, so a lost counter never repeats a
    serial already printed today (a repeat would make `receipt verify` check the wrong slip)."""
    pattern = re.compile(re.escape(prefix) + r"(\d{1,9})$")
    highest = 0
    for entry in _journal_entries(journal):
        found = pattern.match(str(entry.get("serial", "")))
        if found:
            highest = max(highest, int(found.group(1)))
    return highest


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
        key: bytes | None = None,
        *,
        key_dir: Path | None = None,
        width_mm: int = 80,
        journal: Path | None = None,
        timeout_seconds: float = PRINT_TIMEOUT_SECONDS,
        documents: DocumentRecorder | None = None,
        verify_base_url: str = "",
    ) -> None:
        """`key`, or the folder whose receipt-key is loaded (made) on first need: a key that
        cannot be made yet (a full disk) keeps the kiosk serving and is tried again.
        `documents` records every slip in the store for `verify_base_url`'s service."""
        if key is None and key_dir is None:
            raise ValueError("a key or a key_dir")
        self.printer = printer
        self.paper = paper
        self._key = ReceiptKey(key) if key is not None else None
        self._key_error = ""
        self.key_dir = key_dir
        self.width_mm = width_mm
        self.journal = journal
        self.timeout_seconds = timeout_seconds
        self.documents = documents
        self.verify_base_url = verify_base_url

    @classmethod
    def from_config(
        cls,
        config: KioskConfig,
        printer: Printer | None = None,
        documents: DocumentRecorder | None = None,
    ) -> ReceiptPrinter:
        """`documents`: the kiosk's recorder over its AccountService's engine (kiosk.app),
        so a kiosk holds one store connection; without it, a recorder of its own."""
        made = cls(
            printer if printer is not None else printer_for(config),
            PaperCounter(config.data_dir / PAPER_STATE, config.printer.paper_roll_mm),
            key_dir=config.data_dir,
            width_mm=config.printer.paper_width_mm,
            journal=config.data_dir / JOURNAL_NAME,
            documents=documents if documents is not None else _recorder(config),
            verify_base_url=config.verify.base_url,
        )
        made.key_problem()  # made (or replaced) at start, while nobody waits for a slip
        return made

    @property
    def key(self) -> bytes:
        """The receipt key; ReceiptKeyError when it can be neither read nor made yet."""
        if self._key is None:
            if self.key_dir is None:  # the constructor refuses this; mypy cannot see it
                raise ReceiptKeyError("no receipt key and no folder to make one in")
            self._key = load_or_create(self.key_dir)
        return self._key.key

    @property
    def key_notice(self) -> str:
        """For the maintenance screen: the key was found damaged and replaced (operator
        words, no key bytes), or "" when the key is sound or not made yet."""
        return self._key.notice if self._key is not None else ""

    def key_problem(self) -> str:
        """Why there is no key yet (operator words, logged as a warning once, not at every
        heartbeat), or ""."""
        try:
            _ = self.key
        except ReceiptKeyError as error:
            if str(error) != self._key_error:
                log.warning("receipts cannot be printed: %s", error)
            self._key_error = str(error)
            return self._key_error
        self._key_error = ""
        return ""

    def print_receipt(self, data: ReceiptData) -> RenderedReceipt:
        """Render, print (raises PrinterProblem), count the paper and journal the slip."""
        if problem := self.key_problem():
            raise PrinterProblem(PrinterProblemKind.OTHER, problem)
        from kiosk.slip_records import receipt_verify_url

        url = receipt_verify_url(data, self.key, self.documents, self.verify_base_url)
        receipt = render(data, self.width_mm, self.key, verify_url=url)
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

    def print_certificate(self, data: CertificateData) -> RenderedCertificate:
        """Record the certificate in the store, render it for 80 mm and print it.

        PrinterProblem as print_receipt; StoreUnavailable or CardNotActive (kiosk.store.
        errors) when the store cannot record it: then nothing is printed, since a
        certificate nobody can verify is worth nothing to whoever asked for it."""
        from kiosk.certificates import issue_certificate

        documents = self.documents
        if documents is None:
            raise PrinterProblem(PrinterProblemKind.OTHER, "no store to record certificates in")
        certificate = issue_certificate(
            data,
            lambda printed: documents.record(printed, data.card_number, data.citizen_id),
            self.verify_base_url,
        )
        self.printer.print_pdf(certificate.pdf, data.serial, self.timeout_seconds)
        try:  # printed: a paper counter that cannot be written must not say otherwise
            self.paper.printed(certificate.length_mm)
        except OSError as error:
            log.warning("certificate %s printed, not counted: %s", data.serial, error.strerror)
        log.info("certificate %s printed: %.0f mm", data.serial, certificate.length_mm)
        return certificate

    def print_slip(self, slip: LossReportSlip | FilingSlip) -> RenderedSlip:
        """Render and print a loss-report or filing-request slip (PrinterProblem), and
        count its paper. It carries no figure to verify, so no code and no journal line."""
        from printing.slips import render_slip

        rendered = render_slip(slip, self.width_mm)
        self.printer.print_pdf(rendered.pdf, rendered.job, self.timeout_seconds)
        try:  # printed: a paper counter that cannot be written must not say otherwise
            self.paper.printed(rendered.length_mm)
        except OSError as error:
            log.warning("slip printed, not counted: %s", error.strerror or type(error).__name__)
        log.info("slip printed: %.0f mm", rendered.length_mm)
        return rendered

    def status(self) -> PrinterStatus:
        """The printer's status; not ready while the receipt key cannot be made (asked again
        each time, so the heartbeat makes the key as soon as the disk has room)."""
        if self._key is None and (problem := self.key_problem()):
            return PrinterStatus(False, (PrinterProblemKind.OTHER,), problem)
        return self.printer.status()

    @property
    def paper_left_mm(self) -> int:
        return self.paper.left_mm

    @property
    def paper_low(self) -> bool:
        return self.paper.low

    def refilled(self) -> None:
        self.paper.refilled()


def _recorder(config: KioskConfig) -> DocumentRecorder:
    from kiosk.slip_records import DocumentRecorder

    return DocumentRecorder.from_config(config)


def note_receipt(journal: Path | None, data: ReceiptData, code: str) -> None:
    """Append the slip's serial, time, card pseudonym (`data.card_hash`, kiosk.store.audit.
    card_hash) and code: never a name, ID or card number."""
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
        with journal.open("a+b") as file:  # appends, whatever the position
            end = file.seek(0, os.SEEK_END)
            torn = end > 0 and file.seek(end - 1) >= 0 and file.read(1) != b"\n"
            if torn:  # a crash or a full disk cut the last line: close it off, skip it later
                log.warning("receipt journal %s: its last line was torn; closed off", journal)
            file.write((b"\n" if torn else b"") + line.encode("utf-8") + b"\n")
            file.flush()
            os.fsync(file.fileno())  # the line is what `receipt verify` finds the slip by
    except OSError as error:  # the slip is printed; only later verification needs this
        log.warning("receipt journal not written: %s", error.strerror)


def journal_card_hash(journal: Path, serial: str) -> str | None:
    """The card pseudonym the journal holds for `serial` (the newest line wins): what the
    slip's code was made with, whichever key made it (lines from before the pseudonym key,
    or from before it was replaced, still verify this way)."""
    found = None
    for entry in _journal_entries(journal):
        if entry.get("serial") == serial:
            found = str(entry.get("card_hash", "")) or None
    return found


def _journal_entries(journal: Path) -> Iterator[dict[str, Any]]:
    """Every whole entry of the journal; torn or foreign lines are skipped, and counted."""
    skipped = 0
    try:
        with journal.open(encoding="utf-8", errors="replace") as file:
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:
                    entry = None
                if isinstance(entry, dict):
                    yield entry
                elif line.strip():
                    skipped += 1
    except FileNotFoundError:
        return
    if skipped:
        log.warning("receipt journal %s: %d torn or unreadable line(s) skipped", journal, skipped)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

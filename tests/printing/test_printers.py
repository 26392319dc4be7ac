"""kiosk.printers: the key, serials, and a receipt printed, counted and journalled."""

from __future__ import annotations

import json
import logging
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import KioskConfig, load_config
from kiosk.printers import (
    ReceiptPrinter,
    journal_card_hash,
    next_serial,
    receipt_key,
)
from kiosk.services import AccountService
from kiosk.store.audit import card_hash
from kiosk.words.failures import failure_text
from printing.dispatch import SpoolPrinter
from printing.problems import PrinterProblem, PrinterProblemKind
from realparts.printer import FaultyPrinter
from tests.printing.conftest import ZHANG


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nid = "kiosk-07"\ndata_dir = "var"\n'
        "[printer]\npaper_width_mm = 58\npaper_roll_mm = 10000\n"
    )
    return load_config(path)


def test_the_key_is_made_once_private_and_kept(config: KioskConfig) -> None:
    key = receipt_key(config)
    path = config.data_dir / "receipt-key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert receipt_key(config) == key


def test_a_damaged_key_is_moved_aside_and_replaced(config: KioskConfig) -> None:
    config.data_dir.mkdir(parents=True)
    (config.data_dir / "receipt-key").write_bytes(b"short")
    assert len(receipt_key(config)) == 32
    aside = [p for p in config.data_dir.iterdir() if p.name.startswith("receipt-key.damaged-")]
    assert [p.read_bytes() for p in aside] == [b"short"]


def test_serials_count_per_day_and_survive_restarts(config: KioskConfig) -> None:
    day = datetime(2026, 11, 24, 9)
    assert next_serial(config, day) == "kiosk-07-20261124-0001"
    assert next_serial(config, day) == "kiosk-07-20261124-0002"
    assert next_serial(config, datetime(2026, 11, 25, 8)) == "kiosk-07-20261125-0001"
    assert next_serial(config, datetime(2026, 11, 25, 9)) == "kiosk-07-20261125-0002"


def test_print_receipt_spools_counts_paper_and_journals_no_personal_data(
    config: KioskConfig,
    receipt_for: Any,
    account_service: AccountService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    printer = ReceiptPrinter.from_config(config)
    assert printer.width_mm == 58
    assert printer.paper_left_mm == 10_000
    data = receipt_for(ZHANG)
    with caplog.at_level(logging.DEBUG):
        receipt = printer.print_receipt(data)
    spooled = config.printer.spool_dir / f"{data.serial}.pdf"
    assert spooled.read_bytes() == receipt.pdf
    assert printer.paper_left_mm == int(10_000 - receipt.length_mm)
    assert ReceiptPrinter.from_config(config).paper_left_mm == printer.paper_left_mm
    journal = (config.data_dir / "receipt-journal.jsonl").read_text()
    assert json.loads(journal)["code"] == receipt.code
    assert journal_card_hash(config.data_dir / "receipt-journal.jsonl", data.serial) == (
        data.card_hash
    )
    # The journal's pseudonym is the service's installation HMAC, never a bare hash.
    assert data.card_hash == card_hash(ZHANG, account_service.pseudonyms.key)
    written = journal + caplog.text + " ".join(p.name for p in config.data_dir.rglob("*"))
    for secret in (data.person_name, data.citizen_id, data.card_number):
        assert secret not in written


def test_a_printer_problem_counts_no_paper(config: KioskConfig, receipt_for: Any) -> None:
    printer = ReceiptPrinter.from_config(config, FaultyPrinter(PrinterProblemKind.MEDIA_EMPTY))
    assert printer.status().problems == (PrinterProblemKind.MEDIA_EMPTY,)
    with pytest.raises(PrinterProblem) as raised:
        printer.print_receipt(receipt_for(ZHANG))
    assert failure_text(raised.value, "zh").startswith("打印机缺纸")
    assert printer.paper_left_mm == 10_000
    assert not (config.data_dir / "receipt-journal.jsonl").exists()


def test_paper_low_and_refilled(config: KioskConfig, receipt_for: Any) -> None:
    printer = ReceiptPrinter.from_config(config, SpoolPrinter(config.data_dir / "s"))
    printer.paper.printed(7_500)
    assert printer.paper_low
    printer.refilled()
    assert not printer.paper_low
    assert printer.paper_left_mm == 10_000

"""When the store cannot record a slip: a receipt still prints (offline code only), a
certificate does not print at all."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.domain import MaskingRules
from kiosk.printers import ReceiptPrinter
from kiosk.services import AccountService
from kiosk.slip_records import DocumentRecorder
from kiosk.store.engine import make_engine
from kiosk.store.errors import StoreUnavailable
from printing.dispatch import SpoolPrinter
from printing.paper import PaperCounter
from tests.verify.conftest import Installation

CARD = "C36042603"


def _printer(tmp_path: Path) -> ReceiptPrinter:
    missing = f"sqlite:///{tmp_path / 'no-such-store.sqlite3'}"
    return ReceiptPrinter(
        SpoolPrinter(tmp_path / "spool"),
        PaperCounter(tmp_path / "paper.json", 50_000),
        b"r" * 32,
        documents=DocumentRecorder(lambda: make_engine(missing, 1.0), tmp_path, "k-1"),
        verify_base_url="https://verify.example/sscard",
    )


def _service(installation: Installation, tmp_path: Path) -> AccountService:
    return AccountService(
        make_engine(installation.config.store_url(), 3.0),
        "k-1",
        outbox_path=tmp_path / "outbox.sqlite3",
        audit=False,
    )


def test_a_receipt_the_store_cannot_record_prints_with_its_offline_code(
    installation: Installation, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = _service(installation, tmp_path)
    try:
        data = service.receipt_data(CARD, datetime.now(), "k-1-S-1", MaskingRules())
    finally:
        service.close()
    _printer(tmp_path).print_receipt(data)
    pdf = tmp_path / "spool" / "k-1-S-1.pdf"
    subprocess.run(["pdftoppm", "-r", "203", "-mono", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "q")], check=True)  # fmt: skip
    found = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "q.png")],
                           capture_output=True, check=False)  # fmt: skip
    assert found.stdout.decode().startswith("SSR1|k-1-S-1|")
    assert "without online verification" in caplog.text


def test_a_certificate_the_store_cannot_record_is_not_printed(
    installation: Installation, tmp_path: Path
) -> None:
    service = _service(installation, tmp_path)
    try:
        data = service.certificate_data(CARD, datetime.now(), "k-1-S-2", MaskingRules())
    finally:
        service.close()
    with pytest.raises(StoreUnavailable):
        _printer(tmp_path).print_certificate(data)
    assert not (tmp_path / "spool" / "k-1-S-2.pdf").exists()

"""Receipts through a real, throwaway cupsd: a job arrives intact, faults come back typed.

The queues' backends are ours (realparts/cups.py): one writes jobs to a folder, two
report media-empty / media-jam through CUPS STATE messages and stop their queue.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config
from kiosk.printers import ReceiptPrinter
from kiosk.words.failures import failure_text
from printing.dispatch import CupsPrinter
from printing.problems import PrinterProblem, PrinterProblemKind
from printing.receipt import render
from realparts.cups import CupsServer
from tests.printing.conftest import ZHANG

pytestmark = pytest.mark.integration


def _wait_for_file(folder: Path, seconds: float = 10) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(folder.glob("job-*.pdf"))
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no job arrived in {folder}")


def test_a_receipt_arrives_byte_for_byte(cups_server: CupsServer, receipt_for: Any) -> None:
    for old in cups_server.jobs_dir.glob("job-*"):
        old.unlink()
    receipt = render(receipt_for(ZHANG), 80)
    printer = CupsPrinter(cups_server.file_queue, poll_seconds=0.05)
    assert printer.status().ready
    started = time.monotonic()
    printer.print_pdf(receipt.pdf, "kiosk-07-20261124-0001", timeout_seconds=15)
    elapsed = time.monotonic() - started
    assert _wait_for_file(cups_server.jobs_dir).read_bytes() == receipt.pdf
    assert elapsed < 10


@pytest.mark.parametrize(
    ("queue", "kind", "words"),
    [
        ("empty_queue", PrinterProblemKind.MEDIA_EMPTY, "打印机缺纸，请联系工作人员。"),
        ("jam_queue", PrinterProblemKind.MEDIA_JAM, "打印机卡纸，请联系工作人员。"),
    ],
)
def test_a_printer_fault_reaches_the_person_as_its_message_within_seconds(
    cups_server: CupsServer, receipt_for: Any, queue: str, kind: PrinterProblemKind, words: str
) -> None:
    name = getattr(cups_server, queue)
    cups_server.reset_queue(name)
    printer = CupsPrinter(name, poll_seconds=0.05)
    assert printer.status().ready  # the fault shows only once a job reaches the backend
    pdf = render(receipt_for(ZHANG), 58).pdf
    started = time.monotonic()
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(pdf, "kiosk-07-20261124-0002", timeout_seconds=15)
    assert time.monotonic() - started < 8
    assert raised.value.kind is kind
    assert failure_text(raised.value, "zh") == words + "您的查询结果不受影响。"
    assert "error" in raised.value.operator_message  # the CUPS reason, for the operator
    # The queue stays stopped: the next person is told at once, before anything is sent.
    status = printer.status()
    assert not status.ready
    assert status.problems == (kind,)
    started = time.monotonic()
    with pytest.raises(PrinterProblem) as again:
        printer.print_pdf(pdf, "kiosk-07-20261124-0003", timeout_seconds=15)
    assert again.value.kind is kind
    assert time.monotonic() - started < 1


def test_a_stopped_queue_is_reported_as_stopped(cups_server: CupsServer) -> None:
    cups_server.reset_queue(cups_server.file_queue)
    subprocess.run(["cupsdisable", cups_server.file_queue], env=cups_server.env, check=True)
    try:
        status = CupsPrinter(cups_server.file_queue).status()
        assert status.problems == (PrinterProblemKind.QUEUE_STOPPED,)
    finally:
        cups_server.reset_queue(cups_server.file_queue)


def test_an_unknown_queue_is_a_typed_problem(cups_server: CupsServer) -> None:
    status = CupsPrinter("no-such-queue").status()
    assert not status.ready
    assert status.problems == (PrinterProblemKind.OTHER,)
    assert "no such queue" in status.detail


def test_the_kiosk_prints_through_cups_from_its_config(
    cups_server: CupsServer, receipt_for: Any, tmp_path: Path
) -> None:
    for old in cups_server.jobs_dir.glob("job-*"):
        old.unlink()
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "var"\n[printer]\nkind = "cups"\n'
        f'cups_queue = "{cups_server.file_queue}"\npaper_roll_mm = 20000\n'
    )
    printer = ReceiptPrinter.from_config(load_config(path))
    receipt = printer.print_receipt(receipt_for(ZHANG))
    assert _wait_for_file(cups_server.jobs_dir).read_bytes() == receipt.pdf
    assert printer.paper_left_mm == int(20_000 - receipt.length_mm)

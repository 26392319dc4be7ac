"""The spool printer and the demo printer; a missing CUPS server fails fast."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from kiosk.words.failures import failure_text
from printing import dispatch
from printing.dispatch import CupsPrinter, SpoolPrinter, safe_name
from printing.problems import PrinterProblem, PrinterProblemKind
from realparts.printer import FaultyPrinter

PDF = b"%PDF-1.4 test\n%%EOF\n"


def test_spool_writes_the_pdf_named_by_its_serial(tmp_path: Path) -> None:
    printer = SpoolPrinter(tmp_path / "spool")
    assert printer.status().ready
    printer.print_pdf(PDF, "kiosk-07-20261124-0001")
    printer.print_pdf(PDF + b"2", "kiosk-07-20261124-0001")
    files = sorted(p.name for p in (tmp_path / "spool").iterdir())
    assert files == ["kiosk-07-20261124-0001-2.pdf", "kiosk-07-20261124-0001.pdf"]
    assert (tmp_path / "spool" / "kiosk-07-20261124-0001.pdf").read_bytes() == PDF


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("张伟 A32010001", "x"),
        ("320102195203120316", "x"),
        ("../../etc/passwd", "etc_passwd"),
        ("", "receipt"),
    ],
)
def test_file_names_never_carry_personal_data(title: str, name: str) -> None:
    assert safe_name(title) == name


def test_a_spool_folder_that_cannot_exist_is_a_typed_problem(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    printer = SpoolPrinter(tmp_path / "file" / "spool")
    status = printer.status()
    assert not status.ready
    assert status.problems == (PrinterProblemKind.SPOOL_FAILED,)
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(PDF, "r-1")
    assert raised.value.kind is PrinterProblemKind.SPOOL_FAILED
    assert "凭条暂时无法保存" in failure_text(raised.value, "zh")


def test_a_full_disk_is_a_typed_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    printer = SpoolPrinter(tmp_path)

    def full(fd: int, *args: object, **kwargs: object) -> object:
        os.close(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dispatch.os, "fdopen", full)
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(PDF, "r-1")
    assert raised.value.kind is PrinterProblemKind.SPOOL_FAILED
    assert "ENOSPC" in raised.value.operator_message
    assert list(tmp_path.iterdir()) == []  # the half-written temporary is gone


def test_nearly_no_free_space_means_not_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        dispatch.shutil, "disk_usage", lambda _p: dispatch.shutil._ntuple_diskusage(1, 1, 10)
    )
    status = SpoolPrinter(tmp_path).status()
    assert not status.ready
    assert "nearly full" in status.detail


@pytest.mark.parametrize("kind", list(PrinterProblemKind))
def test_the_demo_printer_always_has_its_problem(kind: PrinterProblemKind) -> None:
    printer = FaultyPrinter(kind)
    assert printer.status().problems == (kind,)
    assert not printer.status().ready
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(PDF, "r-1")
    assert raised.value.kind is kind


def test_no_cups_server_is_offline_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-such.sock"))
    printer = CupsPrinter("receipts")
    started = time.monotonic()
    status = printer.status()
    assert not status.ready
    assert status.problems == (PrinterProblemKind.OFFLINE,)
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(PDF, "r-1", timeout_seconds=5)
    assert raised.value.kind is PrinterProblemKind.OFFLINE
    assert time.monotonic() - started < 2


def test_a_cups_call_that_hangs_times_out() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterProblem) as raised:
        dispatch._bounded(lambda: time.sleep(5), 0.3)
    assert raised.value.kind is PrinterProblemKind.TIMEOUT
    assert time.monotonic() - started < 1


def test_a_queue_name_is_required() -> None:
    with pytest.raises(ValueError, match="cups_queue"):
        CupsPrinter("")

"""The spool, data or log disk full: a printer problem in words, never a crash.

Each disk is a tiny tmpfs filled to the last byte (the tests run as root, as CI does).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.log import setup_logging
from kiosk.session.view import ProblemKind, State
from kiosk.words.failures import failure_text
from printing.problems import PrinterProblem, PrinterProblemKind
from tests.faults.conftest import FaultKiosk, FaultKioskMaker

pytestmark = pytest.mark.integration

DISK_BYTES = 512 * 1024


class SmallDisk:
    def __init__(self, mount_point: Path) -> None:
        self.path = mount_point

    def fill(self) -> None:
        with (self.path / "filler").open("ab", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass  # ENOSPC: the disk is full, which is the point
        with (
            pytest.raises(OSError, match="No space"),
            (self.path / "probe").open("wb", buffering=0) as file,
        ):
            file.write(b"x" * 8192)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    point = tmp_path / "small-disk"
    point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(point)], check=True
    )
    try:
        yield SmallDisk(point)
    finally:
        subprocess.run(["umount", "-l", str(point)], check=True)


def _printing_fails_in_words_and_the_session_goes_on(kiosk: FaultKiosk) -> None:
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.problem is not None, timeout=10_000)
    assert kiosk.session.view.state is State.PRINTING
    kiosk.assert_problem_shown(ProblemKind.PRINTER)
    expected = failure_text(PrinterProblem(PrinterProblemKind.SPOOL_FAILED), "zh")
    assert expected in kiosk.visible_texts()
    kiosk.tap_text("printing.back")
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap_text("button.finish")
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.assert_no_audit_lost()
    assert ("print", "failed_printer") in kiosk.audited
    kiosk.assert_ready_for_next_person()


def test_spool_disk_full_is_a_printer_problem(
    make_fault_kiosk: FaultKioskMaker, small_disk: SmallDisk
) -> None:
    kiosk = make_fault_kiosk(spool_dir=small_disk.path / "receipts")
    small_disk.fill()
    _printing_fails_in_words_and_the_session_goes_on(kiosk)


def test_data_disk_full_with_the_spool_on_it_is_a_printer_problem(
    make_fault_kiosk: FaultKioskMaker, small_disk: SmallDisk
) -> None:
    """The default layout: receipts, serial counter, paper counter and journal on data_dir."""
    kiosk = make_fault_kiosk(data_dir=small_disk.path / "kiosk")
    small_disk.fill()
    _printing_fails_in_words_and_the_session_goes_on(kiosk)


@pytest.fixture
def kiosk_logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook, threading.excepthook
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            with contextlib.suppress(OSError):  # as logging.shutdown() does at exit
                handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


@pytest.mark.usefixtures("kiosk_logging_restored")
def test_log_disk_full_does_not_stop_the_kiosk(
    make_fault_kiosk: FaultKioskMaker, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = small_disk.path / "logs" / "kiosk.log"
    setup_logging("INFO", log_file, console=False)
    small_disk.fill()
    kiosk = make_fault_kiosk()
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.wait_for(State.TAKE_CARD)  # a whole session, logging all the way
    assert kiosk.session.view.printed
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()
    logging.getLogger("kiosk.faults").warning("one more line for the full disk")
    assert log_file.stat().st_size < DISK_BYTES  # the lines really had nowhere to go
    del capsys  # logging's handleError reports on stderr; that is all it may do

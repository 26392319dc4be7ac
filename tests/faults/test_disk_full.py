"""The spool, data or log disk full: a printer problem in words, never a crash; the receipt
key and the audit outbox on a full disk: nothing half-written, nothing lost (issue 15).

Each disk is a tiny tmpfs filled to the last byte (the tests run as root, as CI does).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import KioskConfig
from kiosk.log import setup_logging
from kiosk.receipt_key import KEY_BYTES, KEY_NAME
from kiosk.session.view import ProblemKind, State
from kiosk.words import text
from kiosk.words.failures import failure_text
from printing.problems import PrinterProblem, PrinterProblemKind
from realparts.config import rig_config
from realparts.postgres import PostgresCluster
from tests.faults.conftest import FaultKiosk, FaultKioskMaker
from tests.ui.conftest import ADMIN_PIN

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

    def free(self) -> None:
        """Space again: the operator deleted what filled the disk."""
        for name in ("filler", "probe"):
            (self.path / name).unlink(missing_ok=True)


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


# -- the receipt key on a full disk (issue 15) ---------------------------------------------------


def _start_kiosk(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`kiosk run --smoke` as systemd starts it: paint the start screen, then exit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "--config", str(config), "run", "--smoke"],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_full_disk_while_making_the_key_leaves_nothing_and_the_next_start_works(
    small_disk: SmallDisk, tmp_path: Path, fault_sqlite_url: str
) -> None:
    data = small_disk.path / "kiosk"
    data.mkdir()
    log_file = tmp_path / "logs" / "kiosk.log"  # elsewhere: this test is about the key
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "disk-full-key"\ndata_dir = "{data}"\nfullscreen = false\n'
        f'[store]\nurl = "{fault_sqlite_url}"\n[logging]\nfile = "{log_file}"\n'
    )
    small_disk.fill()
    first = _start_kiosk(config, tmp_path)
    logged = log_file.read_text(encoding="utf-8")
    assert first.returncode == 0, first.stderr  # the kiosk starts; only slips must wait
    assert "Traceback" not in first.stdout + first.stderr + logged
    assert "receipts cannot be printed: receipt key not made in" in logged
    assert "No space left on device" in logged
    assert not (data / KEY_NAME).exists()  # no 0-byte key to crash every later start
    assert not [p.name for p in data.iterdir() if p.name.startswith(f".{KEY_NAME}-")]
    small_disk.free()
    again = _start_kiosk(config, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stdout + again.stderr + log_file.read_text(encoding="utf-8")
    key = data / KEY_NAME
    assert key.stat().st_size == KEY_BYTES
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def _config_on(
    folder: Path, store_url: str, store: str = "", spool_dir: Path | None = None
) -> KioskConfig:
    folder.mkdir(parents=True, exist_ok=True)
    return rig_config(
        folder,
        store_url,
        kiosk_id=f"fault-{uuid.uuid4().hex[:10]}",
        store=store,
        spool_dir=spool_dir,
        admin_pin=ADMIN_PIN,
    )


@contextlib.contextmanager
def _fault_kiosk(qtbot: QtBot, config: KioskConfig) -> Iterator[FaultKiosk]:
    """A FaultKiosk on a config written beforehand (make_fault_kiosk writes its kiosk.toml
    into data_dir, which these tests fill first)."""
    kiosk = FaultKiosk(qtbot, config)
    try:
        yield kiosk
    finally:
        kiosk.close()


def test_full_disk_at_start_the_kiosk_serves_and_prints_once_there_is_room(
    qtbot: QtBot, small_disk: SmallDisk, tmp_path: Path, fault_sqlite_url: str
) -> None:
    # The spool elsewhere: it wants more room than this whole disk has (MIN_FREE_BYTES).
    config = _config_on(small_disk.path / "kiosk", fault_sqlite_url, spool_dir=tmp_path / "r")
    small_disk.fill()
    with _fault_kiosk(qtbot, config) as kiosk:
        printer = kiosk.parts.receipts.printer
        status = printer.status()
        assert not status.ready
        assert "receipt key not made" in status.detail
        assert "No space left on device" in status.detail
        assert not (config.data_dir / KEY_NAME).exists()
        kiosk.at_overview()  # the balance needs no key
        kiosk.tap_text("nav.print")
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.problem is not None, timeout=10_000)
        kiosk.assert_problem_shown(ProblemKind.PRINTER)
        kiosk.tap_text("printing.back")
        kiosk.wait_for(State.OVERVIEW)
        small_disk.free()
        kiosk.tap_text("nav.print")
        kiosk.wait_for(State.TAKE_CARD, timeout=10_000)
        assert kiosk.session.view.printed
        key = (config.data_dir / KEY_NAME).read_bytes()
        assert len(key) == KEY_BYTES
        kiosk.assert_no_audit_lost()
        kiosk.assert_ready_for_next_person()
    with _fault_kiosk(qtbot, config) as restarted:  # the next start keeps that key
        assert restarted.parts.receipts.printer.key == key
        assert restarted.parts.receipts.printer.key_notice == ""


def _open_maintenance(kiosk: FaultKiosk) -> None:
    kiosk.wait_for(State.IDLE)
    kiosk.window._hold.setInterval(100)  # the real hold is 5 s
    corner = kiosk.window.maintenance_corner
    kiosk.qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    kiosk.wait_for(State.MAINTENANCE_PIN)
    kiosk.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    kiosk.type_pin(ADMIN_PIN)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.maintenance is not None, timeout=10_000)


def test_a_0_byte_key_is_replaced_at_start_and_the_maintenance_screen_says_so(
    qtbot: QtBot, tmp_path: Path, fault_sqlite_url: str
) -> None:
    """What a full disk left under the old code: a 0-byte key that failed every start."""
    folder = tmp_path / "kiosk"
    folder.mkdir()
    (folder / KEY_NAME).write_bytes(b"")
    config = _config_on(folder, fault_sqlite_url)
    with _fault_kiosk(qtbot, config) as kiosk:
        assert (folder / KEY_NAME).stat().st_size == KEY_BYTES
        printer = kiosk.parts.receipts.printer
        notice = printer.key_notice
        assert notice.startswith("receipt key was damaged (0 bytes) and replaced on ")
        assert "receipts printed before cannot be verified with this kiosk" in notice
        kiosk.at_overview()
        kiosk.tap_text("nav.print")
        kiosk.wait_for(State.TAKE_CARD, timeout=10_000)  # slips print with the new key
        kiosk.remove()
        _open_maintenance(kiosk)
        view = kiosk.session.view
        assert view.maintenance is not None
        assert view.maintenance.key_notice == notice  # KioskParts.health() passes it on
        shown = kiosk.visible_texts()
        assert text("maintenance.key_notice", "zh", notice=notice) in shown, shown


# -- the audit outbox on a full disk with the store down (issue 15) -------------------------------

PROBE_ROWS = 200


def test_full_disk_with_the_store_down_holds_audit_rows_and_loses_none(
    qtbot: QtBot, small_disk: SmallDisk, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    config = _config_on(small_disk.path / "kiosk", fault_pg_url, store="timeout_seconds = 1.0")
    with _fault_kiosk(qtbot, config) as kiosk:
        accounts = kiosk.parts.accounts
        kiosk.at_overview()  # the store answers: the rows go straight to it
        fault_cluster.stop()
        kiosk.tap_text("nav.history")
        kiosk.wait_for(State.SERVICE_UNAVAILABLE, timeout=10_000)
        kiosk.drain()
        in_file = accounts.outbox_pending
        assert in_file >= 1  # the disk had room: the refused query's row is in the file
        small_disk.fill()
        for _ in range(PROBE_ROWS):  # a day of audit rows while the disk stays full
            accounts.record_query("disk_full_probe", "store_unavailable", reachable=False)
        held = accounts.service.outbox_held_in_memory
        assert held > PROBE_ROWS // 2, held  # a few may fit in the log file's spare pages
        assert accounts.outbox_pending + held == in_file + PROBE_ROWS
        assert accounts.service.outbox_dropped == 0
        kiosk.remove()
        kiosk.wait_for(State.IDLE)  # the kiosk goes on meanwhile
        small_disk.free()
        fault_cluster.start()
        started = time.monotonic()
        while accounts.flush_outbox() == 0 and time.monotonic() - started < 10:
            time.sleep(0.2)  # the pool's first connection after the restart may fail once
        assert accounts.service.outbox_held_in_memory == 0
        assert accounts.outbox_pending == 0
        assert kiosk.stored_audit()[("disk_full_probe", "store_unavailable")] == PROBE_ROWS
        kiosk.assert_no_audit_lost()
        kiosk.assert_ready_for_next_person()


def test_rows_the_store_took_are_not_sent_again_while_the_disk_is_too_full_to_delete_them(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    from datetime import datetime

    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    from kiosk.store.audit import AuditWriter, new_record
    from kiosk.store.models import Base
    from kiosk.store.outbox import AuditOutbox

    store = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    Base.metadata.create_all(store, tables=[Base.metadata.tables["audit_event"]])
    outbox = AuditOutbox(small_disk.path / "audit-outbox.sqlite3")
    writer = AuditWriter(store, outbox)
    for n in range(20):  # the store was down: they wait in the file
        writer.write(new_record("k-del", f"q{n}", "ok", None, datetime(2026, 12, 1)), False)
    assert outbox.pending_count() == 20
    small_disk.fill()
    assert writer.flush() == 20  # the store took them; the DELETE found no room
    assert writer.flush() == 0  # and they are not sent again and again
    assert outbox.pending_count() == 20  # still in the file, skipped until they can go
    small_disk.free()
    assert outbox.oldest() == []
    assert outbox.pending_count() == 0  # deleted once there is room
    with store.connect() as connection:
        assert connection.execute(sql("SELECT count(*) FROM audit_event")).scalar() == 20
    outbox.close()

"""The heartbeat reaches the store, and systemd hears READY, and WATCHDOG=1 only while the
UI thread, every worker lane and the reader monitor prove alive."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.health import HealthWatch, default_limits
from kiosk.sd_notify import SystemdNotifier
from kiosk.store.models import TABLES
from kiosk.worker import MAX_STUCK, Lane, ThreadWorker
from tests.ui.conftest import KioskUnderTest
from ui.housekeeping import EXIT_STALLED, Housekeeping


def test_a_heartbeat_row_says_how_the_kiosk_is(make_kiosk: Callable[..., KioskUnderTest]) -> None:
    kiosk = make_kiosk()
    housekeeping = Housekeeping(kiosk.parts, SystemdNotifier(""))
    housekeeping.start()
    try:
        kiosk.qtbot.waitUntil(lambda: housekeeping.last_store_state == "ok", timeout=5000)
    finally:
        housekeeping.stop()
    with kiosk.parts.accounts.service.engine.connect() as connection:
        rows = connection.execute(select(TABLES["kiosk_heartbeat"])).mappings().all()
    row = next(r for r in rows if r["kiosk_id"] == "ui-test-kiosk")
    assert row["reader_state"] == "ok (1)"
    assert row["printer_state"] == "ready"
    assert row["version"]


def test_systemd_hears_ready_and_watchdog_pings(
    make_kiosk: Callable[..., KioskUnderTest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk = make_kiosk()
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(0)
        monkeypatch.setenv("WATCHDOG_USEC", "200000")  # ping every 100 ms
        housekeeping = Housekeeping(kiosk.parts, SystemdNotifier(address))
        housekeeping.start()
        heard: list[str] = []

        def pinged() -> bool:
            with contextlib.suppress(BlockingIOError):
                heard.append(listener.recv(256).decode())
            return heard.count("WATCHDOG=1") >= 2

        kiosk.qtbot.waitUntil(pinged, timeout=3000)
        housekeeping.stop()
    assert heard[0].startswith("READY=1")


def test_start_up_loads_the_store_and_the_receipt_fonts_before_the_first_card(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    from printing import fonts

    kiosk = make_kiosk()
    housekeeping = Housekeeping(kiosk.parts, SystemdNotifier(""))
    housekeeping.start()
    try:
        kiosk.qtbot.waitUntil(lambda: housekeeping.last_store_state == "ok", timeout=5000)
    finally:
        housekeeping.stop()
    assert kiosk.parts.accounts._service is not None
    assert fonts.registered()


# -- the honest watchdog: pings only while every part proves alive ---------------------------


class Systemd:
    """The notify socket as systemd holds it for a unit with WatchdogSec: it records what
    arrives and says whether the watchdog would have fired (no WATCHDOG=1 for too long)."""

    def __init__(self, folder: Path, watchdog_sec: float) -> None:
        self.address = str(folder / "notify.sock")
        self.watchdog_sec = watchdog_sec
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.address)
        self.socket.settimeout(0)
        self.heard: list[tuple[float, str]] = []

    def read(self) -> list[str]:
        with contextlib.suppress(BlockingIOError):
            while True:
                self.heard.append((time.monotonic(), self.socket.recv(512).decode()))
        return [message for _, message in self.heard]

    def pings_since(self, since: float) -> int:
        self.read()
        return sum(1 for at, message in self.heard if at >= since and message == "WATCHDOG=1")

    def would_restart(self) -> bool:
        self.read()
        pings = [at for at, message in self.heard if message == "WATCHDOG=1"]
        last = pings[-1] if pings else 0.0
        return time.monotonic() - last > self.watchdog_sec

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Systemd]:
    unit = (Path(__file__).parents[2] / "deploy" / "sscard-kiosk.service").read_text()
    assert "Type=notify" in unit
    assert "Restart=always" in unit
    assert re.search(r"^WatchdogSec=\d+", unit, re.MULTILINE)
    watchdog_sec = 1.0  # the unit says 30 s; the same logic, scaled down for a test
    monkeypatch.setenv("WATCHDOG_USEC", str(int(watchdog_sec * 1_000_000)))
    manager = Systemd(tmp_path, watchdog_sec)
    yield manager
    manager.close()


def quick_parts(kiosk: KioskUnderTest) -> ThreadWorker:
    """Give the kiosk lanes with 0.3 s deadlines and a watch with 1.5 s limits."""
    worker = ThreadWorker(kiosk.bridge.post, {lane: 0.3 for lane in Lane})
    kiosk.parts.worker.shutdown()
    kiosk.parts.worker = worker
    limits = {part: 1.5 for part in default_limits()}
    kiosk.parts.watch = HealthWatch(worker, lambda: 0.0, limits)
    return worker


def test_a_healthy_kiosk_keeps_pinging_even_after_a_hung_card_call_was_abandoned(
    make_kiosk: Callable[..., KioskUnderTest], systemd: Systemd
) -> None:
    kiosk = make_kiosk()
    worker = quick_parts(kiosk)
    release = threading.Event()
    housekeeping = Housekeeping(kiosk.parts, SystemdNotifier(systemd.address))
    housekeeping.start()
    try:
        worker.submit(release.wait, lambda _r: None, lambda _e: None, Lane.CARD)  # recovered
        began = time.monotonic()
        kiosk.qtbot.wait(3000)
        assert systemd.pings_since(began) >= 4
        assert not systemd.would_restart()
        assert housekeeping.last_verdict.healthy
    finally:
        release.set()
        housekeeping.stop()


@pytest.mark.allow_error_logs
def test_a_stuck_worker_lane_stops_the_pings_and_says_which_part_stalled(
    make_kiosk: Callable[..., KioskUnderTest], systemd: Systemd
) -> None:
    kiosk = make_kiosk()
    worker = quick_parts(kiosk)
    release = threading.Event()
    exits: list[int] = []
    housekeeping = Housekeeping(
        kiosk.parts, SystemdNotifier(systemd.address), exit_kiosk=exits.append,
        exit_after_seconds=2.0,
    )  # fmt: skip
    housekeeping.start()
    try:
        kiosk.qtbot.waitUntil(lambda: systemd.pings_since(0) >= 1, timeout=3000)
        for _ in range(MAX_STUCK + 1):  # the last hang is past recovery: the lane waits
            worker.submit(release.wait, lambda _r: None, lambda _e: None, Lane.STORE)
        kiosk.qtbot.waitUntil(lambda: not housekeeping.last_verdict.healthy, timeout=5000)
        systemd.read()  # what was sent before the stall was seen
        stalled = time.monotonic()
        kiosk.qtbot.wait(1500)
        assert systemd.pings_since(stalled) == 0
        assert systemd.would_restart()
        assert "worker.store" in housekeeping.last_verdict.words()
        assert any("STATUS=stalled: worker.store" in m for m in systemd.read())
        assert "worker.store" in "; ".join(kiosk.parts.alerts())
        kiosk.qtbot.waitUntil(lambda: exits == [EXIT_STALLED], timeout=5000)
    finally:
        release.set()
        housekeeping.stop()


@pytest.mark.allow_error_logs
def test_the_heartbeat_and_fleet_status_say_which_part_stalled(
    make_kiosk: Callable[..., KioskUnderTest], systemd: Systemd, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from kiosk.cli import main

    kiosk = make_kiosk()
    worker = quick_parts(kiosk)
    release = threading.Event()
    housekeeping = Housekeeping(kiosk.parts, SystemdNotifier(systemd.address))
    housekeeping.start()
    try:
        for _ in range(MAX_STUCK + 1):  # the card lane past recovery; the store lane is fine
            worker.submit(release.wait, lambda _r: None, lambda _e: None, Lane.CARD)
        kiosk.qtbot.waitUntil(lambda: not housekeeping.last_verdict.healthy, timeout=5000)

        def stored_alert() -> str:
            with kiosk.parts.accounts.service.engine.connect() as connection:
                rows = connection.execute(select(TABLES["kiosk_heartbeat"])).mappings().all()
            return next((r["alerts"] for r in rows if r["kiosk_id"] == "ui-test-kiosk"), "")

        kiosk.qtbot.waitUntil(lambda: "worker.card" in stored_alert(), timeout=5000)
    finally:
        release.set()
        housekeeping.stop()
    assert "stalled: worker.card" in stored_alert()
    assert kiosk.config.source is not None
    # The kiosk's clock is the tests' fake one (a week ago): not stale for this question.
    args = ["--config", str(kiosk.config.source), "fleet", "status", "--stale-after", "1e9"]
    assert main(args) == 1
    row = next(line for line in capsys.readouterr().out.splitlines() if "ui-test-kiosk" in line)
    assert "UNHEALTHY" in row
    assert "stalled: worker.card" in row


def test_a_locked_admin_pin_pad_is_raised_in_the_heartbeat(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    kiosk = make_kiosk()
    assert not any("admin PIN" in alert for alert in kiosk.parts.alerts())
    for _ in range(3):
        kiosk.session.open_maintenance()
        kiosk.session.submit_admin_pin(bytearray(b"000000"))
        kiosk.drain()
        kiosk.settle()
    alerts = "; ".join(kiosk.parts.alerts())
    assert "admin PIN pad locked" in alerts
    assert "3 wrong in a row" in alerts


def test_a_damaged_card_pseudonym_key_is_shown_in_maintenance_and_raised(
    make_kiosk: Callable[..., KioskUnderTest], tmp_path: Path
) -> None:
    kiosk = make_kiosk()
    data_dir = kiosk.config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "pseudonym-key").write_bytes(b"short")
    kiosk.parts.warm_up()  # builds the AccountService, which makes (or replaces) the key
    info = kiosk.parts.health()
    assert "pseudonym" in info.key_notice
    assert "card pseudonym key was damaged and replaced" in kiosk.parts.alerts()
    assert (data_dir / "pseudonym-key").stat().st_size == 32

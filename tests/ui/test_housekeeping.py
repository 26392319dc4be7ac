"""The heartbeat reaches the store, and systemd hears READY and the watchdog from the UI thread."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.sd_notify import SystemdNotifier
from kiosk.store.models import TABLES
from tests.ui.conftest import KioskUnderTest
from ui.housekeeping import Housekeeping


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

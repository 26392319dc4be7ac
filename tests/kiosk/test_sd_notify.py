"""The systemd notify messages arrive on a real datagram socket, as systemd would read them."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.sd_notify import SystemdNotifier


def test_ready_and_watchdog_reach_the_notify_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(2)
        notifier = SystemdNotifier(path)
        assert notifier.ready("attract screen shown")
        assert listener.recv(1024) == b"READY=1\nSTATUS=attract screen shown"
        assert notifier.watchdog()
        assert listener.recv(1024) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = SystemdNotifier()
    assert not notifier.active
    assert not notifier.ready()


def test_a_vanished_socket_does_not_raise(tmp_path: Path) -> None:
    assert not SystemdNotifier(str(tmp_path / "gone")).watchdog()


def test_the_watchdog_interval_is_half_of_watchdog_sec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert SystemdNotifier("x").watchdog_interval_seconds() == 15
    monkeypatch.setenv("WATCHDOG_USEC", "")
    assert SystemdNotifier("x").watchdog_interval_seconds() is None

"""systemd's notify protocol (READY=1, WATCHDOG=1, STATUS=...), without a dependency.

Under `Type=notify` with `WatchdogSec=`, systemd restarts the kiosk when the UI thread stops
sending WATCHDOG=1: a frozen screen gets restarted instead of staying frozen in a waiting room.
Outside systemd (no NOTIFY_SOCKET) every call does nothing.
"""

from __future__ import annotations

import os
import socket


class SystemdNotifier:
    def __init__(self, address: str | None = None) -> None:
        self._address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")

    @property
    def active(self) -> bool:
        return bool(self._address)

    def watchdog_interval_seconds(self) -> float | None:
        """Half of WatchdogSec, the interval systemd's documentation recommends, or None."""
        usec = os.environ.get("WATCHDOG_USEC", "")
        return int(usec) / 2_000_000 if usec.isdigit() and int(usec) > 0 else None

    def notify(self, *fields: str) -> bool:
        """Send `fields` (e.g. "READY=1"); False when there is no systemd or it did not listen."""
        if not self._address:
            return False
        address = self._address
        if address.startswith("@"):  # abstract namespace socket
            address = "\0" + address[1:]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(fields).encode("utf-8"), address)
        except OSError:
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

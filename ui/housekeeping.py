"""Timers that keep a kiosk healthy between people: the heartbeat and systemd's watchdog.

The heartbeat (reader, printer, paper, last error, version) goes to the store every minute
on the worker thread, and flushes audit rows that waited in the outbox. The watchdog ping is
sent from the UI thread on purpose: if the UI freezes, the pings stop and systemd restarts
the kiosk instead of leaving a frozen screen in a waiting room.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from kiosk.app import KioskParts
from kiosk.sd_notify import SystemdNotifier

HEARTBEAT_MS = 60_000
log = logging.getLogger(__name__)


class Housekeeping(QObject):
    def __init__(self, parts: KioskParts, notifier: SystemdNotifier | None = None) -> None:
        super().__init__()
        self._parts = parts
        self._notifier = notifier or SystemdNotifier()
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self.beat)
        self._watchdog = QTimer(self)
        self._watchdog.timeout.connect(self._notifier.watchdog)
        self.last_store_state = ""

    def start(self) -> None:
        self._parts.worker.submit(self._parts.warm_up, lambda _r: None, self._warm_up_failed)
        self._heartbeat.start()
        self.beat()
        interval = self._notifier.watchdog_interval_seconds()
        if interval is not None:
            self._watchdog.start(int(interval * 1000))
        self._notifier.ready("kiosk ready")

    def beat(self) -> None:
        self._parts.worker.submit(self._parts.heartbeat, self._stored, lambda _e: None)

    @staticmethod
    def _warm_up_failed(error: Exception) -> None:
        # Not fatal: the first session then loads what failed, and reports it there.
        log.warning("warm-up failed: %s", type(error).__name__)

    def _stored(self, state: object) -> None:
        self.last_store_state = str(state)

    def stop(self) -> None:
        self._heartbeat.stop()
        self._watchdog.stop()
        self._notifier.stopping()

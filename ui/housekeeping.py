"""Timers that keep a kiosk healthy between people: the heartbeat and systemd's watchdog.

The heartbeat (reader, printer, paper, last error, alerts, version) goes to the store every
minute on the store lane, and flushes audit rows that waited in the outbox. The watchdog
ping is sent only when kiosk.health's watch says every part proved alive (the UI thread by
running this timer, each worker lane by a probe, the reader monitor by its last turn). A
stall is reported at once (heartbeat alert, systemd STATUS); one that lasts
`exit_after_seconds` ends the kiosk with EXIT_STALLED so systemd starts a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from kiosk.app import KioskParts
from kiosk.health import EXIT_AFTER_SECONDS, Verdict
from kiosk.sd_notify import SystemdNotifier
from kiosk.worker import Lane

HEARTBEAT_MS = 60_000
WATCH_MS = 5_000  # how often the parts are judged without systemd (and at most, with it)
EXIT_STALLED = 75  # EX_TEMPFAIL: restart me
log = logging.getLogger(__name__)


class Housekeeping(QObject):
    def __init__(
        self,
        parts: KioskParts,
        notifier: SystemdNotifier | None = None,
        *,
        exit_kiosk: Callable[[int], None] | None = None,
        exit_after_seconds: float = EXIT_AFTER_SECONDS,
    ) -> None:
        super().__init__()
        self._parts = parts
        self._notifier = notifier or SystemdNotifier()
        self._exit_kiosk = exit_kiosk
        self._exit_after = exit_after_seconds
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self.beat)
        self._watch = QTimer(self)
        self._watch.timeout.connect(self.watch)
        self.last_store_state = ""
        self.last_verdict = Verdict()
        self.pings = 0
        self._exiting = False

    def start(self) -> None:
        worker = self._parts.worker
        worker.submit(self._parts.warm_up, lambda _r: None, self._warm_up_failed, Lane.STORE)
        self._heartbeat.start()
        self.beat()
        interval = self._notifier.watchdog_interval_seconds()
        every_ms = WATCH_MS if interval is None else min(WATCH_MS, int(interval * 1000))
        self._watch.start(max(every_ms, 1))
        self._notifier.ready("kiosk ready")

    def beat(self) -> None:
        self._parts.worker.submit(self._parts.heartbeat, self._stored, lambda _e: None, Lane.STORE)

    def watch(self) -> None:
        """Judge the parts; ping systemd only for a kiosk whose every part is alive."""
        verdict = self._parts.watch.turn()
        was_healthy, self.last_verdict = self.last_verdict.healthy, verdict
        if verdict.healthy:
            if self._notifier.watchdog():
                self.pings += 1
            if not was_healthy:
                log.warning("kiosk recovered: every part answers again")
                self._notifier.notify("STATUS=kiosk ready")
            return
        if was_healthy:
            log.error("kiosk %s", verdict.words())
            self._notifier.notify(f"STATUS={verdict.words()}")
            self.beat()  # the store lane may still answer: say which part stalled now
        if verdict.stalled_for >= self._exit_after and not self._exiting:
            self._exiting = True
            log.critical("kiosk %s for %.0f s: exiting to be restarted", verdict.words(),
                         verdict.stalled_for)  # fmt: skip
            if self._exit_kiosk is not None:
                self._exit_kiosk(EXIT_STALLED)

    @staticmethod
    def _warm_up_failed(error: Exception) -> None:
        # Not fatal: the first session then loads what failed, and reports it there.
        log.warning("warm-up failed: %s", type(error).__name__)

    def _stored(self, state: object) -> None:
        self.last_store_state = str(state)

    def stop(self) -> None:
        self._heartbeat.stop()
        self._watch.stop()
        self._notifier.stopping()

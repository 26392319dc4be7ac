"""Proof of life from every part that keeps the kiosk serving, for an honest watchdog.

systemd's watchdog restarts a kiosk that stops sending WATCHDOG=1. A ping sent from a UI
timer alone proves only the UI: a kiosk whose card lane or reader monitor hung would be
pinged for ever while serving nobody. So a ping is sent only while each part has proved
itself recently:

- the UI thread, by calling `turn()` from its timer at all;
- each worker lane, by running a probe job (it queues behind whatever the lane is doing,
  and a job can hold a lane at most its deadline, so a late probe means a lane that stopped
  recovering);
- the reader monitor, by the age of its last loop turn (the backend's `health()`).

`turn()` returns the verdict; the UI side (ui.housekeeping) pings, reports and, after
`exit_after_seconds` of stall, exits so systemd (Restart=always) starts a fresh kiosk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiosk.worker import DEFAULT_DEADLINES, Lane, Worker

UI = "ui"
READER = "reader-monitor"
# A probe may wait behind one job that runs to its deadline; the reader monitor turns at
# least once a second and replaces itself after 3 s of silence, so 30 s is a monitor that
# cannot get through to pcscd at all.
PROBE_SLACK_SECONDS = 10.0
READER_LIMIT_SECONDS = 30.0
EXIT_AFTER_SECONDS = 60.0


def lane_part(lane: Lane) -> str:
    return f"worker.{lane}"


def default_limits(deadlines: Mapping[Lane, float] = DEFAULT_DEADLINES) -> dict[str, float]:
    limits = {lane_part(lane): seconds + PROBE_SLACK_SECONDS for lane, seconds in deadlines.items()}
    return {UI: PROBE_SLACK_SECONDS, **limits, READER: READER_LIMIT_SECONDS}


@dataclass(frozen=True)
class Verdict:
    """Which parts have not proved alive within their limit, with how long ago they did."""

    stalled: tuple[tuple[str, float], ...] = ()
    stalled_for: float = 0.0  # seconds since the kiosk first stopped being healthy

    @property
    def healthy(self) -> bool:
        return not self.stalled

    def words(self) -> str:
        """Operator words: 'stalled: worker.card (41 s), reader-monitor (33 s)' or ''."""
        if not self.stalled:
            return ""
        return "stalled: " + ", ".join(f"{part} ({age:.0f} s)" for part, age in self.stalled)


class HealthWatch:
    def __init__(
        self,
        worker: Worker,
        reader_age: Callable[[], float],
        limits: Mapping[str, float] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._worker = worker
        self._reader_age = reader_age
        self.limits = dict(limits if limits is not None else default_limits())
        self._clock = clock
        started = clock()
        self._seen = {part: started for part in self.limits}
        self._lock = threading.Lock()  # probes stamp from the lanes' threads
        self._probing: set[Lane] = set()
        self._unhealthy_since: float | None = None
        self.verdict = Verdict()

    def turn(self) -> Verdict:
        """Called from the UI thread's timer: stamp the UI, probe the lanes, judge."""
        now = self._clock()
        self._stamp(UI, now)
        for lane in Lane:
            self._probe(lane)
        ages = {part: now - seen for part, seen in self._snapshot().items()}
        ages[READER] = self._reader_age()
        stalled = tuple(
            (part, age) for part, age in ages.items() if age > self.limits.get(part, float("inf"))
        )
        if not stalled:
            self._unhealthy_since = None
        elif self._unhealthy_since is None:
            self._unhealthy_since = now
        since = 0.0 if self._unhealthy_since is None else now - self._unhealthy_since
        self.verdict = Verdict(stalled, since)
        return self.verdict

    def _probe(self, lane: Lane) -> None:
        if lane in self._probing:
            return  # the last probe has not come back: its lane is still busy
        self._probing.add(lane)
        part = lane_part(lane)

        def back(_: object) -> None:  # on the UI thread
            self._probing.discard(lane)

        self._worker.submit(lambda: self._stamp(part, self._clock()), back, back, lane)

    def _stamp(self, part: str, at: float) -> None:
        with self._lock:
            self._seen[part] = at

    def _snapshot(self) -> dict[str, float]:
        with self._lock:
            return {part: seen for part, seen in self._seen.items() if part != READER}

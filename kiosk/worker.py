"""How the session runs slow work: on three lanes (card, store, printer), every job bounded.

Each lane is one thread, so a card never sees two APDU streams and the store never sees two
queries from one kiosk at once, and a card call that never returns holds up only the card
lane: audit rows, heartbeats and printing go on. Every job has its lane's deadline: a job
that overruns is abandoned (its thread is left to finish or hang on its own, see
card_reader.deadline) and the owner gets `JobOverran`, so no screen waits for ever.

A lane that already left `MAX_STUCK` jobs hanging has failed to recover: it stops
abandoning and waits, its liveness probe stops coming back, and the watchdog (kiosk.health)
stops feeding systemd, which restarts the kiosk.

Results and errors come back through `post`, which the UI sets to "run this on the UI
thread" (Picard's run_task habit); tests use `InlineWorker` or `ManualWorker` so
asynchronous flows stay deterministic.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from card_reader.deadline import call_with_deadline
from kiosk.lanes import Job, JobOverran, Lane, OnDone, OnError, Post, Worker

__all__ = ["DEFAULT_DEADLINES", "MAX_STUCK", "InlineWorker", "JobOverran", "Lane", "ManualWorker",
           "Post", "ThreadWorker", "Worker"]  # fmt: skip

log = logging.getLogger(__name__)


# A card job is a few APDUs of at most card_command_seconds each and one store query; a
# store job one query of at most store.timeout_seconds; a print waits for the printer.
DEFAULT_DEADLINES: Mapping[Lane, float] = {Lane.CARD: 15.0, Lane.STORE: 15.0, Lane.PRINTER: 60.0}
MAX_STUCK = 2
SHUTDOWN_SECONDS = 3.0  # an audit row or a heartbeat in flight, not a stuck call


_Item = tuple[Job, OnDone, OnError]


class _LaneThread:
    def __init__(self, lane: Lane, deadline: float, deliver: Post, name: str) -> None:
        self.lane = lane
        self.deadline = deadline
        self._deliver = deliver
        self.jobs: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self.stuck = 0  # jobs abandoned on this lane that have not returned yet
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name=f"{name}-{lane}", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while (item := self.jobs.get()) is not None:
            job, on_done, on_error = item
            try:
                result = self._bounded(job)
            except Exception as error:
                self._deliver(partial(on_error, error))
            except BaseException as error:  # KeyboardInterrupt / SystemExit: nothing to hand
                log.warning("%s job ended by %s", self.lane, type(error).__name__)
            else:
                self._deliver(partial(on_done, result))

    def _bounded(self, job: Job) -> Any:
        with self._lock:
            recovering = self.stuck < MAX_STUCK
        if not recovering:
            return job()  # see the module docstring: waiting here is what the watchdog sees
        finished = False
        abandoned = False

        def run(_: None) -> Any:
            nonlocal finished
            try:
                return job()
            finally:
                with self._lock:
                    finished = True
                    if abandoned:
                        self.stuck -= 1
                        log.info("an abandoned %s job returned at last", self.lane)

        try:
            return call_with_deadline(
                run, None, self.deadline, f"{self.lane} job", lambda m: JobOverran(self.lane, m)
            )
        except JobOverran:
            with self._lock:
                if not finished:
                    abandoned = True
                    self.stuck += 1
            log.warning("a %s job overran %g s and was abandoned", self.lane, self.deadline)
            raise


class ThreadWorker:
    """One thread per lane; `post` hands each outcome back to the owner's thread."""

    def __init__(
        self,
        post: Post,
        deadlines: Mapping[Lane, float] = DEFAULT_DEADLINES,
        name: str = "kiosk-worker",
    ) -> None:
        self._post = post
        self._closed = threading.Event()
        self._lanes = {
            lane: _LaneThread(lane, deadlines[lane], self._deliver, name) for lane in Lane
        }

    def submit(self, job: Job, on_done: OnDone, on_error: OnError, lane: Lane = Lane.STORE) -> None:
        if not self._closed.is_set():
            self._lanes[lane].jobs.put((job, on_done, on_error))

    def stuck_jobs(self) -> dict[Lane, int]:
        """Jobs abandoned per lane that are still running (the kiosk's health)."""
        return {lane: thread.stuck for lane, thread in self._lanes.items()}

    def _deliver(self, outcome: Callable[[], None]) -> None:
        if not self._closed.is_set():
            self._post(outcome)

    def shutdown(self, wait_seconds: float = SHUTDOWN_SECONDS) -> None:
        """Stop taking work; give the lanes' current jobs `wait_seconds` in all to finish (a
        kiosk exiting because a lane is stuck must not wait for that lane)."""
        self._closed.set()
        for lane in self._lanes.values():
            while True:  # jobs not started yet are dropped
                try:
                    lane.jobs.get_nowait()
                except queue.Empty:
                    break
            lane.jobs.put(None)
        until = time.monotonic() + wait_seconds
        for lane in self._lanes.values():
            lane.thread.join(timeout=max(0.0, until - time.monotonic()))


class InlineWorker:
    """Runs each job at once on the caller's thread (unit tests, benchmarks)."""

    def submit(self, job: Job, on_done: OnDone, on_error: OnError, lane: Lane = Lane.STORE) -> None:
        try:
            result = job()
        except Exception as error:
            on_error(error)
            return
        on_done(result)

    def shutdown(self) -> None:
        """Nothing runs in the background."""


class ManualWorker:
    """Queues jobs until the test says `run_next()`: lets a test act while a job is pending.
    One queue for every lane, in submission order (`lanes` records which lane each took)."""

    def __init__(self) -> None:
        self.pending: deque[tuple[Job, OnDone, OnError]] = deque()
        self.lanes: list[Lane] = []

    def submit(self, job: Job, on_done: OnDone, on_error: OnError, lane: Lane = Lane.STORE) -> None:
        self.pending.append((job, on_done, on_error))
        self.lanes.append(lane)

    def run_next(self) -> None:
        InlineWorker().submit(*self.pending.popleft())

    def run_all(self) -> None:
        while self.pending:
            self.run_next()

    def shutdown(self) -> None:
        self.pending.clear()

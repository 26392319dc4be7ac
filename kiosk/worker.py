"""The one way the session runs slow work: card I/O and store queries on ONE background thread.

One thread, so a card never sees two APDU streams and the store never sees two queries from
one kiosk at once. Results and errors come back through `post`, which the UI sets to "run
this on the UI thread" (Picard's run_task habit); tests use `InlineWorker` or `ManualWorker`
so asynchronous flows stay deterministic.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

log = logging.getLogger(__name__)

Job = Callable[[], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]
Post = Callable[[Callable[[], None]], None]


class Worker(Protocol):
    def submit(self, job: Job, on_done: OnDone, on_error: OnError) -> None:
        """Run `job` later; call `on_done(result)` or `on_error(exception)` on the owner."""
        ...

    def shutdown(self) -> None: ...


class ThreadWorker:
    """A single background thread; `post` hands each outcome back to the owner's thread."""

    def __init__(self, post: Post, name: str = "kiosk-worker") -> None:
        self._post = post
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = threading.Event()

    def submit(self, job: Job, on_done: OnDone, on_error: OnError) -> None:
        if self._closed.is_set():
            return
        future = self._executor.submit(job)
        future.add_done_callback(lambda f: self._deliver(f, on_done, on_error))

    def _deliver(self, future: Future[Any], on_done: OnDone, on_error: OnError) -> None:
        if self._closed.is_set():
            return
        error = future.exception()
        if error is None:
            result = future.result()
            self._post(lambda: on_done(result))
        elif isinstance(error, Exception):
            self._post(lambda: on_error(error))
        else:  # KeyboardInterrupt / SystemExit on the worker: nothing to hand back
            log.warning("worker job ended by %s", type(error).__name__)

    def shutdown(self) -> None:
        self._closed.set()
        self._executor.shutdown(wait=True, cancel_futures=True)


class InlineWorker:
    """Runs each job at once on the caller's thread (unit tests, benchmarks)."""

    def submit(self, job: Job, on_done: OnDone, on_error: OnError) -> None:
        try:
            result = job()
        except Exception as error:
            on_error(error)
            return
        on_done(result)

    def shutdown(self) -> None:
        """Nothing runs in the background."""


class ManualWorker:
    """Queues jobs until the test says `run_next()`: lets a test act while a job is pending."""

    def __init__(self) -> None:
        self.pending: deque[tuple[Job, OnDone, OnError]] = deque()

    def submit(self, job: Job, on_done: OnDone, on_error: OnError) -> None:
        self.pending.append((job, on_done, on_error))

    def run_next(self) -> None:
        InlineWorker().submit(*self.pending.popleft())

    def run_all(self) -> None:
        while self.pending:
            self.run_next()

    def shutdown(self) -> None:
        self.pending.clear()

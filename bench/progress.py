"""Progress of a long step (seeding, the soak, the fleet) as plain lines on standard error.

Lines start with PREFIX, so the bench's parent process can tell them from anything else a
section writes and forward them; they never touch standard output, where the JSON goes.
A line comes at most every KIOSK_BENCH_PROGRESS_SECONDS (default 5), plus the first and
the last of each step, e.g.

    progress: seeding sqlite: 412,000/1,000,000 persons, 6,100/s, 96 s left
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

PREFIX = "progress: "
EVERY_ENV = "KIOSK_BENCH_PROGRESS_SECONDS"
# kiosk.store.scale's messages: "people: 20,000/1,000,000" and "ledger: persons to 20,000, ..."
_PEOPLE = re.compile(r"^people: ([\d,]+)/([\d,]+)")
_LEDGER = re.compile(r"^ledger: persons to ([\d,]+)")


def every_seconds() -> float:
    return float(os.environ.get(EVERY_ENV, "5"))


class Progress:
    """One step's progress: `update(done)` as it goes, `say(text)` for a phase change."""

    def __init__(
        self, what: str, total: int, unit: str, stream: TextIO | None = None, *, rate: bool = True
    ) -> None:
        """`rate`: say the rate (not for a count of seconds, whose rate is 1/s)."""
        self.what = what
        self._rate = rate
        self.total = total
        self.unit = unit
        self._stream = stream
        self._every = every_seconds()
        self._lock = threading.Lock()
        self._last = ""
        self._said_at = time.monotonic()
        self.restart(what)

    def restart(self, what: str, started: float | None = None) -> None:
        """Count again from zero, as a new step of the same work (its own rate), begun at
        `started` (time.monotonic(); default now)."""
        self.what = what
        self._started = time.monotonic() if started is None else started
        self._printed_at = -float("inf")
        self._finished = False

    def update(self, done: int, note: str = "") -> None:
        now = time.monotonic()
        last = done >= self.total
        if self._finished or (not last and now - self._printed_at < self._every):
            return
        self._finished = last
        elapsed = now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        parts = [f"{done:,}/{self.total:,} {self.unit}"]
        if rate > 0 and self._rate:
            parts.append(f"{rate:,.0f}/s")
        if not last and rate > 0:
            parts.append(f"{(self.total - done) / rate:,.0f} s left")
        elif last:
            parts.append(f"done in {elapsed:,.0f} s")
        self._write(", ".join(parts) + (f" ({note})" if note else ""), now)

    def say(self, text: str) -> None:
        self._write(text, time.monotonic())

    def _write(self, text: str, now: float) -> None:
        with self._lock:
            self._printed_at = self._said_at = now
            self._last = text
            self._emit(f"{self.what}: {text}")

    def _repeat(self) -> None:
        with self._lock:
            self._printed_at = now = time.monotonic()
            since = now - self._said_at
            self._emit(f"{self.what}: {self._last} (still at it, {since:,.0f} s since)")

    def _emit(self, line: str) -> None:
        stream = self._stream or sys.stderr
        stream.write(f"{PREFIX}{line}\n")
        stream.flush()

    @contextmanager
    def kept_alive(self) -> Iterator[Progress]:
        """While a step runs, repeat the last line when nothing was said for a while: a
        silent phase (an ANALYZE, a VACUUM of 20M rows) still shows the bench is working."""
        stop = threading.Event()
        quiet = max(self._every, 1.0) * 3

        def watch() -> None:
            while not stop.wait(quiet / 3):
                if time.monotonic() - self._printed_at >= quiet and self._last:
                    self._repeat()

        watcher = threading.Thread(target=watch, name="bench-progress", daemon=True)
        watcher.start()
        try:
            yield self
        finally:
            stop.set()
            watcher.join(timeout=5)


@contextmanager
def seeding(what: str, persons: int) -> Iterator[Callable[[str], None]]:
    """A `kiosk.store.seeding.create_store` progress callback: persons made, then their
    ledgers, each with its rate and time left; the other phases said as they come."""
    progress = Progress(what, persons, "persons")
    phase = {"name": ""}
    heard = [time.monotonic()]  # when the last message came: the next phase began then

    def report(message: str) -> None:
        previous, heard[0] = heard[0], time.monotonic()
        for pattern, name in ((_PEOPLE, "people"), (_LEDGER, "ledgers")):
            found = pattern.match(message)
            if found:
                if phase["name"] != name:
                    phase["name"] = name
                    progress.restart(f"{what} ({name})", started=previous)
                progress.update(int(found.group(1).replace(",", "")))
                return
        phase["name"] = ""
        progress.restart(what)
        progress.say(message)

    progress.say("starting")
    with progress.kept_alive():
        yield report

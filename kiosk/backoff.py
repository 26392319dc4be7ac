"""Slow down a run of failing cards at one kiosk (someone trying lost or stolen cards).

A person who mistypes a PIN once should notice nothing. Someone feeding card after card
that fails (wrong PIN until blocked, unknown, lost, unreadable) gets an increasing wait
before the next card is read: after `free_failures` failures within `window_seconds`, the
next card waits `first_delay_seconds`, then twice that, and so on up to `max_delay_seconds`
(5, 10, 20, 40, 60, 60 ... with the defaults). A successful session resets the count.

Plain Python with an injected monotonic clock; it keeps only failure times, never anything
about the card or the person.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffPolicy:
    free_failures: int = 3  # the failure that reaches this count imposes the first delay
    window_seconds: float = 600.0
    first_delay_seconds: float = 5.0
    max_delay_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.free_failures < 1 or self.window_seconds <= 0:
            raise ValueError("free_failures >= 1 and window_seconds > 0")
        if not 0 < self.first_delay_seconds <= self.max_delay_seconds:
            raise ValueError("0 < first_delay_seconds <= max_delay_seconds")

    def delay_after(self, failures: int) -> float:
        """The wait before the next card once `failures` recent failures are counted."""
        return doubling_delay(
            failures, self.free_failures, self.first_delay_seconds, self.max_delay_seconds
        )


def doubling_delay(failures: int, free: int, first: float, most: float) -> float:
    """0 below `free` failures, then `first`, doubling per failure, at most `most` (also the
    admin PIN pad's lock: kiosk.admin_pin.LockoutPolicy)."""
    if failures < free:
        return 0.0
    doublings = min(failures - free, 32)  # bounded: 2**32 s is plenty
    return min(most, first * float(2**doublings))


class FailingCardBackoff:
    """Counts failed cards at this kiosk and says how long the next card must wait."""

    def __init__(
        self,
        policy: BackoffPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or BackoffPolicy()
        self._clock = clock
        self._failures: deque[float] = deque()
        self._not_before = 0.0

    def _forget_old(self, now: float) -> None:
        while self._failures and now - self._failures[0] > self.policy.window_seconds:
            self._failures.popleft()

    @property
    def recent_failures(self) -> int:
        """Failures within the window, since the last success."""
        self._forget_old(self._clock())
        return len(self._failures)

    def record_failure(self) -> float:
        """A card failed (refused, blocked, unreadable, PIN never right).

        Returns the delay now imposed on the next card, in seconds (0: none). The caller
        audits a non-zero answer (e.g. outcome "backoff_20s"), so operators see the run.
        """
        now = self._clock()
        self._forget_old(now)
        self._failures.append(now)
        delay = self.policy.delay_after(len(self._failures))
        self._not_before = now + delay
        return delay

    def record_success(self) -> None:
        """A person got to their accounts: the next card waits for nothing."""
        self._failures.clear()
        self._not_before = 0.0

    def seconds_to_wait(self) -> float:
        """How long from now before the next card may be read (0.0: read it at once)."""
        return max(0.0, self._not_before - self._clock())

"""A fake clock for the kiosk's two clocks: the monotonic one its timeouts count on, and the
wall clock its dates and receipt serials come from.

`FakeClock` itself is the monotonic clock (call it), `now` is the wall clock. `advance` is
time passing, so it moves both; `jump` moves the wall clock alone, as an NTP step or a
reset real-time clock does, which timeouts must not notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

START = datetime(2026, 11, 24, 10, 30)  # a weekday morning; tests' stores are seeded at it


class FakeClock:
    """Monotonic seconds and a wall clock that move only when a test or a script says so."""

    def __init__(self, start: datetime = START, seconds: float = 1000.0) -> None:
        self.seconds = seconds
        self._wall = start

    def __call__(self) -> float:
        """The monotonic clock, in seconds."""
        return self.seconds

    def now(self) -> datetime:
        """The wall clock."""
        return self._wall

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass: both clocks move."""
        self.seconds += seconds
        self._wall += timedelta(seconds=seconds)

    def jump(self, by: timedelta) -> None:
        """Step the wall clock by `by` (back, if negative); the monotonic clock stays."""
        self._wall += by

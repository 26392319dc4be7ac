"""What a reader backend says about itself when asked: the monitor's last view and its age.

A backend answers from what its monitor last saw, never by asking pcscd afresh: a fresh
PC/SC context can list the readers happily while the monitor that delivers insertions and
removals is stuck, and that kiosk would be reported healthy while it serves nobody.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class HealthState(enum.StrEnum):
    OK = "ok"  # at least one reader, and the monitor turns
    NO_READER = "no_reader"  # pcscd answers but lists no (matching) reader
    NO_SERVICE = "no_service"  # pcscd unreachable (or the monitor not started / closed)
    STALLED = "stalled"  # the monitor has not turned for longer than its bound


@dataclass(frozen=True)
class ReaderHealth:
    state: HealthState
    readers: tuple[str, ...]  # the readers the monitor last saw (names only)
    monitor_age_seconds: float  # since the monitor loop last turned (0.0: no monitor loop)
    detail: str  # operator words; never personal data

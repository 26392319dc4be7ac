"""Printer problems in words a clinic assistant understands, and the printer's status.

A `PrinterProblem` is a known failure (paper out, jam, door open, offline, queue stopped,
too slow, spool folder unusable). It carries its kind and a message for the operator's log,
never personal data; the person's words are the kiosk's catalogue's, looked up by kind
(printing imports no catalogue).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.domain import KnownFailure


class PrinterProblemKind(enum.StrEnum):
    MEDIA_EMPTY = "media_empty"
    MEDIA_JAM = "media_jam"
    DOOR_OPEN = "door_open"
    OFFLINE = "offline"
    QUEUE_STOPPED = "queue_stopped"
    TIMEOUT = "timeout"
    SPOOL_FAILED = "spool_failed"
    OTHER = "other"


_OPERATOR_WORDS: dict[PrinterProblemKind, str] = {
    PrinterProblemKind.MEDIA_EMPTY: "out of paper: load a new roll, then reset the paper counter",
    PrinterProblemKind.MEDIA_JAM: "paper jam: open the cover and clear the paper path",
    PrinterProblemKind.DOOR_OPEN: "cover open: close the printer cover",
    PrinterProblemKind.OFFLINE: "printer offline: check its power and cable",
    PrinterProblemKind.QUEUE_STOPPED: "queue stopped: `cupsenable QUEUE` once the printer is fixed",
    PrinterProblemKind.TIMEOUT: "the printer did not finish the job in time",
    PrinterProblemKind.SPOOL_FAILED: "the receipt spool folder cannot be written",
    PrinterProblemKind.OTHER: "the printer reported a problem",
}


class PrinterProblem(KnownFailure):
    """A known printer failure: `.kind` (the kiosk looks the person's words up by it) and
    `.operator_message`."""

    kind: PrinterProblemKind

    def __init__(self, kind: PrinterProblemKind, operator_message: str = "") -> None:
        self.kind = kind
        super().__init__(operator_message or _OPERATOR_WORDS[kind])

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.operator_message}"


@dataclass(frozen=True)
class PrinterStatus:
    """Whether a receipt can be printed now; `detail` is operator words, no personal data."""

    ready: bool
    problems: tuple[PrinterProblemKind, ...] = ()
    detail: str = ""

    def problem(self) -> PrinterProblem:
        """The first problem as an exception (OTHER when not ready for no named reason)."""
        kind = self.problems[0] if self.problems else PrinterProblemKind.OTHER
        words = _OPERATOR_WORDS[kind]
        return PrinterProblem(kind, f"{words} ({self.detail})" if self.detail else words)


# IPP printer-state-reasons keywords (RFC 8011, PWG 5100.x) -> our kinds. A reason may carry
# a severity suffix: -error and -report count, -warning (e.g. media-low-warning) does not.
_REASONS: dict[str, PrinterProblemKind] = {
    "media-empty": PrinterProblemKind.MEDIA_EMPTY,
    "media-needed": PrinterProblemKind.MEDIA_EMPTY,
    "media-jam": PrinterProblemKind.MEDIA_JAM,
    "door-open": PrinterProblemKind.DOOR_OPEN,
    "cover-open": PrinterProblemKind.DOOR_OPEN,
    "offline": PrinterProblemKind.OFFLINE,
    "shutdown": PrinterProblemKind.OFFLINE,
    "paused": PrinterProblemKind.QUEUE_STOPPED,
}


def problems_from_reasons(reasons: Iterable[str]) -> tuple[PrinterProblemKind, ...]:
    """The kinds named by printer-state-reasons, most specific first, without repeats.

    "paused" (the queue was stopped) only counts when nothing more specific explains it.
    """
    found: list[PrinterProblemKind] = []
    for reason in reasons:
        if reason.endswith("-warning"):
            continue
        keyword = reason.removesuffix("-error").removesuffix("-report")
        kind = _REASONS.get(keyword)
        if kind is not None and kind not in found:
            found.append(kind)
    if len(found) > 1 and PrinterProblemKind.QUEUE_STOPPED in found:
        found.remove(PrinterProblemKind.QUEUE_STOPPED)
    return tuple(found)

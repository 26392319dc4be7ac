"""Printer problems in words a clinic assistant understands, and the printer's status.

A `PrinterProblem` is a known failure (paper out, jam, door open, offline, queue stopped,
too slow, spool folder unusable). Like the card errors it carries a message for the person at
the kiosk (zh and en) and one for the operator's log; neither contains personal data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class PrinterProblemKind(enum.StrEnum):
    MEDIA_EMPTY = "media_empty"
    MEDIA_JAM = "media_jam"
    DOOR_OPEN = "door_open"
    OFFLINE = "offline"
    QUEUE_STOPPED = "queue_stopped"
    TIMEOUT = "timeout"
    SPOOL_FAILED = "spool_failed"
    OTHER = "other"


_NOT_AFFECTED_ZH = "您的查询结果不受影响。"
_NOT_AFFECTED_EN = "Your account information is not affected."

_USER_MESSAGES: dict[PrinterProblemKind, tuple[str, str]] = {
    PrinterProblemKind.MEDIA_EMPTY: (
        "打印机缺纸，请联系工作人员。",
        "The printer is out of paper. Please ask a member of staff.",
    ),
    PrinterProblemKind.MEDIA_JAM: (
        "打印机卡纸，请联系工作人员。",
        "The printer has a paper jam. Please ask a member of staff.",
    ),
    PrinterProblemKind.DOOR_OPEN: (
        "打印机盖未关好，请联系工作人员。",
        "The printer cover is open. Please ask a member of staff.",
    ),
    PrinterProblemKind.OFFLINE: (
        "打印机未连接，请联系工作人员。",
        "The printer is not connected. Please ask a member of staff.",
    ),
    PrinterProblemKind.QUEUE_STOPPED: (
        "打印机暂停使用，请联系工作人员。",
        "The printer is paused. Please ask a member of staff.",
    ),
    PrinterProblemKind.TIMEOUT: (
        "打印机没有响应，请稍后再试或联系工作人员。",
        "The printer is not responding. Please try again later or ask a member of staff.",
    ),
    PrinterProblemKind.SPOOL_FAILED: (
        "凭条暂时无法保存，请联系工作人员。",
        "The receipt cannot be saved right now. Please ask a member of staff.",
    ),
    PrinterProblemKind.OTHER: (
        "打印机出现问题，请联系工作人员。",
        "The printer has a problem. Please ask a member of staff.",
    ),
}

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


class PrinterProblem(Exception):
    """A known printer failure: `.kind`, `.operator_message`, `user_message(language)`."""

    def __init__(self, kind: PrinterProblemKind, operator_message: str = "") -> None:
        self.kind = kind
        self.operator_message = operator_message or _OPERATOR_WORDS[kind]
        super().__init__(f"{kind.value}: {self.operator_message}")

    def user_message(self, language: str = "zh") -> str:
        """Plain words for the person at the kiosk; their account is never affected."""
        zh, en = _USER_MESSAGES[self.kind]
        if language == "zh":
            return zh + _NOT_AFFECTED_ZH
        return f"{en} {_NOT_AFFECTED_EN}"


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

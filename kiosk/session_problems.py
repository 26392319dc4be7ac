"""Known failures turned into what the screen says: a ProblemKind and both languages' words."""

from __future__ import annotations

from typing import Any

from card_reader.errors import (
    ApplicationBlockedError,
    CardDataDamagedError,
    CardError,
    CardNotRespondingError,
    NotSSSECardError,
    PinBlockedError,
)
from kiosk.session.view import Problem, ProblemKind
from kiosk.store.errors import CardNotActive, CardRefusal, StoreError, StoreUnavailable

_REFUSAL_KINDS = {
    CardRefusal.LOST: ProblemKind.LOST,
    CardRefusal.REPLACED: ProblemKind.REPLACED,
    CardRefusal.EXPIRED: ProblemKind.EXPIRED,
    CardRefusal.SUSPENDED: ProblemKind.SUSPENDED,
    CardRefusal.CANCELLED: ProblemKind.CANCELLED,
    CardRefusal.UNKNOWN: ProblemKind.UNKNOWN_CARD,
}


class CardTimeout(CardError):
    user_message_zh = "读卡时间过长。请取出卡片，重新插入后再试。"
    user_message_en = "Reading the card took too long. Please take it out and insert it again."


_CARD_ERROR_KINDS: tuple[tuple[type[CardError], ProblemKind], ...] = (
    (NotSSSECardError, ProblemKind.NOT_SSSE),
    (CardDataDamagedError, ProblemKind.DAMAGED),
    (PinBlockedError, ProblemKind.PIN_BLOCKED),
    (ApplicationBlockedError, ProblemKind.CARD_LOCKED),
    (CardTimeout, ProblemKind.READ_TIMEOUT),
    (CardNotRespondingError, ProblemKind.NOT_RESPONDING),
)


def problem_from_message_source(kind: ProblemKind, source: Any) -> Problem:
    """A Problem from anything with `user_message(language)` (our typed errors)."""
    return Problem(kind, source.user_message("zh"), source.user_message("en"))


def problem_for(error: Exception) -> Problem:
    """The screen for a known failure; unknown ones get a calm generic apology."""
    if isinstance(error, CardNotActive):
        return problem_from_message_source(_REFUSAL_KINDS[error.status], error)
    if isinstance(error, StoreUnavailable | StoreError):
        return problem_from_message_source(ProblemKind.STORE_UNAVAILABLE, error)
    if isinstance(error, CardError):
        kind = next((k for cls, k in _CARD_ERROR_KINDS if isinstance(error, cls)), None)
        return problem_from_message_source(kind or ProblemKind.READ_FAILED, error)
    if callable(getattr(error, "user_message", None)):  # printing.problems.PrinterProblem
        return problem_from_message_source(ProblemKind.PRINTER, error)
    return Problem(
        ProblemKind.UNEXPECTED,
        "抱歉，出现了意外问题。请取回卡片后重试，或到服务窗口办理。",
        "Sorry, something went wrong. Please take your card and try again, or ask at the "
        "service desk.",
    )


def reader_unavailable_problem() -> Problem:
    """The card reader (or pcscd) is gone: the out-of-service screen's words."""
    return Problem(
        ProblemKind.READER_UNAVAILABLE,
        "读卡器暂时无法使用，工作人员已收到通知。请稍后再试，或到服务窗口办理。",
        "The card reader is not working right now; staff have been told. Please try "
        "again later, or ask at the service desk.",
    )

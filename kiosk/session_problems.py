"""Known failures turned into what the screen says: a ProblemKind, and the catalogue's words
for the failure's kind in both languages (kiosk.words.failures)."""

from __future__ import annotations

from card_reader.errors import CardError, CardErrorKind
from kiosk.session.view import Problem, ProblemKind
from kiosk.store.errors import CardNotActive, CardRefusal, StoreError
from kiosk.words import text
from kiosk.words.failures import failure_key
from printing.problems import PrinterProblem

_REFUSAL_KINDS = {
    CardRefusal.LOST: ProblemKind.LOST,
    CardRefusal.REPLACED: ProblemKind.REPLACED,
    CardRefusal.EXPIRED: ProblemKind.EXPIRED,
    CardRefusal.SUSPENDED: ProblemKind.SUSPENDED,
    CardRefusal.CANCELLED: ProblemKind.CANCELLED,
    CardRefusal.UNKNOWN: ProblemKind.UNKNOWN_CARD,
}

# Card failures with a screen of their own; every other card failure is READ_FAILED (with
# its own words: a card that needs the PIN first is told so).
_CARD_KINDS = {
    CardErrorKind.NOT_SSSE: ProblemKind.NOT_SSSE,
    CardErrorKind.DAMAGED: ProblemKind.DAMAGED,
    CardErrorKind.PIN_BLOCKED: ProblemKind.PIN_BLOCKED,
    CardErrorKind.CARD_LOCKED: ProblemKind.CARD_LOCKED,
    CardErrorKind.READ_TIMEOUT: ProblemKind.READ_TIMEOUT,
    CardErrorKind.NOT_RESPONDING: ProblemKind.NOT_RESPONDING,
}


class CardTimeout(CardError):
    """The whole card read took longer than the kiosk allows (raised by the session)."""

    kind = CardErrorKind.READ_TIMEOUT


def problem_of(kind: ProblemKind, key: str | None = None) -> Problem:
    """The screen for `kind`, in the words of catalogue `key` (default `problem.<kind>`)."""
    key = key or f"problem.{kind.value}"
    return Problem(kind, text(key, "zh"), text(key, "en"))


def problem_kind(error: BaseException) -> ProblemKind:
    """Which screen a failure gets; anything unknown is UNEXPECTED."""
    if isinstance(error, CardNotActive):
        return _REFUSAL_KINDS[error.status]
    if isinstance(error, StoreError):
        return ProblemKind.STORE_UNAVAILABLE
    if isinstance(error, CardError):
        return _CARD_KINDS.get(error.kind, ProblemKind.READ_FAILED)
    if isinstance(error, PrinterProblem):
        return ProblemKind.PRINTER
    return ProblemKind.UNEXPECTED


def problem_for(error: BaseException) -> Problem:
    """The screen for a known failure; unknown ones get a calm generic apology."""
    return problem_of(problem_kind(error), failure_key(error))


def reader_unavailable_problem() -> Problem:
    """The card reader (or pcscd) is gone: the out-of-service screen's words."""
    return problem_of(ProblemKind.READER_UNAVAILABLE)

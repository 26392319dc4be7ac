"""Known failures turned into what the screen says: a ProblemKind, and the catalogue's words
for the failure's kind in both languages (kiosk.words.failures)."""

from __future__ import annotations

from card_reader.errors import CardError, CardErrorKind, CardNotRespondingError
from kiosk.lanes import JobOverran, Lane
from kiosk.session.view import Busy, Problem, ProblemKind
from kiosk.store.errors import CardNotActive, CardRefusal, StoreError, StoreUnavailable
from kiosk.words import text
from kiosk.words.failures import failure_key
from printing.problems import PrinterProblem, PrinterProblemKind

_REFUSAL_KINDS = {
    CardRefusal.LOST: ProblemKind.LOST,
    CardRefusal.REPLACED: ProblemKind.REPLACED,
    CardRefusal.EXPIRED: ProblemKind.EXPIRED,
    CardRefusal.SUSPENDED: ProblemKind.SUSPENDED,
    CardRefusal.CANCELLED: ProblemKind.CANCELLED,
    CardRefusal.UNKNOWN: ProblemKind.UNKNOWN_CARD,
    CardRefusal.MISMATCH: ProblemKind.UNKNOWN_CARD,
    CardRefusal.REPORTED_LOST: ProblemKind.REPORTED_LOST,
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
    CardErrorKind.READER_BUSY: ProblemKind.READER_BUSY,
    CardErrorKind.CARD_MUTE: ProblemKind.CARD_MUTE,
}


class CardTimeout(CardError):
    """The whole card read took longer than the kiosk allows (raised by the session)."""

    kind = CardErrorKind.READ_TIMEOUT


def known_failure(error: Exception) -> Exception:
    """A job abandoned on its lane is what that lane's part failing would be: the card not
    responding, the store not answering, the printer timing out."""
    if not isinstance(error, JobOverran):
        return error
    if error.lane is Lane.CARD:
        return CardNotRespondingError(error.operator_message)
    if error.lane is Lane.PRINTER:
        return PrinterProblem(PrinterProblemKind.TIMEOUT, error.operator_message)
    return StoreUnavailable(error.operator_message)


def busy_overran(busy: Busy, seconds: float) -> Exception:
    """The failure a wait on screen becomes once it has lasted `seconds`, its bound."""
    message = f"{busy.value} took longer than {seconds:g} s"
    if busy in (Busy.READING_CARD, Busy.CHECKING_PIN, Busy.CHANGING_PIN):
        return CardNotRespondingError(message)
    if busy is Busy.PRINTING:
        return PrinterProblem(PrinterProblemKind.TIMEOUT, message)
    return StoreUnavailable(message)


def slip_limit_problem(per_day: int) -> Problem:
    """The polite refusal of one slip too many for a card today."""
    key = "problem.slip_limit"
    return Problem(
        ProblemKind.SLIP_LIMIT, text(key, "zh", count=per_day), text(key, "en", count=per_day)
    )


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

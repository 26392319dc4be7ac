"""What a person reads about a known failure: the catalogue's words for the error's kind.

Card, store and printer errors carry a kind and operator words only; the words for the
person are `problem.<kind>` in the catalogue (a printer's `problem.printer.<kind>`). Anything
else reads `problem.unexpected`: a calm apology, never a traceback.
"""

from __future__ import annotations

from card_reader.errors import CardError
from kiosk.domain import KnownFailure
from kiosk.words.catalogue import text
from printing.problems import PrinterProblem, PrinterProblemKind

UNEXPECTED = "problem.unexpected"


def failure_key(error: BaseException) -> str:
    """The catalogue key of what a person reads about `error`."""
    if isinstance(error, PrinterProblem):
        if error.kind is PrinterProblemKind.OTHER:
            return "problem.printer"
        return f"problem.printer.{error.kind.value}"
    if isinstance(error, CardError | KnownFailure):
        return f"problem.{error.kind}"
    return UNEXPECTED


def failure_text(error: BaseException, language: str) -> str:
    """What a person reads about `error`, in `language`."""
    return text(failure_key(error), language)

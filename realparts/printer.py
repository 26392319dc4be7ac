"""A printer that fails on purpose: the scripted demo's "out of paper" screen, and tests."""

from __future__ import annotations

from printing.problems import PrinterProblemKind, PrinterStatus


class FaultyPrinter:
    """A `printing.dispatch.Printer` that always has the same problem."""

    def __init__(self, kind: PrinterProblemKind) -> None:
        self.kind = kind

    def status(self) -> PrinterStatus:
        return PrinterStatus(ready=False, problems=(self.kind,), detail="demo printer")

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        del pdf, title, timeout_seconds
        raise self.status().problem()

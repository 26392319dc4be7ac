"""Where receipts go: a spool folder (the embedded default) or a CUPS queue.

Every printer answers `status()` quickly and `print_pdf()` either finishes within its
timeout or raises a `PrinterProblem`; it checks the status first, so a printer that is out
of paper fails at once instead of leaving the person waiting. Job titles and file names are
the receipt serial only: never a name, citizen ID or card number.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from printing.problems import (
    PrinterProblem,
    PrinterProblemKind,
    PrinterStatus,
    problems_from_reasons,
)

__all__ = [
    "CupsPrinter",
    "Printer",
    "PrinterProblem",
    "PrinterProblemKind",
    "PrinterStatus",
    "SpoolPrinter",
    "safe_name",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
MIN_FREE_BYTES = 1_000_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Shapes of a citizen ID or a card number, in case a caller passes one as a title by mistake.
_PERSONAL = re.compile(r"\d{15,}[\dXx]?|(?<![A-Za-z0-9])[A-Za-z]\d{8}(?!\d)")


class Printer(Protocol):
    def status(self) -> PrinterStatus:
        """Ready or not, and why; answers within a few seconds at most."""
        ...

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        """Print `pdf` or raise PrinterProblem; never takes longer than `timeout_seconds`."""
        ...


def safe_name(title: str) -> str:
    """A file or job name from a receipt title: ASCII letters, digits, '.', '-', '_'."""
    name = _UNSAFE.sub("_", _PERSONAL.sub("x", title)).strip("._")[:80]
    return name or "receipt"


class SpoolPrinter:
    """Writes each receipt as `<serial>.pdf` into a folder (for a print server or a demo)."""

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = spool_dir

    def status(self) -> PrinterStatus:
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.spool_dir).free
        except OSError as error:
            return _spool_failed(f"spool folder unusable: {_os_words(error)}")
        if not os.access(self.spool_dir, os.W_OK | os.X_OK):
            return _spool_failed(f"spool folder {self.spool_dir} is not writable")
        if free < MIN_FREE_BYTES:
            return _spool_failed(f"spool disk nearly full: {free} bytes free")
        return PrinterStatus(ready=True, detail=f"spool {self.spool_dir}")

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        del timeout_seconds  # a local write either works at once or fails at once
        status = self.status()
        if not status.ready:
            raise status.problem()
        target = self._free_path(safe_name(title))
        handle, temporary = tempfile.mkstemp(dir=self.spool_dir, prefix=".spool-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(pdf)
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise PrinterProblem(
                PrinterProblemKind.SPOOL_FAILED, f"receipt not spooled: {_os_words(error)}"
            ) from None
        log.info("receipt spooled as %s (%d bytes)", target.name, len(pdf))

    def _free_path(self, stem: str) -> Path:
        target = self.spool_dir / f"{stem}.pdf"
        number = 1
        while target.exists():
            number += 1
            target = self.spool_dir / f"{stem}-{number}.pdf"
        return target


# IPP states (RFC 8011) as pycups reports them.
PRINTER_STOPPED = 5
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
STATUS_TIMEOUT_SECONDS = 3.0


class CupsPrinter:
    """A named CUPS queue through pycups; `CUPS_SERVER` chooses the server as for `lp`.

    Every pycups call runs on a short-lived daemon thread with a deadline, so a CUPS server
    that stops answering costs the kiosk a timeout, never a frozen session.
    """

    def __init__(self, queue: str, poll_seconds: float = 0.2) -> None:
        if not queue:
            raise ValueError("a CUPS queue name is needed ([printer] cups_queue)")
        self.queue = queue
        self.poll_seconds = poll_seconds

    def status(self) -> PrinterStatus:
        try:
            return _bounded(self._status, STATUS_TIMEOUT_SECONDS)
        except PrinterProblem as problem:
            return PrinterStatus(False, (problem.kind,), problem.operator_message)

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        status = self.status()
        if not status.ready:
            raise status.problem()
        name = safe_name(title)
        job = _bounded(lambda: self._submit(pdf, name), _left(deadline))
        log.info("receipt %s sent to CUPS queue %s as job %d", name, self.queue, job)
        while True:
            state, reasons = _bounded(lambda: self._job_state(job), _left(deadline))
            if state == JOB_COMPLETED:
                return
            if state in (JOB_CANCELED, JOB_ABORTED):
                raise PrinterProblem(
                    PrinterProblemKind.OTHER, f"CUPS job {job} ended unprinted ({reasons})"
                )
            status = self.status()
            if not status.ready:
                # The person has gone by the time paper is back: the slip must not print later.
                self._cancel(job)
                raise status.problem()
            if time.monotonic() + self.poll_seconds >= deadline:
                self._cancel(job)
                raise PrinterProblem(
                    PrinterProblemKind.TIMEOUT,
                    f"CUPS job {job} not finished after {timeout_seconds:g} s ({reasons})",
                )
            time.sleep(self.poll_seconds)

    # -- pycups, each on its own thread (see _bounded) ---------------------------------------

    def _status(self) -> PrinterStatus:
        attributes = _connect().getPrinterAttributes(
            self.queue,
            requested_attributes=[
                "printer-state",
                "printer-state-reasons",
                "printer-state-message",
                "printer-is-accepting-jobs",
            ],
        )
        reasons = [str(r) for r in attributes.get("printer-state-reasons", [])]
        reasons = [r for r in reasons if r != "none"]
        message = str(attributes.get("printer-state-message", "") or "")
        problems = list(problems_from_reasons(reasons))
        stopped = attributes.get("printer-state") == PRINTER_STOPPED
        accepting = attributes.get("printer-is-accepting-jobs", True)
        if (stopped or not accepting) and not problems:
            problems.append(PrinterProblemKind.QUEUE_STOPPED)
        detail = f"queue {self.queue}: " + (", ".join(reasons) or "ok")
        if message:
            detail += f" ({message[:120]})"
        return PrinterStatus(ready=not problems, problems=tuple(problems), detail=detail)

    def _submit(self, pdf: bytes, name: str) -> int:
        # A private temporary file, gone before this returns: pycups prints from paths.
        with tempfile.TemporaryDirectory(prefix="kiosk-print-") as folder:
            path = Path(folder) / f"{name}.pdf"
            path.write_bytes(pdf)
            job: int = _connect().printFile(self.queue, str(path), name, {})
        return job

    def _job_state(self, job: int) -> tuple[int, str]:
        attributes = _connect().getJobAttributes(
            job, requested_attributes=["job-state", "job-state-reasons"]
        )
        reasons = attributes.get("job-state-reasons", "")
        if isinstance(reasons, list):
            reasons = ", ".join(str(r) for r in reasons)
        return int(attributes.get("job-state", JOB_PENDING)), str(reasons)

    def _cancel(self, job: int) -> None:
        try:
            _bounded(lambda: _connect().cancelJob(job, purge_job=True), STATUS_TIMEOUT_SECONDS)
        except PrinterProblem as problem:
            log.warning("CUPS job %d not cancelled: %s", job, problem.operator_message)


def _connect() -> Any:
    """A new pycups connection; libcups reads CUPS_SERVER per thread, so set it explicitly."""
    import cups

    server = os.environ.get("CUPS_SERVER")
    if server:
        cups.setServer(server)
    return cups.Connection()


def _bounded(call: Callable[[], T], seconds: float) -> T:
    """`call()` on a daemon thread; PrinterProblem(TIMEOUT) if it takes over `seconds`.

    pycups failures become PrinterProblem too (OFFLINE when the server cannot be reached).
    """
    results: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            results.put((True, call()))
        except BaseException as error:  # handed to the caller's thread, not lost
            results.put((False, error))

    threading.Thread(target=work, name="cups-call", daemon=True).start()
    try:
        ok, value = results.get(timeout=max(0.0, seconds))
    except queue.Empty:
        raise PrinterProblem(
            PrinterProblemKind.TIMEOUT, f"CUPS did not answer within {seconds:.1f} s"
        ) from None
    if ok:
        result: T = value
        return result
    raise _as_problem(value)


def _as_problem(error: BaseException) -> BaseException:
    import cups

    if isinstance(error, PrinterProblem):
        return error
    if isinstance(error, cups.IPPError):
        status, message = [*error.args, 0, ""][:2]
        kind = PrinterProblemKind.OTHER
        if status == cups.IPP_NOT_FOUND:
            return PrinterProblem(kind, f"CUPS: no such queue ({message})")
        if status == cups.IPP_NOT_ACCEPTING:
            kind = PrinterProblemKind.QUEUE_STOPPED
        return PrinterProblem(kind, f"CUPS refused: {message} (IPP status {status:#x})")
    if isinstance(error, RuntimeError | cups.HTTPError | OSError):
        return PrinterProblem(PrinterProblemKind.OFFLINE, f"CUPS server unreachable: {error}")
    return error


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise PrinterProblem(PrinterProblemKind.TIMEOUT, "print deadline passed")
    return left


def _spool_failed(detail: str) -> PrinterStatus:
    return PrinterStatus(False, (PrinterProblemKind.SPOOL_FAILED,), detail)


def _os_words(error: OSError) -> str:
    name = errno.errorcode.get(error.errno or 0, "OSError")
    return f"{name}: {error.strerror or error}"

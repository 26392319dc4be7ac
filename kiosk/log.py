"""Logging set up in one place, with a redaction pass no record can bypass.

Citizen IDs, card numbers, PINs and the names of the person at the kiosk must never reach a
log file, even if a later change logs them by mistake. Patterns catch the structured values;
names are registered by the session while a person is at the kiosk and forgotten after.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
from pathlib import Path
from types import TracebackType

REDACTED = "[redacted]"

_PATTERNS = (
    # Citizen ID (GB 11643): 17 digits and a digit or X, not inside a longer number.
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    # Card number: a letter and 8 digits.
    re.compile(r"(?<![0-9A-Za-z])[A-Za-z]\d{8}(?![0-9A-Za-z])"),
    # Anything introduced as a PIN, whatever its length or spacing.
    re.compile(r"(?i)(pin\w*\s*[=:]?\s*['\"]?)[0-9 ]{4,16}"),
    # A bare 6-digit run: the PIN length of these cards. Money has a decimal point.
    re.compile(r"(?<![\d.,:\-])\d{6}(?![\d.,:\-])"),
    # VERIFY APDU data as hex: 00 20 00 00 Lc <packed BCD PIN>.
    re.compile(r"(?i)(00\s?20\s?00\s?00\s?0[2-8]\s?)(?:[0-9a-f]{2}\s?){2,8}"),
)

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Redact this exact text (a person's name) until `forget_secrets` is called."""
    if value and len(value) >= 2:
        with _secrets_lock:
            _secrets.add(value)


def forget_secrets() -> None:
    with _secrets_lock:
        _secrets.clear()


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted output, message, arguments and traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingFilter(logging.Filter):
    """For handlers we do not format ourselves: rewrites the record's message in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(
    level: str = "INFO",
    log_file: Path | None = None,
    max_bytes: int = 5_000_000,
    backup_count: int = 5,
    console: bool = True,
) -> None:
    """Rotating file + console, both redacting; uncaught exceptions go to the log."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    formatter = RedactingFormatter(FORMAT)
    handlers: list[logging.Handler] = []
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        handler._kiosk_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_thread


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("kiosk.crash").critical("uncaught exception", exc_info=(kind, error, trace))


def _log_uncaught_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    logging.getLogger("kiosk.crash").critical(
        "uncaught exception in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )

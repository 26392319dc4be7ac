"""The logging redaction: no citizen ID, card number, PIN or name ever reaches a log file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.log import forget_secrets, redact, register_secret, setup_logging

CITIZEN_ID = "360426199101010071"
CARD_NUMBER = "A32010001"
PIN = "888888"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    import sys
    import threading

    path = tmp_path / "logs" / "kiosk.log"
    hooks = sys.excepthook, threading.excepthook
    setup_logging("DEBUG", path, console=False)
    yield path
    sys.excepthook, threading.excepthook = hooks
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_kiosk_handler", False):
            logging.getLogger().removeHandler(handler)
            handler.close()
    forget_secrets()


@pytest.mark.allow_error_logs
def test_a_record_with_an_id_a_card_number_and_a_pin_writes_none_of_them(log_file: Path) -> None:
    log = logging.getLogger("kiosk.test")
    log.info("person %s with card %s typed pin=%s", CITIZEN_ID, CARD_NUMBER, PIN)
    log.warning("verify %s failed", PIN)
    log.error("APDU 00 20 00 00 03 88 88 88 -> 63C2")
    text = log_file.read_text(encoding="utf-8")
    for secret in (CITIZEN_ID, CARD_NUMBER, PIN, "88 88 88"):
        assert secret not in text
    assert text.count("[redacted]") >= 5
    assert "63C2" in text


@pytest.mark.allow_error_logs
def test_a_traceback_carrying_a_citizen_id_is_redacted(log_file: Path) -> None:
    try:
        raise ValueError(f"bad record for {CITIZEN_ID}")
    except ValueError:
        logging.getLogger("kiosk.test").exception("card read failed")
    text = log_file.read_text(encoding="utf-8")
    assert "ValueError" in text
    assert CITIZEN_ID not in text


def test_a_registered_name_is_redacted_until_forgotten(log_file: Path) -> None:
    register_secret("张伟")
    logging.getLogger("kiosk.test").info("hello 张伟")
    forget_secrets()
    logging.getLogger("kiosk.test").info("hello 李四")
    text = log_file.read_text(encoding="utf-8")
    assert "张伟" not in text
    assert "李四" in text


def test_money_and_timings_survive_redaction() -> None:
    line = "balance 123456.78 paid in 12.5 ms, 20 rows, 2026-11-24 20:25:10"
    assert redact(line) == line


def test_an_x_terminated_citizen_id_is_redacted() -> None:
    assert "11010519491231002X" not in redact("id 11010519491231002X")


@pytest.mark.allow_error_logs
def test_uncaught_exceptions_go_to_the_log(log_file: Path) -> None:
    import sys

    try:
        raise RuntimeError(f"boom {CARD_NUMBER}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    text = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in text
    assert "RuntimeError" in text
    assert CARD_NUMBER not in text

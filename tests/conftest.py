"""Strict harness shared by every test: offscreen Qt, no stray config, no unexpected errors."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator

import pytest

# Set before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("KIOSK_CONFIG", None)
os.environ.pop("KIOSK_STORE_URL", None)

pytest_plugins = ["tests.realparts.plugin"]


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_unexpected_error_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that logs an ERROR fails, unless it says it expects one (qutebrowser's habit).

    Known failures are logged as warnings; an ERROR means a bug or a broken part.
    """
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("allow_error_logs") is None:
        lines = "\n".join(f"  {r.name}: {r.getMessage()}" for r in handler.records[:5])
        pytest.fail(
            "unexpected ERROR log records (mark the test @pytest.mark.allow_error_logs "
            f"if they are what it tests):\n{lines}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _kiosk_logging_ends_with_the_test() -> Iterator[None]:
    """Take back what kiosk.log.setup_logging installed during a test (a CLI command run
    in-process). Its console handler holds the sys.stderr of that test's capture, which
    pytest closes: later tests' log lines then fail in it as "--- Logging error ---"."""
    root = logging.getLogger()
    before = set(root.handlers)
    level, hooks = root.level, (sys.excepthook, threading.excepthook)
    yield
    for handler in [h for h in root.handlers if h not in before]:
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks

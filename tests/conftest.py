"""Strict harness shared by every test: offscreen Qt, no stray config, no unexpected errors."""

from __future__ import annotations

import logging
import os
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

"""The last few warnings and errors, kept in memory for the maintenance screen."""

from __future__ import annotations

import logging
import threading
from collections import deque

from kiosk.log import RedactingFormatter

KEEP = 10


class RecentProblems(logging.Handler):
    def __init__(self, keep: int = KEEP) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(RedactingFormatter("%(asctime)s %(name)s: %(message)s", "%m-%d %H:%M"))
        self._lines: deque[str] = deque(maxlen=keep)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record).splitlines()[0]  # the first line: no traceback on screen
        with self._guard:
            self._lines.append(line)

    def lines(self) -> tuple[str, ...]:
        with self._guard:
            return tuple(self._lines)

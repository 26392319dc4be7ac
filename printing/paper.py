"""The paper counter: estimates what is left on the roll from the lengths printed.

Thermal printers rarely say "paper low" before they say "paper out", so the kiosk counts.
The count lives in a small JSON file, replaced atomically, so it survives restarts and a
power cut never leaves half a file.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from printing.atomic_file import write_atomically

log = logging.getLogger(__name__)

DEFAULT_LOW_MM = 3000  # about 15 long receipts: time enough for staff to fetch a roll


class PaperCounter:
    """Millimetres printed since the last refill, against the roll length."""

    def __init__(self, state_file: Path, roll_mm: int, low_mm: int = DEFAULT_LOW_MM) -> None:
        if roll_mm <= 0 or low_mm < 0:
            raise ValueError("roll_mm must be positive and low_mm not negative")
        self.state_file = state_file
        self.roll_mm = roll_mm
        self.low_mm = low_mm
        self._lock = threading.Lock()
        self._used_mm = self._load()

    @property
    def used_mm(self) -> float:
        return self._used_mm

    @property
    def left_mm(self) -> int:
        return max(0, int(self.roll_mm - self._used_mm))

    @property
    def low(self) -> bool:
        return self.left_mm <= self.low_mm

    def printed(self, length_mm: float) -> None:
        """Count one printed receipt (its length including the feed to the cutter)."""
        if length_mm < 0:
            raise ValueError("a printed length cannot be negative")
        with self._lock:
            was_low = self.low
            self._used_mm += length_mm
            self._save()
            if self.low and not was_low:
                log.warning("receipt paper low: about %d mm left on the roll", self.left_mm)

    def refilled(self) -> None:
        """A fresh roll was loaded."""
        with self._lock:
            self._used_mm = 0.0
            self._save()
        log.info("receipt paper refilled: %d mm roll", self.roll_mm)

    def _load(self) -> float:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            used = float(state["used_mm"])
        except FileNotFoundError:
            return 0.0
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning(
                "paper counter %s unreadable (%s): assuming a fresh roll",
                self.state_file,
                type(error).__name__,
            )
            return 0.0
        return max(0.0, used)

    def _save(self) -> None:
        text = json.dumps({"used_mm": round(self._used_mm, 1), "roll_mm": self.roll_mm})
        write_atomically(self.state_file, text)

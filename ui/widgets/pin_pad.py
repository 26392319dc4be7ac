"""Our own 12-key PIN pad: 1-2-3 on top, a raised 5, Clear - 0 - OK, digits shown as dots.

The digits live only in this pad's bytearray; `confirmed` hands that bytearray over (the
VERIFY step zeroes it) and the pad starts a fresh one, so no copy of a PIN stays behind.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from ui.i18n import text
from ui.widgets.basics import button, label
from ui.widgets.tactile_key import TactileKey

MAX_DIGITS = 12
MIN_DIGITS = 4
LAYOUT = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
KEY_GAP = 10  # key centres stay > 17 mm apart (ui.md); the pad fits 800 px in large text


class PinPad(QWidget):
    def __init__(
        self,
        language: str,
        on_confirm: Callable[[bytearray], None],
        on_touch: Callable[[], None],
        scrambled: bool = False,
        expected_digits: int = 6,
    ) -> None:
        super().__init__()
        self._language = language
        self._on_confirm = on_confirm
        self._on_touch = on_touch
        self._expected = expected_digits
        self._digits = bytearray()
        self.dots = label("", role="dots", center=True)
        self.dots.setObjectName("pin-dots")
        grid = QGridLayout()
        grid.setSpacing(KEY_GAP)
        order = [*LAYOUT, "0"]
        if scrambled:  # shoulder-surfing protection: a new order for every person
            random.SystemRandom().shuffle(order)
        self.keys: dict[str, QPushButton] = {}
        for index, digit in enumerate(order[:9]):
            self._add_key(grid, digit, index // 3, index % 3)
        clear = button(text("pin.clear", language), self.clear, role="key-word")
        grid.addWidget(clear, 3, 0)
        self._add_key(grid, order[9], 3, 1)
        self.confirm = button(text("pin.confirm", language), self._confirm, role="key-word")
        grid.addWidget(self.confirm, 3, 2)
        self.keys["clear"], self.keys["confirm"] = clear, self.confirm
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.dots)
        layout.addLayout(grid)
        layout.setAlignment(grid, Qt.AlignmentFlag.AlignHCenter)
        self._show_dots()

    def _add_key(self, grid: QGridLayout, digit: str, row: int, column: int) -> None:
        raised = digit == "5"  # where fingers find their place, wherever a scramble put it
        key = button(
            digit,
            lambda: self.press(digit),
            role="key",
            accessible_name=text("pin.digit", self._language, digit=digit),
            kind=TactileKey if raised else QPushButton,
        )
        if raised:
            key.setAccessibleDescription(text("pin.raised", self._language))
        grid.addWidget(key, row, column)
        self.keys[digit] = key

    def press(self, digit: str) -> None:
        self._on_touch()
        if len(self._digits) < MAX_DIGITS:
            self._digits.append(ord(digit))
        self._show_dots()

    def delete_last(self) -> None:
        """The keypad's Clear key: take back one digit (zeroed, not just dropped)."""
        self._on_touch()
        if self._digits:
            self._digits[-1] = 0
            del self._digits[-1]
        self._show_dots()

    def clear(self) -> None:
        self._on_touch()
        self._digits[:] = bytes(len(self._digits))
        self._digits = bytearray()
        self._show_dots()

    def _confirm(self) -> None:
        if len(self._digits) < MIN_DIGITS:
            return
        handed_over, self._digits = self._digits, bytearray()
        self._show_dots()
        self._on_confirm(handed_over)

    def _show_dots(self) -> None:
        count = len(self._digits)
        shown = max(count, self._expected)
        self.dots.setText(" ".join("●" if i < count else "○" for i in range(shown)))
        self.dots.setAccessibleName(text("pin.entered", self._language, count=count))
        self.confirm.setEnabled(count >= MIN_DIGITS)

    @property
    def entered(self) -> int:
        return len(self._digits)

    def hand_over(self) -> bytearray:
        """The digits typed so far, moved out (not copied): the pad is empty after."""
        digits, self._digits = self._digits, bytearray()
        self._show_dots()
        return digits

    def take(self, digits: bytearray) -> None:
        """Carry on from `digits` (another pad's hand_over): this pad owns them now."""
        self._digits[:] = bytes(len(self._digits))
        self._digits = digits
        self._show_dots()

    def wipe(self) -> None:
        self._digits[:] = bytes(len(self._digits))
        self._digits = bytearray()

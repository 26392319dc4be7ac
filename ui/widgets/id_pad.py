"""A keypad for a citizen ID: 0-9 and X, Delete, Next; checked as each key is pressed.

What went wrong is said at once (kiosk.citizen_id_entry; the screen puts the words beside the
keys), X is offered only as the 18th character, and Next opens only for a complete, valid ID.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from kiosk import citizen_id_entry as entry
from ui.i18n import text
from ui.widgets.basics import button, label
from ui.widgets.pin_pad import KEY_GAP
from ui.widgets.tactile_key import TactileKey

KEY_ROWS = ("123", "456", "789")


class IdPad(QWidget):
    def __init__(
        self,
        language: str,
        today: date,
        on_done: Callable[[str], None],
        on_touch: Callable[[], None],
    ) -> None:
        super().__init__()
        self._language = language
        self._today = today
        self._on_done = on_done
        self._on_touch = on_touch
        self._typed = ""
        self.shown = label("", role="dots", center=True, wrap=False)
        self.shown.setObjectName("id-typed")
        # What is wrong, for the screen to place: under the pad's words, as the keys need
        # the column's height in large text.
        self.problem = label("", role="warning")
        grid = QGridLayout()
        grid.setSpacing(KEY_GAP)
        self.keys: dict[str, QPushButton] = {}
        for row, keys in enumerate(KEY_ROWS):
            for column, key in enumerate(keys):
                self._add_key(grid, key, row, column)
        self._add_key(grid, "X", 3, 0)
        self._add_key(grid, "0", 3, 1)
        delete = button(
            text("id_entry.delete", language),
            self.delete,
            role="key-word",
            accessible_name=text("id_entry.delete.name", language),
        )
        grid.addWidget(delete, 3, 2)
        self.keys["delete"] = delete
        self.next = button(text("id_entry.next", language), self._done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shown)
        layout.addLayout(grid)
        layout.setAlignment(grid, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.next)
        self._show()

    def _add_key(self, grid: QGridLayout, key: str, row: int, column: int) -> None:
        widget = button(
            key, lambda: self.press(key), role="key", kind=TactileKey if key == "5" else QPushButton
        )
        if key == "5":
            widget.setAccessibleDescription(text("pin.raised", self._language))
        grid.addWidget(widget, row, column)
        self.keys[key] = widget

    def press(self, key: str) -> None:
        self._on_touch()
        if entry.can_add(self._typed, key):
            self._typed += key
        self._show()

    def delete(self) -> None:
        self._on_touch()
        self._typed = self._typed[:-1]
        self._show()

    @property
    def typed(self) -> str:
        return self._typed

    def wipe(self) -> None:
        self._typed = ""
        self._show()

    def take(self, typed: str) -> None:
        """Carry on from another pad's ID (the screen re-rendered in another language)."""
        self._typed = typed[: entry.ID_LENGTH]
        self._show()

    def _done(self) -> None:
        if entry.complete(self._typed, self._today):
            typed, self._typed = self._typed, ""
            self._show()
            self._on_done(typed)

    def _show(self) -> None:
        typed, language = self._typed, self._language
        grouped = entry.grouped(typed)
        self.shown.setText(grouped or "—")
        self.shown.setAccessibleName(
            text("loss.id.typed", language, count=len(typed), grouped=grouped)
        )
        problem = entry.problem(typed, self._today)
        words = text(f"id_entry.problem.{problem.value}", language) if problem else ""
        self.problem.setText(words)
        self.problem.setAccessibleName(words)
        self.keys["X"].setEnabled(entry.can_add(typed, "X"))
        full = len(typed) >= entry.ID_LENGTH
        for key in "0123456789":
            self.keys[key].setEnabled(not full)
        self.next.setEnabled(entry.complete(typed, self._today))

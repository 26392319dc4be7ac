"""The admin PIN pad behind the hidden long-press; the same keypad as the card PIN.

After too many wrong admin PINs the session locks the pad: the screen says for how long
(minutes:seconds, counted down by the session) and the keypad takes no input until then."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pin_pad import PinPad


def lock_time(seconds: int) -> str:
    """The lock left as minutes:seconds (1:05, 60:00)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


class MaintenancePinScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        columns = QHBoxLayout()
        words = QVBoxLayout()
        self.title(words, "maintenance.pin_title", view)
        locked = view.admin_pin_locked_seconds
        if view.admin_pin_wrong:
            words.addWidget(label(text("maintenance.pin_wrong", language), role="warning"))
        if locked:
            notice = text("maintenance.pin_locked", language, time=lock_time(locked))
            locked_label = label(notice, role="warning")
            locked_label.setObjectName("admin-pin-locked")
            words.addWidget(locked_label)
        words.addStretch(1)
        close = button(
            text("maintenance.close", language), self.session.leave_maintenance, "secondary"
        )
        words.addWidget(close)
        columns.addLayout(words, 1)
        self.pad = PinPad(language, self.session.submit_admin_pin, self.session.touch)
        self.pad.setEnabled(not locked)  # a locked pad takes no digit at all
        columns.addWidget(self.pad, 1)
        layout.addLayout(columns, 1)

"""The admin PIN pad behind the hidden long-press; the same keypad as the card PIN."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pin_pad import PinPad


class MaintenancePinScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        columns = QHBoxLayout()
        words = QVBoxLayout()
        self.title(words, "maintenance.pin_title", view)
        if view.admin_pin_wrong:
            words.addWidget(label(text("maintenance.pin_wrong", language), role="warning"))
        words.addStretch(1)
        close = button(
            text("maintenance.close", language), self.session.leave_maintenance, "secondary"
        )
        words.addWidget(close)
        columns.addLayout(words, 1)
        pad = PinPad(language, self.session.submit_admin_pin, self.session.touch)
        columns.addWidget(pad, 1)
        layout.addLayout(columns, 1)

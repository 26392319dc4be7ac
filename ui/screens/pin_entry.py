"""PIN entry: tries left, a wrong PIN said plainly, our own keypad, and a way out."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session import Session
from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pin_pad import PinPad


class PinScreen(Screen):
    def __init__(self, session: Session, scrambled: bool = False) -> None:
        super().__init__(session)
        self.scrambled = scrambled
        self.pad: PinPad | None = None

    def wipe(self) -> None:
        if self.pad is not None:
            self.pad.wipe()
            self.pad = None
        super().wipe()

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        # Words on the left, the keypad on the right: both fit a landscape panel in large text.
        columns = QHBoxLayout()
        words = QVBoxLayout()
        self.title(words, "pin.title", view)
        tries = view.pin_tries_left
        if view.pin_wrong and tries is not None:
            words.addWidget(label(text("pin.wrong", language, tries=tries), role="warning"))
        elif tries is not None:
            words.addWidget(label(text("pin.tries", language, tries=tries)))
        words.addWidget(label(text("pin.hint", language), role="muted"))
        words.addStretch(1)
        words.addWidget(button(text("pin.cancel", language), self.session.finish, "secondary"))
        columns.addLayout(words, 1)
        self.pad = PinPad(language, self.session.submit_pin, self.session.touch, self.scrambled)
        columns.addWidget(self.pad, 1)
        layout.addLayout(columns, 1)

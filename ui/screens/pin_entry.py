"""PIN entry: tries left, a wrong PIN said plainly, our own keypad, and a way out.

`PadScreen` is the layout both PIN screens share (the card PIN and the PIN change): the words
on the left, the keypad on the right, so both fit a landscape panel in large text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session import Session
from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pin_pad import PinPad


class PadScreen(Screen):
    def __init__(self, session: Session, scrambled: bool = False) -> None:
        super().__init__(session)
        self.scrambled = scrambled
        self.pad: PinPad | None = None

    def wipe(self) -> None:
        if self.pad is not None:
            self.pad.wipe()
            self.pad = None
        super().wipe()

    def show_view(self, view: View, theme: Theme) -> None:
        """Re-rendered on the same pad (a language or text-size switch): the digits typed
        so far move to the new pad, so the person need not start again."""
        typed = self.pad.hand_over() if self.pad is not None else bytearray()
        super().show_view(view, theme)
        if self.pad is not None and typed:
            self.pad.take(typed)

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        columns = QHBoxLayout()
        words = QVBoxLayout()
        cancel_key, cancel = self.words(words, view)
        words.addStretch(1)
        words.addWidget(button(text(cancel_key, view.language), cancel, "secondary"))
        columns.addLayout(words, 1)
        self.pad = PinPad(view.language, self.confirmed, self._key_pressed, self.scrambled)
        columns.addWidget(self.pad, 1)
        layout.addLayout(columns, 1)

    def _key_pressed(self) -> None:
        self.session.touch()
        self.key_tone()

    def words(self, words: QVBoxLayout, view: View) -> tuple[str, Callable[[], None]]:
        """Fill the words column; return the way out's words key and action."""
        raise NotImplementedError

    def confirmed(self, pin: bytearray) -> None:
        raise NotImplementedError


class PinScreen(PadScreen):
    def words(self, words: QVBoxLayout, view: View) -> tuple[str, Callable[[], None]]:
        language = view.language
        self.title(words, "pin.title", view)
        tries = view.pin_tries_left
        if view.pin_wrong and tries is not None:
            words.addWidget(label(text("pin.wrong", language, tries=tries), role="warning"))
        elif tries is not None:
            words.addWidget(label(text("pin.tries", language, tries=tries)))
        words.addWidget(label(text("pin.hint", language), role="muted"))
        return "pin.cancel", self.session.finish

    def confirmed(self, pin: bytearray) -> None:
        self.session.submit_pin(pin)

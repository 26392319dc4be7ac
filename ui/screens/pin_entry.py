"""PIN entry: tries left, a wrong PIN said plainly, our own keypad, and a way out.

`PadScreen` is the layout every PIN screen shares (the card PIN, the PIN change, the loss
report's service password): one column, the title and what went wrong right above the dots,
the keypad centred under them; beside the keypad the hints, and the way out at its foot.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

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
        above, beside = QVBoxLayout(), QVBoxLayout()
        above.setSpacing(theme.spacing_px // 2)
        cancel_key, cancel = self.words(above, beside, view)
        for index in range(above.count()):
            item = above.itemAt(index)
            shown = item.widget() if item is not None else None
            if isinstance(shown, QLabel):
                shown.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)  # the column in the middle of the height the window has
        layout.addLayout(above)
        self.pad = PinPad(view.language, self.confirmed, self._key_pressed, self.scrambled)
        way_out = QVBoxLayout()
        way_out.addStretch(1)
        way_out.addWidget(button(text(cancel_key, view.language), cancel, "secondary"))
        for index in range(beside.count()):
            item = beside.itemAt(index)
            hint = item.widget() if item is not None else None
            if hint is not None:  # a wrapping label sized at its narrowest grows the window
                hint.setMinimumWidth(theme.key_width_px * 2)
        beside.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(theme.spacing_px)
        row.addWidget(_column(way_out), 1)
        row.addWidget(self.pad)
        row.addWidget(_column(beside), 1)
        layout.addLayout(row)
        layout.addStretch(1)

    def _key_pressed(self) -> None:
        self.session.touch()
        self.key_tone()

    def words(
        self, above: QVBoxLayout, beside: QVBoxLayout, view: View
    ) -> tuple[str, Callable[[], None]]:
        """Fill what goes above the dots and beside the keypad; return the way out's words
        key and action."""
        raise NotImplementedError

    def confirmed(self, pin: bytearray) -> None:
        raise NotImplementedError


class PinScreen(PadScreen):
    def words(
        self, above: QVBoxLayout, beside: QVBoxLayout, view: View
    ) -> tuple[str, Callable[[], None]]:
        language = view.language
        self.title(above, "pin.title", view)
        tries = view.pin_tries_left
        if view.pin_wrong and tries is not None:
            above.addWidget(label(text("pin.wrong", language, tries=tries), role="warning"))
        elif tries is not None:
            above.addWidget(label(text("pin.tries", language, tries=tries)))
        beside.addWidget(label(text("pin.hint", language), role="muted"))
        return "pin.cancel", self.session.finish

    def confirmed(self, pin: bytearray) -> None:
        self.session.submit_pin(pin)


def _column(layout: QVBoxLayout) -> QWidget:
    """A side of the keypad: both sides share what is left of the width, so it is centred."""
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder

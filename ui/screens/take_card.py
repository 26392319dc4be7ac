"""The end: please take your card (and the receipt), with a card that pulses out of the slot."""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout

from kiosk.session import Session
from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import label
from ui.widgets.card_picture import CardPicture

PULSE_MS = 60


class TakeCardScreen(Screen):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._picture: CardPicture | None = None
        self._phase = 0.0
        self._pulse = QTimer(self)
        self._pulse.setInterval(PULSE_MS)
        self._pulse.timeout.connect(self._step)

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        title = "take_card.again" if view.take_card_reminders else "take_card.title"
        layout.addWidget(label(text(title, language), role="title", center=True))
        if view.printed:
            layout.addWidget(label(text("take_card.printed", language), center=True))
        self._picture = CardPicture(theme.palette, text("take_card.title", language), True)
        layout.addWidget(self._picture, 1)
        layout.addWidget(label(text("take_card.body", language), role="muted", center=True))
        self._pulse.start()

    def wipe(self) -> None:
        self._pulse.stop()
        self._picture = None
        super().wipe()

    def _step(self) -> None:
        if self._picture is None:
            return
        self._phase = (self._phase + 0.08) % (2 * math.pi)
        self._picture.lift = (1 + math.sin(self._phase)) / 2
        self._picture.update()

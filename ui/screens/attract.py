"""The start screen: insert your card, with a drawn card going into the slot."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.card_picture import CardPicture


class AttractScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        if view.card_pulled:
            pulled = label(text("attract.card_pulled", language), role="warning", center=True)
            pulled.setObjectName("card-pulled")
            layout.addWidget(pulled)
        layout.addStretch(1)
        layout.addWidget(label(text("attract.title", language), role="title", center=True))
        layout.addWidget(label(text("attract.body", language), center=True))
        # Where the kiosk stands and the hotlines are the frame's, on every screen (ui/frame.py).
        layout.addWidget(CardPicture(theme.palette, text("attract.illustration", language)), 6)
        layout.addWidget(
            button(text("loss.start", language), self.session.start_loss_report, "secondary")
        )

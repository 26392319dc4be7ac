"""A card that cannot be used: what happened, and where to go (the office, 12393 / 12333)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from kiosk.session.view import ProblemKind, View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label


class CardProblemScreen(Screen):
    title_key = "problem.title"

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        layout.addStretch(1)
        layout.addWidget(label(text(self.title_key, language), role="title", center=True))
        if view.problem is not None:
            message = label(view.problem.message(language), role="warning", center=True)
            message.setObjectName("problem-message")
            layout.addWidget(message)
        layout.addWidget(label(text("problem.where", language), center=True))
        layout.addStretch(2)
        if view.problem is not None and view.problem.kind is ProblemKind.REPORTED_LOST:
            layout.addWidget(button(text("loss.found", language), self.session.lift_loss))
        if view.problem is None or view.problem.kind is not ProblemKind.READER_UNAVAILABLE:
            layout.addWidget(button(text("problem.take_card", language), self.session.finish))

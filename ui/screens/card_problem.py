"""A card that cannot be used: what happened (a title of its own for each kind), where to go
(the office, 12393 / 12333), and "please take your card" as an instruction with the card
drawn coming out of the slot, not as a button (taking the card out is the answer)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from kiosk.session.view import ProblemKind, View
from kiosk.words import has
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.card_picture import CardPicture


class CardProblemScreen(Screen):
    title_key = "problem.title"

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        problem = view.problem
        title = self.title_key
        if problem is not None and has(f"problem.title.{problem.kind.value}", language):
            title = f"problem.title.{problem.kind.value}"
        layout.addWidget(label(text(title, language), role="title", center=True))
        if problem is not None:
            message = label(problem.message(language), role="warning", center=True)
            message.setObjectName("problem-message")
            layout.addWidget(message)
        layout.addWidget(label(text("problem.where", language), center=True))
        if problem is not None and problem.kind is ProblemKind.REPORTED_LOST:
            layout.addWidget(button(text("loss.found", language), self.session.lift_loss))
        if self.session.card_in:
            taking = text("problem.take_card", language)
            layout.addWidget(CardPicture(theme.palette, taking, taking_out=True), 1)
            layout.addWidget(label(taking, role="title", center=True))
        else:
            layout.addStretch(1)
            if problem is None or problem.kind is not ProblemKind.READER_UNAVAILABLE:
                back = text("problem.back_to_start", language)
                layout.addWidget(button(back, self.session.finish, "secondary"))

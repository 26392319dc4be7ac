"""Family mutual aid (家庭共济): who is bound, which way, and what moved this year."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.domain import FamilyBinding
from kiosk.session.view import View
from kiosk.speech.spoken import spoken_row
from ui.i18n import date_text, relation_label, text, yuan
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import label, row_frame


def binding_row(binding: FamilyBinding, language: str) -> QWidget:
    frame, row = row_frame(spoken_row(binding, language))
    column = QVBoxLayout()
    key = "family.payer" if binding.direction == "payer" else "family.beneficiary"
    column.addWidget(
        label(
            text(
                key,
                language,
                name=binding.counterpart_name,
                relation=relation_label(binding.relation, language),
            )
        )
    )
    since = text(
        "family.since",
        language,
        since=date_text(binding.since),
        amount=yuan(binding.transferred_this_year),
    )
    column.addWidget(label(since, role="muted"))
    row.addLayout(column)
    return frame


class FamilyAidScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        self.set_heading("nav.family_aid", view)  # the words of the button that opens it
        self.paged(
            layout,
            view,
            theme,
            view.family,
            lambda item: binding_row(item, view.language),
            "family.none",
        )

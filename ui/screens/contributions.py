"""The last twelve months of contributions: period, base, amounts, when they arrived."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.domain import Contribution, LedgerKind
from kiosk.session.view import View
from kiosk.speech.spoken import spoken_row
from ui.i18n import date_text, kind_label, text, yuan
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import label, row_frame


def contribution_row(item: Contribution, language: str) -> QWidget:
    frame, row = row_frame(spoken_row(item, language))
    left = QVBoxLayout()
    left.addWidget(label(date_text(item.period, "month")))
    if item.base or item.employee or item.employer:
        left.addWidget(
            label(
                text(
                    "contributions.row",
                    language,
                    base=yuan(item.base),
                    employee=yuan(item.employee),
                    employer=yuan(item.employer),
                ),
                role="muted",
            )
        )
    else:  # a retiree pays nothing: the month's money is the pension fund's allocation
        left.addWidget(label(kind_label(LedgerKind.RETIREE_ALLOCATION, language), role="muted"))
    row.addLayout(left, 3)
    right = QVBoxLayout()
    right.addWidget(
        label(text("contributions.to_account", language, amount=yuan(item.to_personal_account)))
    )
    arrived = (
        text("contributions.arrived", language, date=date_text(item.arrived_at))
        if item.arrived_at
        else text("contributions.pending", language)
    )
    right.addWidget(label(arrived, role="muted"))
    row.addLayout(right, 2)
    return frame


class ContributionsScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        self.set_heading("nav.contributions", view)  # the words of the button that opens it
        self.paged(
            layout,
            view,
            theme,
            view.contributions,
            lambda item: contribution_row(item, view.language),
        )

"""This year's statement: opening, in, out, family aid, closing, and spending by month."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QGridLayout, QVBoxLayout

from kiosk.session.view import View
from ui.i18n import text, yuan
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import label
from ui.widgets.month_chart import MonthChart


class AnnualScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        statement = view.annual
        if statement is None:
            return
        language = view.language
        self.set_heading("annual.title", view, year=statement.year)
        figures: list[tuple[str, Decimal]] = [
            ("annual.opening", statement.opening_balance),
            ("annual.in", statement.total_in),
            ("annual.out", statement.total_out),
            ("annual.closing", statement.closing_balance),
        ]
        grid = QGridLayout()
        for index, (key, amount) in enumerate(figures):
            cell = QVBoxLayout()
            cell.addWidget(label(text(key, language), role="muted"))
            cell.addWidget(label(yuan(amount), wrap=False))
            grid.addLayout(cell, 0, index)  # one row: the chart needs the height
        layout.addLayout(grid)
        layout.addWidget(
            label(
                text(
                    "annual.family",
                    language,
                    out=yuan(statement.family_aid_out),
                    into=yuan(statement.family_aid_in),
                ),
                role="muted",
            )
        )
        if statement.carried_over:
            layout.addWidget(
                label(
                    f"{text('annual.carried', language)} {yuan(statement.carried_over)}",
                    role="muted",
                )
            )
        layout.addWidget(label(text("annual.chart", language)))
        layout.addWidget(MonthChart(statement.spending_by_month, theme, language), 1)
        self.back_and_finish(layout, view)

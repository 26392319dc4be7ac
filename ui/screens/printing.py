"""Printing: progress while it prints; a printer problem in plain words, with a way on."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QVBoxLayout

from kiosk.session.view import ProblemKind, State, View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label


class PrintingScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        layout.addStretch(1)
        if view.problem is None:
            layout.addWidget(label(text("busy.printing", language), role="title", center=True))
            progress = QProgressBar()
            progress.setRange(0, 0)
            progress.setTextVisible(False)
            progress.setFixedHeight(theme.spacing_px * 3)
            progress.setAccessibleName(text("busy.printing", language))
            layout.addWidget(progress)
            layout.addStretch(2)
            return
        limit = view.problem.kind is ProblemKind.SLIP_LIMIT
        title = "printing.limit" if limit else "printing.problem"
        layout.addWidget(label(text(title, language), role="title", center=True))
        layout.addWidget(label(view.problem.message(language), role="warning", center=True))
        layout.addStretch(2)
        back = button(
            text("printing.back", language), lambda: self.session.show(State.OVERVIEW), "secondary"
        )
        layout.addWidget(back)
        layout.addWidget(button(text("button.finish", language), self.session.finish))

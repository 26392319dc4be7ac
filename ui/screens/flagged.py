"""Charges worth a second look: said plainly, never as an accusation, with what to do."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.domain import FlaggedCharge
from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.screens.history import entry_row
from ui.theme import Theme
from ui.widgets.basics import label


class FlaggedScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        self.set_heading("nav.flagged", view)  # the words of the button that opens it
        if view.flagged:
            layout.addWidget(label(text("flagged.intro", view.language), role="muted"))
            layout.addWidget(label(text("history.flag_what", view.language), role="muted"))

        def row(charge: FlaggedCharge) -> QWidget:
            return entry_row(replace(charge.entry, flags=charge.reasons), view.language)

        self.paged(layout, view, theme, view.flagged, row, "flagged.none")

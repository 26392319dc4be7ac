"""Reading the card: words and a moving bar, so nobody pulls the card to "try again"."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QVBoxLayout

from kiosk.session.view import Busy, View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import label


class ReadingScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        busy = view.busy or Busy.READING_CARD
        layout.addStretch(1)
        layout.addWidget(
            label(text(f"busy.{busy.value}", view.language), role="title", center=True)
        )
        progress = QProgressBar()
        progress.setRange(0, 0)  # "busy": no fake percentages
        progress.setTextVisible(False)
        progress.setFixedHeight(theme.spacing_px * 3)
        progress.setAccessibleName(text(f"busy.{busy.value}", view.language))
        layout.addWidget(progress)
        layout.addStretch(2)

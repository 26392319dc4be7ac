"""The keypad's 5 with its raised bar, as on a phone or a bank terminal: where a finger finds
its place. Still a real QPushButton with its accessible name; the bar is drawn in the key."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QPushButton

# The bar: a quarter of the key wide, in the room the theme leaves under the digit
# (QPushButton[tactile="true"] lifts it), apart from it so it reads as a mark, not a line.
BAR_WIDTH = 0.3
BAR_TOP = 0.80
BAR_HEIGHT = 0.09


class TactileKey(QPushButton):
    """A key with a short raised bar drawn under its digit, solid, in the digit's colour."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setProperty("tactile", "true")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        width, height = self.width(), self.height()
        bar = QRectF(
            width * (1 - BAR_WIDTH) / 2,
            height * BAR_TOP,
            width * BAR_WIDTH,
            max(4.0, height * BAR_HEIGHT),
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        radius = bar.height() / 2
        painter.drawRoundedRect(bar, radius, radius)
        painter.end()

"""A card in a reader slot with an arrow: into the slot (insert) or out of it (take back).

Drawn, not shipped as an image: nothing to lose, and it follows the palette and size.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.theme import Palette

CARD_BLUE = QColor("#1F6FBF")
CHIP_GOLD = QColor("#E8C35A")
SLOT_GREY = QColor("#2B2F36")


class CardPicture(QWidget):
    def __init__(self, palette: Palette, accessible_name: str, taking_out: bool = False) -> None:
        super().__init__()
        self._palette = palette
        self._taking_out = taking_out
        self.lift = 0.0  # 0..1, animated by the take-card screen to make the card "pulse"
        self.setAccessibleName(accessible_name)
        self.setMinimumSize(160, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = float(self.width()), float(self.height())
        card_w = min(w * 0.42, h * 0.95)
        card_h = card_w * 0.63
        slot_top = h * 0.72
        left = (w - card_w) / 2
        # A card stands on its short edge going into a slot: show it upright, chip end down.
        card_top = slot_top - card_h * (0.75 + 0.15 * self.lift)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CARD_BLUE)
        painter.drawRoundedRect(QRectF(left, card_top, card_w, card_h), 12, 12)
        painter.setBrush(CHIP_GOLD)
        painter.drawRoundedRect(
            QRectF(left + card_w * 0.12, card_top + card_h * 0.35, card_w * 0.18, card_h * 0.24),
            5,
            5,
        )
        painter.setBrush(SLOT_GREY)
        painter.drawRoundedRect(
            QRectF(left - card_w * 0.12, slot_top, card_w * 1.24, h * 0.2), 10, 10
        )
        painter.setBrush(QColor("#000000"))
        painter.drawRect(QRectF(left - card_w * 0.03, slot_top + h * 0.03, card_w * 1.06, h * 0.04))
        self._arrow(painter, left + card_w + w * 0.08, card_top, slot_top)
        painter.end()

    def _arrow(self, painter: QPainter, x: float, top: float, bottom: float) -> None:
        pen = QPen(self._palette.accent, max(6.0, self.width() / 80))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, top), QPointF(x, bottom - 12))
        head = max(16.0, self.width() / 40)
        tip_y, base_y = (
            (top - head, top + head * 0.2) if self._taking_out else (bottom, bottom - head)
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._palette.accent)
        painter.drawPolygon(
            QPolygonF([QPointF(x, tip_y), QPointF(x - head, base_y), QPointF(x + head, base_y)])
        )

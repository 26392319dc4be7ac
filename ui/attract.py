"""The start screen: insert your card, with a drawn illustration of a card going into a slot."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.theme import NORMAL, Palette, mm


class CardIllustration(QWidget):
    """A card half inside a reader slot, with an arrow: no image files to ship or lose."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self.setMinimumSize(mm(90), mm(70))
        self.setAccessibleName("插卡示意图 Card insertion illustration")

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        card_w, card_h = min(w * 0.5, h * 0.8), min(w * 0.5, h * 0.8) * 0.63
        left = (w - card_w) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1F6FBF"))
        painter.drawRoundedRect(QRectF(left, h * 0.08, card_w, card_h), 14, 14)
        painter.setBrush(QColor("#E8C35A"))  # the contact chip
        painter.drawRoundedRect(QRectF(left + card_w * 0.12, h * 0.08 + card_h * 0.3,
                                       card_w * 0.2, card_h * 0.25), 6, 6)  # fmt: skip
        painter.setBrush(QColor("#2B2F36"))  # the reader slot
        painter.drawRoundedRect(QRectF(left - card_w * 0.1, h * 0.08 + card_h * 0.85,
                                       card_w * 1.2, h * 0.12), 10, 10)  # fmt: skip
        pen = QPen(self._palette.accent, max(4, w // 90))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        x, top, bottom = w / 2, h * 0.08 + card_h * 1.15, h * 0.95
        painter.drawLine(int(x), int(top), int(x), int(bottom))
        painter.drawLine(int(x), int(bottom), int(x - w * 0.04), int(bottom - h * 0.06))
        painter.drawLine(int(x), int(bottom), int(x + w * 0.04), int(bottom - h * 0.06))
        painter.end()


class AttractScreen(QWidget):
    def __init__(self, palette: Palette = NORMAL, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attract")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"QWidget#attract {{ background: {palette.background.name()}; }}"
            f"QLabel {{ color: {palette.text.name()}; }}"
        )
        title = QLabel("请插入社会保障卡")
        title_font = QFont()
        title_font.setPixelSize(mm(14))
        title_font.setBold(True)
        title.setFont(title_font)
        subtitle = QLabel("Please insert your social-security card, chip first")
        sub_font = QFont()
        sub_font.setPixelSize(mm(7))
        subtitle.setFont(sub_font)
        for label in (title, subtitle):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(mm(20), mm(20), mm(20), mm(20))
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(CardIllustration(palette), 4)
        layout.addStretch(1)

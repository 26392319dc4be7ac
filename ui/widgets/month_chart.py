"""The year's spending by month as twelve bars, drawn with QPainter (no QtCharts in the
essentials wheel). Values are Decimal; only the drawing converts to pixels."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.i18n import month_label, text, yuan
from ui.theme import Theme


class MonthChart(QWidget):
    def __init__(self, spending: tuple[Decimal, ...], theme: Theme, language: str) -> None:
        super().__init__()
        self._values = spending or tuple(Decimal("0") for _ in range(12))
        self._theme = theme
        self._language = language
        self.setMinimumHeight(theme.target_px * 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        top = max(range(len(self._values)), key=lambda i: self._values[i])
        self.setAccessibleName(
            text("annual.chart.name", language, month=top + 1, amount=yuan(self._values[top]))
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        theme, palette = self._theme, self._theme.palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        font.setPixelSize(theme.small_px)
        painter.setFont(font)
        label_h = theme.small_px * 1.4
        width, height = self.width(), self.height()
        chart_h = max(1.0, height - 2 * label_h)
        slot = width / 12
        biggest = max(self._values) or Decimal(1)
        for month, value in enumerate(self._values):
            bar_h = float(value / biggest) * chart_h
            x = month * slot + slot * 0.15
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.accent)
            painter.drawRect(QRectF(x, label_h + chart_h - bar_h, slot * 0.7, bar_h))
            painter.setPen(palette.text)
            painter.drawText(
                QRectF(month * slot, height - label_h, slot, label_h),
                Qt.AlignmentFlag.AlignCenter,
                month_label(month + 1, self._language),
            )
            if value == biggest and value > 0:
                painter.drawText(
                    QRectF(x - slot, label_h + chart_h - bar_h - label_h, slot * 2.7, label_h),
                    Qt.AlignmentFlag.AlignCenter,
                    f"{value:,.0f}",
                )
        painter.end()

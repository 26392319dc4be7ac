"""Labels and buttons that carry their role (for the theme) and an accessible name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


def label(text: str, role: str = "", wrap: bool = True, center: bool = False) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)  # data never becomes markup
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget.setAccessibleName(text)
    return widget


def button(
    text: str, on_click: Callable[[], None], role: str = "", accessible_name: str = ""
) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    widget.setAccessibleName(accessible_name or text)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus rectangles
    widget.clicked.connect(lambda _checked=False: on_click())
    return widget


class RowFrame(QFrame):
    """One list row with a rule under it, drawn in the theme's text colour (`color:`)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        painter.fillRect(0, self.height() - 2, self.width(), 2, colour)
        painter.end()


def row_frame(role: str = "row") -> tuple[QFrame, QHBoxLayout]:
    frame = RowFrame()
    frame.setObjectName(role)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(4, 2, 4, 2)
    return frame, layout


def flag_badge(word: str) -> QWidget:
    """An icon and a word ("! 请核对"): an anomaly is never shown by colour alone."""
    badge = label(f"! {word}", role="badge", wrap=False)
    badge.setAccessibleName(word)
    return badge

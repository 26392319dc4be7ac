"""Labels and buttons that carry their role (for the theme) and an accessible name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

RING_WIDTH = 4  # the keypad's ring round a list row, px


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
    text: str,
    on_click: Callable[[], None],
    role: str = "",
    accessible_name: str = "",
    kind: type[QPushButton] = QPushButton,
) -> QPushButton:
    """A button of `kind` (a QPushButton, or a subclass that draws more)."""
    widget = kind(text)
    if role:
        widget.setProperty("role", role)
    widget.setAccessibleName(accessible_name or text)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus rectangles
    widget.clicked.connect(lambda _checked=False: on_click())
    return widget


class RowFrame(QFrame):
    """One list row with a rule under it, drawn in the theme's text colour (`color:`); ringed
    all round, in its margins, while the tactile keypad's ring is on it (ui/keypad.py)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        painter.fillRect(0, self.height() - 2, self.width(), 2, colour)
        if self.property("keyfocus") == "true":
            ring = QPen(colour, RING_WIDTH)
            ring.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(ring)
            half = RING_WIDTH // 2
            painter.drawRect(self.rect().adjusted(half, half, -half - 1, -half - 1))
        painter.end()


# A list row the tactile keypad's ring stops on (ui/keypad.py), said as it lands there.
RING_STOP = "ring-stop"


def row_frame(spoken: str = "", role: str = "row") -> tuple[QFrame, QHBoxLayout]:
    """A list row; `spoken`: its words for the ear (kiosk.speech.spoken_row), which are its
    accessible name, and make it a stop of the keypad's ring."""
    frame = RowFrame()
    frame.setObjectName(role)
    # Room for the keypad's ring round the words (history.rows_that_fit counts it).
    frame_margin = RING_WIDTH + 1
    if spoken:
        frame.setAccessibleName(spoken)
        frame.setProperty(RING_STOP, True)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(frame_margin, frame_margin, frame_margin, frame_margin)
    return frame, layout


def flag_badge(word: str) -> QWidget:
    """An icon and a word ("! 请核对"): an anomaly is never shown by colour alone."""
    badge = label(f"! {word}", role="badge", wrap=False)
    badge.setAccessibleName(word)
    return badge

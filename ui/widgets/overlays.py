"""Layers over the current screen: the idle countdown and the "please wait" banner."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QHideEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ui.i18n import text
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.swap import swap_into


class IdleWarning(QFrame):
    """'Are you still there?' with a countdown and a big 'I need more time' (WCAG 2.2.1)."""

    def __init__(self, parent: QWidget, on_more_time: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setObjectName("idle-warning")
        self._on_more_time = on_more_time
        self._layout = QVBoxLayout(self)
        self._content: QWidget | None = None  # the countdown's words, made anew each second
        # The screen behind is dimmed, so the question is the one thing to look at; a tap
        # on it still says "I am here", as a tap anywhere did before the warning.
        self.dim = _Dimmer(parent, on_more_time)
        self.dim.setObjectName("idle-dim")
        self.dim.setStyleSheet("QWidget#idle-dim { background: rgba(0, 0, 0, 160); }")
        self.dim.hide()
        self.hide()

    def hideEvent(self, event: QHideEvent) -> None:
        self.dim.hide()
        super().hideEvent(event)

    def show_countdown(self, seconds: int, language: str, theme: Theme) -> None:
        palette = theme.palette
        self.setStyleSheet(
            f"QFrame#idle-warning {{ background: {palette.background.name()};"
            f" border: {theme.spacing_px}px solid {palette.accent.name()}; }}"
        )
        self._layout.setContentsMargins(
            theme.margin_px, theme.margin_px, theme.margin_px, theme.margin_px
        )
        content = QWidget()
        words = QVBoxLayout(content)
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(label(text("idle.title", language), role="title", center=True))
        words.addWidget(label(text("idle.body", language, seconds=seconds), center=True))
        words.addWidget(button(text("idle.more", language), self._on_more_time))
        self._content = swap_into(self._layout, self._content, content)
        parent = self.parentWidget()
        if parent is not None:
            width = int(parent.width() * 0.7)
            height = min(parent.height() - 2 * theme.margin_px, theme.target_px * 5)
            self.setGeometry(
                (parent.width() - width) // 2, (parent.height() - height) // 2, width, height
            )
            self.dim.setGeometry(parent.rect())
        self.dim.show()
        self.dim.raise_()
        self.show()
        self.raise_()


class _Dimmer(QWidget):
    def __init__(self, parent: QWidget, on_tap: Callable[[], None]) -> None:
        super().__init__(parent)
        self._on_tap = on_tap

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._on_tap()
        event.accept()


class BusyBanner(QFrame):
    """Words for a wait ("Checking your PIN..."), shown only once it passes 300 ms."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("busy-banner")
        layout = QVBoxLayout(self)
        self.words = label("", role="title", center=True)
        layout.addWidget(self.words)
        self.hide()

    def show_words(self, words: str, theme: Theme) -> None:
        palette = theme.palette
        self.setStyleSheet(
            f"QFrame#busy-banner {{ background: {palette.background.name()};"
            f" border: {theme.spacing_px // 2}px solid {palette.accent.name()}; }}"
        )
        self.words.setText(words)
        self.words.setAccessibleName(words)
        parent = self.parentWidget()
        if parent is not None:
            height = theme.target_px * 2
            self.setGeometry(0, (parent.height() - height) // 2, parent.width(), height)
        self.show()
        self.raise_()

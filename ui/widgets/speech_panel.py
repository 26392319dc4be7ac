"""The speech panel: one button in the top bar opens it over the screen, with speech on or
off, repeat, louder, quieter, faster and slower as large buttons, and a way back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

from ui.i18n import text
from ui.speech_controls import SpeechControls
from ui.theme import Theme
from ui.widgets.basics import button, label

COLUMNS = 2


class SpeechPanel(QFrame):
    def __init__(self, parent: QWidget, controls: SpeechControls) -> None:
        super().__init__(parent)
        self.setObjectName("speech-panel")
        self.controls = controls
        self._outer = QVBoxLayout(self)
        self._content: QWidget | None = None
        self._language = "zh"
        self._theme: Theme | None = None
        self.hide()

    def open(self, language: str, theme: Theme) -> None:
        self._language, self._theme = language, theme
        self._build()
        self.show()
        self.raise_()

    def refresh(self) -> None:
        """After a change: the switch says what it will do now, the level what it is."""
        if self.isVisible() and self._theme is not None:
            self._build()

    def _build(self) -> None:
        theme, language = self._theme, self._language
        assert theme is not None
        if self._content is not None:  # rebuilt whole, as a screen is
            self._content.setParent(None)
            self._content.deleteLater()
        self._content = QWidget()
        self._outer.addWidget(self._content)
        layout = QVBoxLayout(self._content)
        layout.setSpacing(theme.spacing_px)
        palette = theme.palette
        self.setStyleSheet(
            f"QFrame#speech-panel {{ background: {palette.background.name()};"
            f" border: {theme.spacing_px}px solid {palette.accent.name()}; }}"
        )
        margin = theme.margin_px
        self._outer.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(label(text("speech.panel.title", language), "title", center=True))
        speaker = self.controls.speaker
        state = text(
            "speech.panel.level", language, volume=speaker.volume, rate=f"{speaker.rate:g}"
        )
        layout.addWidget(label(state, center=True))
        grid = QGridLayout()
        grid.setSpacing(theme.spacing_px)
        switch = "speech.switch.off" if speaker.enabled else "speech.switch.on"
        actions: tuple[tuple[str, Callable[[], None]], ...] = (
            (switch, self.controls.toggle),
            ("speech.repeat", self.controls.repeat),
            ("speech.louder", self.controls.louder),
            ("speech.quieter", self.controls.quieter),
            ("speech.faster", self.controls.faster),
            ("speech.slower", self.controls.slower),
        )
        for index, (key, action) in enumerate(actions):
            grid.addWidget(
                button(text(key, language), action, "secondary"), index // COLUMNS, index % COLUMNS
            )
        layout.addLayout(grid)
        layout.addWidget(button(text("speech.panel.close", language), self.hide))
        self._content.show()  # now, not at the next layout pass (as Screen.show_view)
        parent = self.parentWidget()
        if parent is not None:
            width = int(parent.width() * 0.7)
            wanted = max(theme.target_px * 7, self._outer.sizeHint().height())
            height = min(parent.height() - 2 * margin, wanted)
            self.setGeometry(
                (parent.width() - width) // 2, (parent.height() - height) // 2, width, height
            )

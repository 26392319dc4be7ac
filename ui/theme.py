"""Sizes in millimetres turned into pixels for the screen at hand, and the palettes.

ui.md: touch targets >= 16-20 mm, body text >= 4.8 mm tall, the balance the largest figure,
contrast >= 4.5:1 (7:1 in elderly mode). Large text (大字模式) is 1.5 times every normal text
size (issue 18): the screens show fewer items in it instead of smaller words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QScreen

MM_PER_INCH = 25.4
# Offscreen and some panels report no physical size; a 24" 1080p kiosk panel is ~92 dpi.
FALLBACK_DPI = 92.0
LARGE_TEXT = 1.5  # large text against normal, for every text size (issue 18)


def screen_dpi() -> float:
    # The stubs say never None; Qt returns null when there is no screen at all.
    screen: QScreen | None = QGuiApplication.primaryScreen()
    if screen is None:
        return FALLBACK_DPI
    dpi = float(screen.physicalDotsPerInch())
    return dpi if 60 <= dpi <= 400 else FALLBACK_DPI


def mm(value: float, dpi: float | None = None) -> int:
    return round(value / MM_PER_INCH * (dpi or screen_dpi()))


def line_px(font_px: int) -> int:
    """A line of text this size takes: the CJK fallback font's lines are ~1.3 of its size."""
    return round(font_px * 1.3)


@dataclass(frozen=True)
class Palette:
    background: QColor
    text: QColor
    muted_text: QColor
    accent: QColor
    accent_text: QColor
    warning: QColor


NORMAL = Palette(
    background=QColor("#F4F7FB"),
    text=QColor("#10243E"),
    muted_text=QColor("#3A4D66"),
    accent=QColor("#0B5CAD"),
    accent_text=QColor("#FFFFFF"),
    warning=QColor("#8A4B00"),
)
HIGH_CONTRAST = Palette(
    background=QColor("#000000"),
    text=QColor("#FFFFFF"),
    muted_text=QColor("#F0F0F0"),
    accent=QColor("#FFD400"),
    accent_text=QColor("#000000"),
    warning=QColor("#FFB3B3"),
)

# Amber for "please check" badges: always paired with an icon and a word, never colour alone.
FLAG_NORMAL = QColor("#8A4B00")
FLAG_HIGH_CONTRAST = QColor("#FFD400")


@dataclass(frozen=True)
class Theme:
    """Every size on screen, in pixels for this screen, for normal or elderly (大字) mode."""

    elderly: bool
    palette: Palette
    body_px: int  # >= 4.8 mm text height: a CJK glyph fills ~0.9 of the pixel size
    small_px: int
    title_px: int
    heading_px: int  # the top bar's name of the screen, beside the switches
    balance_px: int  # the largest thing on screen
    button_px: int
    target_px: int  # touch target height, >= 16 mm
    key_px: int  # PIN pad key height, centres >= 17 mm apart
    key_width_px: int  # wider in large text, so "Clear" still fits its key
    dots_px: int  # the PIN's dots: not words, so they need not grow with the text
    margin_px: int
    spacing_px: int

    @classmethod
    def for_mode(cls, elderly: bool, dpi: float | None = None, height: int = 0) -> Theme:
        """The sizes for `dpi`; on a window `height` px tall, touch targets are also at
        least a twelfth of it (90 px at 1080p, ui.md), keypad keys an eleventh."""

        def size(normal: float, large: float) -> int:
            return mm(large if elderly else normal, dpi)

        def text_size(normal: float) -> int:
            # From the normal size in whole pixels, so large text is never less than 1.5x.
            return math.ceil(mm(normal, dpi) * LARGE_TEXT) if elderly else mm(normal, dpi)

        # Large text widens the keys for their words; their height is already a safe target,
        # and the PIN screen's one column must fit 800 px.
        key_px = max(mm(19.0, dpi), height // 11)
        return cls(
            elderly=elderly,
            palette=HIGH_CONTRAST if elderly else NORMAL,
            body_px=text_size(6.0),
            small_px=text_size(5.4),
            title_px=text_size(9.0),
            heading_px=text_size(7.5),
            balance_px=text_size(18.0),
            button_px=text_size(6.0),
            target_px=max(size(16.0, 18.0), height // 12),
            key_px=key_px,
            key_width_px=round(key_px * 1.4) if elderly else key_px,
            dots_px=size(9.0, 11.0),
            margin_px=size(8.0, 6.0),
            spacing_px=size(3.0, 3.0),
        )

    @property
    def flag(self) -> QColor:
        return FLAG_HIGH_CONTRAST if self.elderly else FLAG_NORMAL

    def stylesheet(self) -> str:
        p = self.palette
        line = max(2, self.spacing_px // 3)
        tactile = self.key_px - self.key_px // 5  # the raised 5's digit sits higher
        return f"""
QWidget#screen, QWidget#window {{ background: {p.background.name()}; }}
QLabel {{ color: {p.text.name()}; font-size: {self.body_px}px; }}
QLabel[role="title"] {{ font-size: {self.title_px}px; font-weight: bold; }}
QLabel[role="heading"] {{ font-size: {self.heading_px}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {p.muted_text.name()}; font-size: {self.small_px}px; }}
QLabel[role="balance"] {{ font-size: {self.balance_px}px; font-weight: bold;
    color: {p.accent.name() if self.elderly else p.text.name()}; }}
QLabel[role="warning"] {{ color: {p.warning.name()}; font-weight: bold; }}
QLabel[role="badge"] {{ background: {self.flag.name()}; color: {p.background.name()};
    font-weight: bold; border-radius: {self.small_px // 2}px; padding: 2px {line * 3}px; }}
QProgressBar {{ border: {line}px solid {p.accent.name()}; border-radius: {line * 2}px;
    background: {p.background.name()}; }}
QProgressBar::chunk {{ background: {p.accent.name()}; width: {self.target_px}px; }}
QFrame#row {{ color: {p.muted_text.name()}; }}
QPushButton {{ font-size: {self.button_px}px; min-height: {self.target_px}px;
    color: {p.accent_text.name()}; background: {p.accent.name()};
    border: {line}px solid {p.accent.name()}; border-radius: {self.spacing_px * 2}px;
    padding: 0 {self.spacing_px * 2}px; }}
QPushButton[role="secondary"], QPushButton[role="filter"] {{ color: {p.accent.name()};
    background: {p.background.name()}; }}
QPushButton[role="filter"], QPushButton[role="filter-on"] {{ font-size: {self.small_px}px; }}
QPushButton:disabled {{ color: {p.muted_text.name()}; background: {p.background.name()};
    border-color: {p.muted_text.name()}; }}
QPushButton[role="key"] {{ font-size: {self.title_px}px; min-width: {self.key_width_px}px;
    min-height: {self.key_px}px; max-width: {self.key_width_px}px; max-height: {self.key_px}px;
    padding: 0; }}
QPushButton[role="key-word"] {{ font-size: {self.button_px}px;
    min-width: {self.key_width_px}px; max-width: {self.key_width_px}px;
    min-height: {self.key_px}px; max-height: {self.key_px}px; padding: 0; }}
QPushButton[role="key"][tactile="true"] {{ padding-bottom: {self.key_px // 5}px;
    min-height: {tactile}px; max-height: {tactile}px; }}
QPushButton[keyfocus="true"] {{ border: {line * 3}px solid {p.text.name()}; }}
QLabel[role="dots"] {{ font-size: {self.dots_px}px; }}
QLabel[role="frame"] {{ color: {p.muted_text.name()}; font-size: {self.small_px}px; }}
QLabel[role="step"] {{ color: {p.muted_text.name()}; font-size: {self.small_px}px; }}
QLabel[role="step-current"] {{ color: {p.text.name()}; font-size: {self.small_px}px;
    font-weight: bold; text-decoration: underline; padding: 0 {line * 2}px;
    border: 2px solid {p.text.name()}; border-radius: {line * 2}px; }}
"""

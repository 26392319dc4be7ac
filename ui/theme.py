"""Sizes in millimetres turned into pixels for the screen at hand, and the palettes.

ui.md: touch targets >= 16-20 mm, body text >= 4.8 mm tall, the balance the largest figure,
contrast >= 4.5:1 (7:1 in elderly mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QScreen

MM_PER_INCH = 25.4
# Offscreen and some panels report no physical size; a 24" 1080p kiosk panel is ~92 dpi.
FALLBACK_DPI = 92.0


def screen_dpi() -> float:
    # The stubs say never None; Qt returns null when there is no screen at all.
    screen: QScreen | None = QGuiApplication.primaryScreen()
    if screen is None:
        return FALLBACK_DPI
    dpi = float(screen.physicalDotsPerInch())
    return dpi if 60 <= dpi <= 400 else FALLBACK_DPI


def mm(value: float, dpi: float | None = None) -> int:
    return round(value / MM_PER_INCH * (dpi or screen_dpi()))


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

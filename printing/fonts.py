"""The fonts embedded in every receipt: WenQuanYi Zen Hei, and a Latin fallback.

`register_fonts()` loads them once (about 70 ms: call it at start-up). Text is drawn in runs:
each character goes to the CJK font when it has the glyph, else to the fallback font, else it
becomes "?" (never an empty box), so the PDF looks the same on every viewer and printer.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

CJK_FONT = "KioskCJK"
FALLBACK_FONT = "KioskLatin"
CJK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
FALLBACK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
MISSING_GLYPH = "?"
_LAST_BMP = 0xFFFF

Run = tuple[str, str]  # (font name, text)

_lock = threading.Lock()
_cjk_glyphs: frozenset[int] = frozenset()
_fallback_glyphs: frozenset[int] = frozenset()


class FontMissingError(RuntimeError):
    """The CJK font is not installed (Debian: fonts-wqy-zenhei)."""


def register_fonts() -> None:
    """Register the receipt fonts with ReportLab; idempotent and thread-safe."""
    global _cjk_glyphs, _fallback_glyphs  # noqa: PLW0603 (loaded once per process)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if _cjk_glyphs:
            return
        cjk_path = next((p for p in CJK_CANDIDATES if p.exists()), None)
        if cjk_path is None:
            raise FontMissingError(
                "WenQuanYi Zen Hei not found: install the Debian package fonts-wqy-zenhei"
            )
        cjk = TTFont(CJK_FONT, str(cjk_path), subfontIndex=0)
        pdfmetrics.registerFont(cjk)
        fallback_path = next((p for p in FALLBACK_CANDIDATES if p.exists()), None)
        if fallback_path is not None:
            fallback = TTFont(FALLBACK_FONT, str(fallback_path))
            pdfmetrics.registerFont(fallback)
            _fallback_glyphs = frozenset(fallback.face.charToGlyph)
        _cjk_glyphs = frozenset(cjk.face.charToGlyph)
        runs.cache_clear()
        text_width.cache_clear()


def registered() -> bool:
    return bool(_cjk_glyphs)


@functools.lru_cache(maxsize=4096)
def runs(text: str) -> tuple[Run, ...]:
    """`text` split into runs of one font each (fonts must be registered)."""
    if not _cjk_glyphs:
        raise FontMissingError("call printing.receipt.register_fonts() at start-up first")
    result: list[Run] = []
    for char in text:
        code = ord(char)
        if code > _LAST_BMP:  # ReportLab's subsets get characters past U+FFFF wrong
            font, shown = CJK_FONT, MISSING_GLYPH
        elif code in _cjk_glyphs or char in " \u3000":
            font, shown = CJK_FONT, char
        elif code in _fallback_glyphs:
            font, shown = FALLBACK_FONT, char
        else:
            font, shown = CJK_FONT, MISSING_GLYPH
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + shown)
        else:
            result.append((font, shown))
    return tuple(result)


@functools.lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """Width in points of `text` drawn in runs at `size`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(sum(stringWidth(part, font, size) for font, part in runs(text)))


def covers(text: str) -> bool:
    """True when every character of `text` has a glyph in one of the embedded fonts."""
    if not _cjk_glyphs:
        raise FontMissingError("fonts not registered")
    return all(
        ord(c) <= _LAST_BMP and (ord(c) in _cjk_glyphs or ord(c) in _fallback_glyphs) for c in text
    )

"""The fonts embedded in every receipt: WenQuanYi Zen Hei, a Latin fallback, and HanaMinB for
the CJK characters past U+FFFF (Extension B to F: names such as 吉𠮷祥).

`register_fonts()` loads them once (a few hundred ms: call it at start-up). Text is drawn in runs:
each character goes to the first font that has its glyph (CJK, Latin, then HanaMinB), so the
PDF looks the same on every viewer and printer. A character no font has prints as an empty box
(honest, where a "?" would pass for a real character) and is logged once, by code point only:
the text around it may be a person's name.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CJK_FONT = "KioskCJK"
FALLBACK_FONT = "KioskLatin"
EXT_B_FONT = "KioskExtB"
CJK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)
FALLBACK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
# Debian fonts-hanazono: TrueType outlines (ReportLab cannot embed CFF fonts such as Noto CJK).
EXT_B_CANDIDATES = (Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),)
_LAST_BMP = 0xFFFF

Run = tuple[str, str]  # (font name, text)

log = logging.getLogger(__name__)
_lock = threading.Lock()
# (font name, code points it has a glyph for), in fallback order; the CJK font first.
_fonts: tuple[tuple[str, frozenset[int]], ...] = ()
_box_font = CJK_FONT  # draws characters no font has: its .notdef glyph is a visible box
_warned: set[int] = set()  # code points already logged as having no glyph
_past_bmp_tried = False  # HanaMinB is loaded on the first character that needs it


class FontMissingError(RuntimeError):
    """The CJK font is not installed (Debian: fonts-wqy-zenhei)."""


def register_fonts() -> None:
    """Register the receipt fonts with ReportLab; idempotent and thread-safe."""
    global _fonts, _box_font  # noqa: PLW0603 (loaded once per process)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if _fonts:
            return
        cjk_path = next((p for p in CJK_CANDIDATES if p.exists()), None)
        if cjk_path is None:
            raise FontMissingError(
                "WenQuanYi Zen Hei not found: install the Debian package fonts-wqy-zenhei"
            )
        cjk = TTFont(CJK_FONT, str(cjk_path), subfontIndex=0)
        pdfmetrics.registerFont(cjk)
        loaded = [(CJK_FONT, frozenset(cjk.face.charToGlyph) | {0x20, 0x3000})]
        faces = [(CJK_FONT, cjk.face)]
        font = _load(FALLBACK_FONT, FALLBACK_CANDIDATES, "fonts-dejavu-core")
        if font is not None:
            loaded.append((FALLBACK_FONT, frozenset(font.face.charToGlyph)))
            faces.append((FALLBACK_FONT, font.face))
        _write_past_bmp_as_utf16()
        _box_font = next((name for name, face in faces if _prints_a_box(face)), CJK_FONT)
        _fonts = tuple(loaded)
        runs.cache_clear()
        text_width.cache_clear()


def _load(name: str, candidates: Sequence[Path], package: str) -> Any:
    """Register the first of `candidates` as `name`; None (and a warning) when none is there."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        log.warning("receipt font %s missing (Debian: %s): boxes instead", name, package)
        return None
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    return font


def _load_past_bmp_font() -> None:
    """HanaMinB, on the first character past U+FFFF: it costs ~100 ms and ~100 MB of memory
    (ReportLab keeps the whole 30 MB file), which most kiosks never need."""
    global _fonts, _past_bmp_tried  # noqa: PLW0603 (loaded once per process)
    with _lock:
        if _past_bmp_tried:
            return
        _past_bmp_tried = True
        font = _load(EXT_B_FONT, EXT_B_CANDIDATES, "fonts-hanazono")
        if font is not None:
            _fonts = (*_fonts, (EXT_B_FONT, frozenset(font.face.charToGlyph)))
    runs.cache_clear()
    text_width.cache_clear()


def registered() -> bool:
    return bool(_fonts)


@functools.lru_cache(maxsize=4096)
def runs(text: str) -> tuple[Run, ...]:
    """`text` split into runs of one font each (fonts must be registered)."""
    fonts = _fonts
    if not fonts:
        raise FontMissingError("call printing.receipt.register_fonts() at start-up first")
    if fonts[0][1].issuperset(map(ord, text)):  # nearly every string: one run, no loop here
        return ((CJK_FONT, text),) if text else ()
    if not _past_bmp_tried and any(ord(c) > _LAST_BMP for c in text):
        _load_past_bmp_font()
        fonts = _fonts
    result: list[Run] = []
    for char in text:
        font = _font_for(ord(char), fonts)
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return tuple(result)


def _font_for(code: int, fonts: tuple[tuple[str, frozenset[int]], ...]) -> str:
    for name, glyphs in fonts:
        if code in glyphs:
            return name
    if code not in _warned:
        _warned.add(code)
        # The code point only: the string it came from may be a name (logs carry no PII).
        log.warning("no receipt font has a glyph for U+%04X: it prints as an empty box", code)
    return _box_font


def _prints_a_box(face: Any) -> bool:
    """Whether a missing character prints as a box one advance wide in this font.

    ReportLab draws a character the font lacks as code 0 of the subset, and code 0 as U+0000's
    glyph when the cmap has one. WenQuanYi maps U+0000 to an empty glyph of width 0 (while
    stringWidth counts the default width): the character would vanish and the layout be off.
    """
    return 0 not in face.charToGlyph and float(face.getCharWidth(0)) > 0


@functools.lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """Width in points of `text` drawn in runs at `size`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(sum(stringWidth(part, font, size) for font, part in runs(text)))


def covers(text: str) -> bool:
    """True when every character of `text` has a glyph in one of the embedded fonts."""
    if not _fonts:
        raise FontMissingError("fonts not registered")
    if not _past_bmp_tried and any(ord(c) > _LAST_BMP for c in text):
        _load_past_bmp_font()
    fonts = _fonts
    return all(any(ord(c) in glyphs for _, glyphs in fonts) for c in text)


def _write_past_bmp_as_utf16() -> None:
    """Make ReportLab's ToUnicode CMaps right for characters past U+FFFF (called once).

    ReportLab draws U+20BB7 with the right glyph but maps it in the subset's ToUnicode CMap
    as <20BB7>, which readers take as U+20BB and junk: pdftotext, search and copy-paste get
    "₻". The CMap must hold UTF-16BE, i.e. the surrogate pair <D842DFB7>.
    """
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap

    def make_to_unicode_cmap(font_name: str, subset: Sequence[int]) -> str:
        cmap = str(original(font_name, subset))
        for index, code in enumerate(subset):
            if code > _LAST_BMP:
                utf16 = chr(code).encode("utf-16-be").hex().upper()
                cmap = cmap.replace(f"<{index:02X}> <{code:04X}>\n", f"<{index:02X}> <{utf16}>\n")
        return cmap

    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap

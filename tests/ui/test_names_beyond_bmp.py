"""A name with a character past U+FFFF (吉𠮷祥, GB 18030 four-byte) on screen: a glyph, no box."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QFontMetrics, QImage, QRawFont, QTextLayout
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ui.launch import application, load_fonts

NAME = "吉\U00020bb7祥"
YOSHI = 0x20BB7  # 𠮷
UNASSIGNED = 0x2FFFD  # no font has it: what a box looks like here
PIXELS = 64


def label(qtbot: QtBot, text: str) -> QLabel:
    widget = QLabel(text)
    font = widget.font()
    font.setPixelSize(PIXELS)
    widget.setFont(font)
    qtbot.addWidget(widget)
    widget.adjustSize()
    return widget


def glyphs(widget: QLabel) -> list[tuple[QRawFont, int]]:
    """(font, glyph index) for each character, as Qt lays out the label's text."""
    layout = QTextLayout(widget.text(), widget.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    found: list[tuple[QRawFont, int]] = []
    for run in layout.glyphRuns():
        found += [(run.rawFont(), index) for index in run.glyphIndexes()]
    return found


def ink(widget: QLabel) -> list[list[bool]]:
    """The label as drawn: True where a pixel is dark."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    assert not image.isNull()
    data, stride = bytes(image.constBits()), image.bytesPerLine()
    return [
        [value < 128 for value in data[y * stride : y * stride + image.width()]]
        for y in range(image.height())
    ]


def black(pixels: list[list[bool]]) -> int:
    return sum(map(sum, pixels))


def hollow(pixels: list[list[bool]]) -> bool:
    """True for a box: dark pixels only near the edges of their bounding box."""
    rows = [y for y, row in enumerate(pixels) if any(row)]
    columns = [x for x in range(len(pixels[0])) if any(row[x] for row in pixels)]
    assert rows, "nothing drawn"
    left, right, top, bottom = columns[0], columns[-1], rows[0], rows[-1]
    edge = min(right - left, bottom - top) // 5  # past the box's stroke, still inside a glyph
    inside = [row[left + edge : right - edge] for row in pixels[top + edge : bottom - edge]]
    return black(inside) == 0


def test_the_ext_b_font_is_in_qts_font_database(qtbot: QtBot) -> None:
    del qtbot
    application()
    assert "HanaMinB" in QFontDatabase.families()
    # Where fontconfig does not list the fonts, application() adds them from their files.
    assert set(load_fonts(listed=())) >= {"HanaMinB", "WenQuanYi Zen Hei"}


def test_a_label_draws_the_supplementary_character_with_a_real_glyph(qtbot: QtBot) -> None:
    application()
    name = label(qtbot, NAME)
    without = label(qtbot, "吉祥")
    boxed = label(qtbot, f"吉{chr(UNASSIGNED)}祥")
    metrics = QFontMetrics(name.font())
    assert metrics.inFontUcs4(YOSHI)
    assert not metrics.inFontUcs4(UNASSIGNED)
    # Every character of the name resolves to a font with a glyph for it (index 0 is .notdef).
    laid_out = glyphs(name)
    assert len(laid_out) == 3
    assert all(index != 0 for _, index in laid_out)
    drawn_by = [font for font, _ in laid_out if font.supportsCharacter(YOSHI)]
    assert drawn_by, [font.familyName() for font, _ in laid_out]  # e.g. HanaMinA or HanaMinB
    assert 0 in [index for _, index in glyphs(boxed)]  # the reference really is a box
    # With the character the label is one full-width cell wider, and inked there.
    cell = name.width() - without.width()
    assert abs(cell - metrics.horizontalAdvance("吉")) <= 2
    assert black(ink(name)) > black(ink(without)) + 100
    # Drawn alone, 𠮷 has strokes inside; the box Qt draws for a missing character does not.
    alone, box = ink(label(qtbot, chr(YOSHI))), ink(label(qtbot, chr(UNASSIGNED)))
    assert black(alone) > 100
    assert hollow(box)
    assert not hollow(alone)

"""Names with characters past U+FFFF (GB 18030 four-byte, CJK Extension B: 𠮷 𡈼 𪚥).

They are drawn in the Ext-B fallback font (HanaMinB), read back exactly by pdftotext, measured
like any other text (the name stays flush right), and really inked at the printer's 203 dpi.
A character no font has prints as a box, never a "?", and is logged by code point only.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from reportlab.pdfbase.pdfmetrics import stringWidth

from kiosk.domain import MaskingRules, ReceiptData
from printing import fonts
from printing.fonts import CJK_FONT, EXT_B_FONT, covers, runs, text_width
from printing.receipt import SIZES, register_fonts, render
from tests.printing.conftest import DPI, ZHANG, pdf_text, raster

KEY = b"k" * 32
NAME = "吉𠮷祥"  # U+20BB7 in the middle: the masked form 吉*祥 hides it
EDGES = "𡈼吉𪚥"  # U+2123C and U+2A6A5 at the ends: the masked form 𡈼*𪚥 shows both
MISSING = "\U0002a6df"  # Ext-B, Unicode 14: in no installed font
OPEN = MaskingRules(mask_name=False)
WIDTHS = (58, 80)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    register_fonts()


def with_name(receipt_for: Any, name: str, masking: MaskingRules | None = None) -> ReceiptData:
    data: ReceiptData = receipt_for(ZHANG, entries=3)
    return replace(data, person_name=name, masking=masking or MaskingRules())


def words(pdf: bytes) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every word pdftotext finds, with its box in points from the top left."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [
        (m[5], (float(m[1]), float(m[2]), float(m[3]), float(m[4]))) for m in _WORD.finditer(html)
    ]


def embedded_fonts(pdf: bytes, folder: Path) -> list[str]:
    (folder / "fonts.pdf").write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(folder / "fonts.pdf")], capture_output=True, check=True, text=True
    ).stdout
    return listing.splitlines()[2:]


def name_line(pdf: bytes) -> str:
    return next(line for line in pdf_text(pdf, layout=True).splitlines() if "姓名" in line)


def test_runs_give_each_character_the_font_that_has_its_glyph() -> None:
    assert runs(NAME) == ((CJK_FONT, "吉"), (EXT_B_FONT, "\U00020bb7"), (CJK_FONT, "祥"))
    assert runs("张伟 ¥12,502.89") == ((CJK_FONT, "张伟 ¥12,502.89"),)  # the one-run fast path
    assert covers(NAME + EDGES)
    assert not covers(MISSING)
    for text in (NAME, EDGES):
        measured = sum(stringWidth(part, font, 9) for font, part in runs(text))
        assert text_width(text, 9) == pytest.approx(measured)
        assert text_width(text, 9) == pytest.approx(27)  # three full-width cells at 9 pt


@pytest.mark.parametrize("width", WIDTHS)
def test_an_unmasked_name_past_u_ffff_is_printed_exactly_and_flush_right(
    width: int, receipt_for: Any, tmp_path: Path
) -> None:
    pdf = render(with_name(receipt_for, NAME, OPEN), width, KEY).pdf
    assert NAME in re.sub(r"\s+", "", pdf_text(pdf))
    assert "?" not in name_line(pdf)
    listed = embedded_fonts(pdf, tmp_path)
    hana = [line for line in listed if "HanaMinB" in line]
    assert hana, listed
    assert all(" yes yes " in line for line in listed), listed  # embedded and subset, every one
    # Measured like the rest: the name ends where the other right-aligned values end.
    found = dict(words(pdf))
    right = found[NAME][2]
    assert right == pytest.approx(found["*****0001"][2], abs=0.3)
    assert right - found[NAME][0] == pytest.approx(3 * SIZES[width][0], abs=0.3)


@pytest.mark.parametrize(("name", "shown"), [(NAME, "吉*祥"), (EDGES, "𡈼*𪚥")])
def test_a_masked_name_past_u_ffff_shows_only_its_masked_form(
    name: str, shown: str, receipt_for: Any, tmp_path: Path
) -> None:
    pdf = render(with_name(receipt_for, name), 80, KEY).pdf
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    assert shown in flat
    assert name not in flat
    assert "?" not in name_line(pdf)
    # The Ext-B font is embedded only when a shown character needs it.
    hana = any("HanaMinB" in line for line in embedded_fonts(pdf, tmp_path))
    assert hana == any(ord(c) > 0xFFFF for c in shown)


def name_cells(pdf: bytes, name: str, folder: Path) -> list[Image.Image]:
    """The printed name at 203 dpi black and white, cut into one image per character cell."""
    image = Image.open(raster(pdf, folder, name="cells")).convert("1")
    left, top, right, bottom = dict(words(pdf))[name]
    scale = DPI / 72
    cell = (right - left) / len(name)
    return [
        image.crop(
            (
                round((left + i * cell) * scale),
                round(top * scale),
                round((left + (i + 1) * cell) * scale),
                round(bottom * scale),
            )
        )
        for i in range(len(name))
    ]


def ink(cell: Image.Image) -> int:
    return int(cell.histogram()[0])  # black pixels of a mode "1" image


def differing(one: Image.Image, other: Image.Image) -> int:
    return ink(ImageChops.invert(ImageChops.logical_xor(one, other)))


def hollow(cell: Image.Image) -> bool:
    """True for a tofu box: ink only on the outline of its bounding box."""
    box = Image.eval(cell, lambda value: 255 - value).getbbox()
    assert box is not None, "the cell is blank"
    inside = cell.crop((box[0] + 2, box[1] + 2, box[2] - 2, box[3] - 2))
    return ink(inside) == 0


def test_the_supplementary_glyph_is_inked_at_203_dpi_not_a_box(
    receipt_for: Any, tmp_path: Path
) -> None:
    pdf = render(with_name(receipt_for, NAME, OPEN), 80, KEY).pdf
    cells = name_cells(pdf, NAME, tmp_path)
    look_alike = name_cells(
        render(with_name(receipt_for, "吉吉祥", OPEN), 80, KEY).pdf, "吉吉祥", tmp_path
    )
    assert ink(cells[1]) > 40
    assert not hollow(cells[1])
    # Beside the same receipt printing 吉吉祥: only the middle cell differs (𠮷 is not 吉).
    assert differing(cells[1], look_alike[1]) > 20
    assert differing(cells[0], look_alike[0]) <= 3  # a neighbour's stroke may reach the edge
    assert differing(cells[2], look_alike[2]) <= 3


def test_a_character_no_font_has_prints_as_a_box_and_logs_only_its_code_point(
    receipt_for: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    monkeypatch.setattr(fonts, "_warned", set())  # other tests may have met it first
    fonts.runs.cache_clear()
    name = f"吉{MISSING}祥"
    data = with_name(receipt_for, name, OPEN)
    with caplog.at_level(logging.WARNING, logger="printing.fonts"):
        pdf = render(data, 80, KEY).pdf
        render(data, 58, KEY)
    warnings = [r.getMessage() for r in caplog.records if r.name == "printing.fonts"]
    assert warnings == ["no receipt font has a glyph for U+2A6DF: it prints as an empty box"]
    assert "吉" not in caplog.text
    assert "祥" not in caplog.text
    line = name_line(pdf)
    assert "?" not in line
    assert "吉" in line
    assert "祥" in line
    # The box sits between 吉 and 祥 (pdftotext splits the word there), as wide as measured.
    found = dict(words(pdf))
    first, last = found["吉"], found["祥"]
    assert last[2] - first[0] == pytest.approx(text_width(name, SIZES[80][0]), abs=0.3)
    image = Image.open(raster(pdf, tmp_path, name="box")).convert("1")
    scale = DPI / 72
    box_cell = image.crop(
        (
            round(first[2] * scale),
            round(first[1] * scale),
            round(last[0] * scale),
            round(last[3] * scale),
        )
    )
    assert ink(box_cell) > 20
    assert hollow(box_cell)

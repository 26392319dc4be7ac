"""A top-down layout for one long thermal-paper page: rows of text, rules and a QR code.

The page height is only known at the end, so drawing is recorded first (y measured from the
top) and replayed onto a canvas of exactly the content's height. Nothing is placed outside
the printable width; long text wraps at character boundaries (Latin words stay whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from printing.fonts import CJK_FONT, runs, text_width

MM = 72 / 25.4  # points per millimetre
PRINTABLE_MM = {80: 72.0, 58: 48.0}
_CLOSING = set("，。、；：！？）」』》〉】,.;:!?)]%")
_OPENING = set("（「『《〈【([")
_TOKENS = re.compile(r"[A-Za-z0-9.,:/+\-_()¥%']+|\s|.", re.DOTALL)


# ReportLab ships no type hints: its canvas is Any here.
@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    leading: float = 1.3  # line height as a multiple of the size


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`; breaks between CJK characters or Latin words."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if text_width(line + token, size) <= width:
            line += token
            continue
        carried = ""
        # Chinese line breaking: no closing mark at a line start, no opening mark at an end.
        while len(line) > 1 and (line[-1] in _OPENING or (not carried and token[0] in _CLOSING)):
            line, carried = line[:-1], line[-1] + carried
            if line[-1:] not in _OPENING:
                break
        if line.strip():
            lines.append(line.rstrip())
        line = carried + ("" if token.isspace() and not carried else token)
        while text_width(line, size) > width and len(line) > 1:  # one over-long word
            cut = len(line) - 1
            while cut > 1 and text_width(line[:cut], size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class PageLayout:
    """Records drawing for a page `paper_mm` wide with a centred printable band."""

    def __init__(self, paper_mm: int, top_mm: float = 3.0, bottom_mm: float = 6.0) -> None:
        if paper_mm not in PRINTABLE_MM:
            raise ValueError(f"paper width must be one of {sorted(PRINTABLE_MM)} mm")
        self.page_width = paper_mm * MM
        self.width = PRINTABLE_MM[paper_mm] * MM
        self.left = (self.page_width - self.width) / 2
        self.right = self.left + self.width
        self.y = top_mm * MM
        self.bottom = bottom_mm * MM
        self._ops: list[tuple[float, Callable[[Any, float], None]]] = []

    # -- primitives (y from the top) ----------------------------------------------------

    def _text(self, x: float, baseline: float, text: str, style: Style) -> None:
        def draw(canvas: Any, height: float) -> None:
            _draw_runs(canvas, x, height - baseline, text, style)

        self._ops.append((baseline, draw))

    def space(self, mm: float) -> None:
        self.y += mm * MM

    def line(self, left: str, style: Style, right: str = "", indent: float = 0.0) -> None:
        """One line: `left` at the margin (plus indent), `right` flush right."""
        baseline = self.y + style.size
        if left:
            self._text(self.left + indent, baseline, left, style)
        if right:
            self._text(self.right - text_width(right, style.size), baseline, right, style)
        self.y += style.size * style.leading

    def centred(self, text: str, style: Style) -> None:
        for part in wrap(text, style.size, self.width):
            baseline = self.y + style.size
            x = self.left + (self.width - text_width(part, style.size)) / 2
            self._text(x, baseline, part, style)
            self.y += style.size * style.leading

    def paragraph(self, text: str, style: Style, indent: float = 0.0) -> None:
        for part in wrap(text, style.size, self.width - indent):
            self.line(part, style, indent=indent)

    def pair(self, label: str, value: str, style: Style) -> None:
        """Label left, value flush right; a value too long for that gets its own lines."""
        gap = style.size
        if text_width(label, style.size) + gap + text_width(value, style.size) <= self.width:
            self.line(label, style, value)
            return
        self.line(label, style)
        self.paragraph(value, style, indent=gap)

    def columns(self, left: str, right: str, style: Style, indent: float = 0.0) -> None:
        """`left` beside a flush-right `right`; if it needs more room, `right` goes below."""
        reserve = text_width(right, style.size) + style.size
        parts = wrap(left, style.size, self.width - indent - reserve) if left else [""]
        if len(parts) > 1:  # too long to sit beside `right`: full width, `right` below it
            self.paragraph(left, style, indent=indent)
            self.line("", style, right)
            return
        self.line(parts[0], style, right, indent=indent)

    def rule(self, dashed: bool = True, weight: float = 0.6) -> None:
        y = self.y + 1.5 * MM
        left, right = self.left, self.right

        def draw(canvas: Any, height: float) -> None:
            canvas.setLineWidth(weight)
            canvas.setDash(*((2, 2) if dashed else ((), 0)))
            canvas.line(left, height - y, right, height - y)
            canvas.setDash()

        self._ops.append((y, draw))
        self.y += 3 * MM

    def block(self, height_mm: float, draw: Callable[[Any, float, float], None]) -> None:
        """Reserve `height_mm`; `draw(canvas, x_left, y_bottom)` is called in PDF space."""
        top = self.y
        height = height_mm * MM
        left = self.left

        def replay(canvas: Any, page_height: float) -> None:
            draw(canvas, left, page_height - top - height)

        self._ops.append((top, replay))
        self.y += height

    # -- output -------------------------------------------------------------------------

    @property
    def height(self) -> float:
        return self.y + self.bottom

    def render(self, title: str) -> bytes:
        """The PDF: one page exactly as tall as the content."""
        from io import BytesIO

        from reportlab.pdfgen.canvas import Canvas as PdfCanvas

        buffer = BytesIO()
        height = self.height
        canvas = PdfCanvas(
            buffer,
            pagesize=(self.page_width, height),
            pageCompression=1,
            initialFontName=CJK_FONT,  # else an unembedded Helvetica is declared too
        )
        canvas.setTitle(title)
        canvas.setCreator("sscard-kiosk")
        for _, draw in self._ops:
            draw(canvas, height)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def _draw_runs(canvas: Any, x: float, y: float, text: str, style: Style) -> None:
    if style.bold:
        # The CJK font has no bold face: fill and stroke the outline. Render mode and line
        # width are graphics state that outlive the text object: save and restore around it.
        canvas.saveState()
        canvas.setLineWidth(style.size * 0.035)
    text_object = canvas.beginText(x, y)
    if style.bold:
        text_object.setTextRenderMode(2)
    for font, part in runs(text):
        text_object.setFont(font, style.size)
        text_object.textOut(part)
    canvas.drawText(text_object)
    if style.bold:
        canvas.restoreState()

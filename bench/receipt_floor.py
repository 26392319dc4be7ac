"""The receipt's floor: the same text in the same fonts on a bare ReportLab canvas.

One render of the real receipt is recorded (every text object: where, which font at which
size, what text), then replayed onto a canvas of the same page size with nothing else: no
layout (wrapping, measuring), no rules, no QR code, no per-character font choice. What
ReportLab itself needs to write that text into a PDF is what the receipt cannot beat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import reportlab.pdfgen.canvas as pdf_canvas

from kiosk.domain import ReceiptData
from printing.fonts import CJK_FONT
from printing.receipt import render


@dataclass
class TextObject:
    x: float
    y: float
    runs: list[list[Any]] = field(default_factory=list)  # [font, size, text]


@dataclass
class RecordedPage:
    size: tuple[float, float] = (0.0, 0.0)
    texts: list[TextObject] = field(default_factory=list)


def _recording_canvas(page: RecordedPage) -> type[Any]:
    class Recording(pdf_canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            page.size = tuple(kwargs["pagesize"])

        def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> Any:
            text = super().beginText(x, y, direction)
            recorded = TextObject(x, y)
            page.texts.append(recorded)
            set_font, text_out = text.setFont, text.textOut

            def font(name: str, size: float, leading: Any = None) -> Any:
                recorded.runs.append([name, size, ""])
                return set_font(name, size, leading)

            def out(part: str) -> Any:
                recorded.runs[-1][2] += part
                return text_out(part)

            text.setFont, text.textOut = font, out
            return text

    return Recording


def record(data: ReceiptData, width_mm: int) -> RecordedPage:
    """What `printing.receipt.render` writes for `data`, text object by text object."""
    page = RecordedPage()
    bare = pdf_canvas.Canvas
    pdf_canvas.Canvas = _recording_canvas(page)  # layout.py imports it at render time
    try:
        render(data, width_mm)
    finally:
        pdf_canvas.Canvas = bare
    if not page.texts or any(not text.runs for text in page.texts):
        raise RuntimeError("the receipt's text was not recorded (did printing/layout change?)")
    return page


def bare_render(page: RecordedPage) -> bytes:
    """The recorded text, and only it, on a bare canvas of the same size."""
    buffer = BytesIO()
    canvas = pdf_canvas.Canvas(
        buffer, pagesize=page.size, pageCompression=1, initialFontName=CJK_FONT
    )
    for recorded in page.texts:
        text = canvas.beginText(recorded.x, recorded.y)
        for font, size, part in recorded.runs:
            text.setFont(font, size)
            text.textOut(part)
        canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

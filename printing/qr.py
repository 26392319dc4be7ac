"""The receipt's QR code, drawn straight onto the canvas as filled runs of modules.

ReportLab's QrCodeWidget builds one shape object per dark run and encodes the data twice;
drawing the module matrix ourselves keeps a receipt render well under its time budget.
"""

from __future__ import annotations

import itertools
from typing import Any

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def modules(payload: str) -> list[list[bool]]:
    """The QR matrix (error correction M, the best of the eight masks) for `payload`."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    return [[bool(dark) for dark in row] for row in code.modules]


def draw(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """The code with its quiet zone in the square of side `size` whose lower left is (x, y)."""
    matrix = modules(payload)
    count = len(matrix)
    box = size / (count + 2 * QUIET_ZONE)
    path = canvas.beginPath()
    for row_number, row in enumerate(matrix):
        top = y + size - (row_number + QUIET_ZONE + 1) * box
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + (column + QUIET_ZONE) * box, top, length * box, box)
            column += length
    canvas.drawPath(path, stroke=0, fill=1)

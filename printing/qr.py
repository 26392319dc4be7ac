"""The slips' QR codes, drawn straight onto the canvas as filled runs of modules.

segno encodes (error correction M, the best of the eight masks, as the QR standard picks
it): about twice as fast as ReportLab's pure-Python qrencoder, which also built one shape
object per dark run. A slip encodes its payload once: the matrix both sizes the code
(printing.document_claims.qr_side_mm) and is drawn.
"""

from __future__ import annotations

import itertools
from typing import Any

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks

Matrix = tuple[tuple[bool, ...], ...]


def modules(payload: str) -> Matrix:
    """The QR matrix (error correction M, the best mask) for `payload`, row by row."""
    import segno

    code = segno.make_qr(payload, error="m", boost_error=False)
    return tuple(tuple(bool(dark) for dark in row) for row in code.matrix)


def draw(canvas: Any, matrix: Matrix, x: float, y: float, size: float) -> None:
    """The code with its quiet zone in the square of side `size` whose lower left is (x, y)."""
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

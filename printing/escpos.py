"""ESC/POS raster printing, for a thermal printer without a vendor CUPS driver.

The receipt PDF is rasterised at the printer's 203 dpi in black and white by poppler's
`pdftoppm -mono` (PBM: one bit a dot, 1 = black, rows padded to whole bytes: exactly the
bit layout of ESC/POS `GS v 0`), cropped to the printable band (72 mm = 576 dots on 80 mm
paper, 48 mm = 384 dots on 58 mm), and sent in bands with a feed and a cut at the end.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from printing.layout import PRINTABLE_MM
from printing.problems import PrinterProblem, PrinterProblemKind, PrinterStatus

log = logging.getLogger(__name__)

DPI = 203
MM_PER_INCH = 25.4
BAND_ROWS = 256  # rows per GS v 0 command: within every printer's buffer
INIT = b"\x1b@"  # ESC @: reset the printer
FEED_AND_CUT = b"\x1bd\x04" + b"\x1dVB\x00"  # ESC d 4: feed 4 lines; GS V 66 0: partial cut


@dataclass(frozen=True)
class Bitmap:
    """A 1-bit image: `rows` of `width` dots, each row packed into bytes, MSB first, 1 = black."""

    width: int
    height: int
    data: bytes

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8

    def row(self, y: int) -> bytes:
        return self.data[y * self.row_bytes : (y + 1) * self.row_bytes]


def dots(paper_mm: int) -> int:
    """The printable band in printer dots: 576 on 80 mm paper, 384 on 58 mm."""
    return round(PRINTABLE_MM[paper_mm] / MM_PER_INCH * DPI / 8) * 8


def rasterise(pdf: bytes, timeout_seconds: float = 10.0) -> Bitmap:
    """The PDF's first page at 203 dpi, black and white (poppler's pdftoppm)."""
    try:
        result = subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-mono", "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            timeout=timeout_seconds,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise PrinterProblem(
            PrinterProblemKind.OTHER, f"receipt not rasterised: {type(error).__name__}"
        ) from None
    return parse_pbm(result.stdout)


def parse_pbm(raw: bytes) -> Bitmap:
    """A binary PBM (P4) file: 'P4', width, height, then the packed rows."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 3:
        while raw[position : position + 1].isspace():
            position += 1
        if raw[position : position + 1] == b"#":  # a comment runs to the end of the line
            position = raw.index(b"\n", position)
            continue
        end = position
        while end < len(raw) and not raw[end : end + 1].isspace():
            end += 1
        fields.append(raw[position:end])
        position = end
    if fields[0] != b"P4":
        raise ValueError("not a binary PBM image")
    width, height = int(fields[1]), int(fields[2])
    data = raw[position + 1 :]
    if len(data) < (width + 7) // 8 * height:
        raise ValueError("PBM image is cut short")
    return Bitmap(width, height, data[: (width + 7) // 8 * height])


def first_dot(paper_mm: int) -> int:
    """The column where the printable band starts: the margin, rounded down, so a line drawn
    exactly at the band's edge (it covers part of that column) is kept."""
    return math.floor((paper_mm - PRINTABLE_MM[paper_mm]) / 2 / MM_PER_INCH * DPI)


def crop_band(image: Bitmap, width: int, left: int) -> Bitmap:
    """`width` dots of each row from column `left` (the paper's margins are not printable)."""
    rows = []
    for y in range(image.height):
        bits = int.from_bytes(image.row(y), "big")
        total = image.row_bytes * 8
        band = (bits >> (total - left - width)) & ((1 << width) - 1)
        rows.append(band.to_bytes((width + 7) // 8, "big"))
    return Bitmap(width, image.height, b"".join(rows))


def escpos_job(image: Bitmap) -> bytes:
    """ESC @, the image as GS v 0 bands, then feed and cut."""
    parts = [INIT]
    row_bytes = image.row_bytes
    for top in range(0, image.height, BAND_ROWS):
        rows = min(BAND_ROWS, image.height - top)
        header = b"\x1dv0\x00" + row_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        parts.append(header + image.data[top * row_bytes : (top + rows) * row_bytes])
    parts.append(FEED_AND_CUT)
    return b"".join(parts)


def pdf_to_escpos(pdf: bytes, paper_mm: int) -> bytes:
    return escpos_job(crop_band(rasterise(pdf), dots(paper_mm), first_dot(paper_mm)))


class EscPosPrinter:
    """A raw ESC/POS printer behind a device file (e.g. /dev/usb/lp0), with no CUPS driver."""

    def __init__(self, device: Path, paper_mm: int = 80) -> None:
        self.device = device
        self.paper_mm = paper_mm

    def status(self) -> PrinterStatus:
        if not self.device.exists():
            return PrinterStatus(False, (PrinterProblemKind.OFFLINE,), f"{self.device} missing")
        if not os.access(self.device, os.W_OK):
            return PrinterStatus(
                False, (PrinterProblemKind.OFFLINE,), f"{self.device} is not writable"
            )
        return PrinterStatus(ready=True, detail=f"ESC/POS on {self.device}")

    def print_pdf(self, pdf: bytes, title: str, timeout_seconds: float = 20.0) -> None:
        status = self.status()
        if not status.ready:
            raise status.problem()
        job = pdf_to_escpos(pdf, self.paper_mm)
        failure: list[OSError] = []

        def write() -> None:
            try:
                with open(self.device, "wb", buffering=0) as port:
                    port.write(job)
            except OSError as error:
                failure.append(error)

        # A printer that is off can block a write forever: never wait longer than the timeout.
        writer = threading.Thread(target=write, name="escpos-write", daemon=True)
        writer.start()
        writer.join(timeout_seconds)
        if writer.is_alive():
            raise PrinterProblem(PrinterProblemKind.TIMEOUT, f"{self.device} took no data")
        if failure:
            kind = (
                PrinterProblemKind.OFFLINE
                if failure[0].errno in (errno.ENODEV, errno.ENXIO, errno.EIO)
                else PrinterProblemKind.OTHER
            )
            raise PrinterProblem(kind, f"{self.device}: {failure[0].strerror}")
        log.info("receipt %s sent as ESC/POS raster (%d bytes)", title, len(job))

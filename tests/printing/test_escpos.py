"""The ESC/POS raster path: the receipt as the printer's own dots, checked against poppler."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from kiosk.domain import ReceiptData
from printing.escpos import (
    BAND_ROWS,
    FEED_AND_CUT,
    INIT,
    Bitmap,
    EscPosPrinter,
    crop_band,
    dots,
    escpos_job,
    first_dot,
    parse_pbm,
    pdf_to_escpos,
    rasterise,
)
from printing.problems import PrinterProblem, PrinterProblemKind
from printing.receipt import render


def decode(job: bytes) -> Bitmap:
    """Read a job back: ESC @, GS v 0 bands, feed and cut; nothing else may be in it."""
    assert job.startswith(INIT)
    assert job.endswith(FEED_AND_CUT)
    body, rows, width = job[len(INIT) : -len(FEED_AND_CUT)], [], 0
    while body:
        assert body[:4] == b"\x1dv0\x00"
        row_bytes = int.from_bytes(body[4:6], "little")
        height = int.from_bytes(body[6:8], "little")
        assert 0 < height <= BAND_ROWS
        size = row_bytes * height
        rows.append(body[8 : 8 + size])
        body = body[8 + size :]
        width = row_bytes * 8
    data = b"".join(rows)
    return Bitmap(width, len(data) // (width // 8), data)


def black(image: Bitmap) -> int:
    return sum(bin(byte).count("1") for byte in image.data)


def test_the_printable_band_is_576_dots_at_80_mm_and_384_at_58() -> None:
    assert (dots(80), dots(58)) == (576, 384)
    assert (first_dot(80), first_dot(58)) == (31, 39)  # 4 mm and 5 mm margins


def test_pbm_parsing_and_cropping_keep_the_dots() -> None:
    raw = b"P4\n# a comment\n16 2\n" + bytes([0b10000000, 0b00000001, 0xFF, 0xFF])
    image = parse_pbm(raw)
    assert (image.width, image.height) == (16, 2)
    band = crop_band(image, 8, 4)  # columns 4..11
    assert band.data == bytes([0b00000000, 0b11111111])


@pytest.mark.parametrize("width", [80, 58])
def test_a_receipt_becomes_escpos_with_every_dot_of_the_printable_band(
    receipt_for: object, width: int
) -> None:
    data: ReceiptData = receipt_for("A32010001")  # type: ignore[operator]
    pdf = render(data, width).pdf
    page = rasterise(pdf)
    job = pdf_to_escpos(pdf, width)
    printed = decode(job)
    assert printed.width == dots(width)
    assert printed.height == page.height
    # Only a rule drawn exactly on the band's edge can spill into the next column (72 mm is
    # 575.4 dots); everything else of the page is in the printed band.
    edges = (
        crop_band(page, 1, first_dot(width) - 1),
        crop_band(page, 1, first_dot(width) + dots(width)),
    )
    assert black(printed) + sum(black(e) for e in edges) == black(page) > 10_000


def test_the_escpos_printer_writes_the_job_to_its_device(
    receipt_for: object, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"
    device.touch()
    data: ReceiptData = receipt_for("A32010001")  # type: ignore[operator]
    pdf = render(data, 80).pdf
    EscPosPrinter(device, 80).print_pdf(pdf, data.serial)
    assert device.read_bytes() == pdf_to_escpos(pdf, 80)


def test_a_missing_device_is_offline_before_anything_is_rendered(tmp_path: Path) -> None:
    printer = EscPosPrinter(tmp_path / "lp0", 80)
    assert printer.status().problems == (PrinterProblemKind.OFFLINE,)
    with pytest.raises(PrinterProblem) as raised:
        printer.print_pdf(b"%PDF-", "T-0001")
    assert raised.value.kind is PrinterProblemKind.OFFLINE


def test_a_device_that_takes_no_data_times_out_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)  # nobody reads it: opening it for writing blocks, like a printer that is off
    canvas_pdf = BytesIO()
    canvas = Canvas(canvas_pdf, pagesize=(80 * 72 / 25.4, 100))
    canvas.drawString(20, 50, "test")
    canvas.save()
    with pytest.raises(PrinterProblem) as raised:
        EscPosPrinter(fifo, 80).print_pdf(canvas_pdf.getvalue(), "T-0002", timeout_seconds=0.5)
    assert raised.value.kind is PrinterProblemKind.TIMEOUT


def test_bands_split_a_long_receipt_for_the_printer_buffer() -> None:
    tall = Bitmap(16, BAND_ROWS * 2 + 3, bytes(2 * (BAND_ROWS * 2 + 3)))
    assert decode(escpos_job(tall)).height == tall.height
    assert escpos_job(tall).count(b"\x1dv0\x00") == 3

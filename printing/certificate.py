"""The insurance certificate (参保证明): a `CertificateData` on 80 mm thermal paper or on A4.

As the receipt: fonts embedded, names and IDs masked per `data.masking`, every word handed
in `data.words` already in the person's language. The QR is the verification service's URL
(printing.document_claims), which the caller made after recording the digest; the code is
printed beside it for someone who types it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.domain import CertificateData, date_text
from kiosk.masking import mask_card_number, mask_citizen_id, mask_name
from printing import fonts, qr
from printing.document_claims import qr_side_mm
from printing.layout import MM, PageLayout, Style

__all__ = ["PAPERS", "RenderedCertificate", "render"]

PAPERS = ("80", "a4")
A4_MM = (210.0, 297.0)
A4_MARGIN_MM = 25.0
# points: body, small, heading; QR side in mm. The URL carries every fact, so it is a
# larger code than a receipt's: 30 mm keeps a module above 3 dots at 203 dpi.
SIZES = {"80": (9.0, 7.5, 13.0, 30.0), "a4": (12.0, 9.5, 20.0, 40.0)}


@dataclass(frozen=True)
class RenderedCertificate:
    pdf: bytes
    length_mm: float
    code: str  # as printed: ABCD-EFGH-JKLM
    url: str  # what the QR says


class A4Layout(PageLayout):
    """PageLayout on an A4 sheet: a wide printable band, and a page of A4's height."""

    def __init__(self) -> None:
        super().__init__(80, top_mm=A4_MARGIN_MM, bottom_mm=A4_MARGIN_MM)
        self.page_width = A4_MM[0] * MM
        self.width = (A4_MM[0] - 2 * A4_MARGIN_MM) * MM
        self.left = A4_MARGIN_MM * MM
        self.right = self.left + self.width

    @property
    def height(self) -> float:
        return max(A4_MM[1] * MM, self.y + self.bottom)


def render(data: CertificateData, code: str, url: str, paper: str = "80") -> RenderedCertificate:
    """The certificate PDF; `code` is the store's code for it and `url` its QR."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    fonts.register_fonts()
    body_size, small_size, heading_size, qr_mm = SIZES[paper]
    body, small, heading = Style(body_size), Style(small_size), Style(heading_size, bold=True)
    words = data.words
    page: PageLayout = A4Layout() if paper == "a4" else PageLayout(80)
    printed_code = "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    page.centred(words.title, heading)
    page.centred(words.subtitle, small)
    page.space(1.5)
    page.paragraph(words.statement, body)
    page.rule()
    page.pair(words.name, mask_name(data.person_name, data.masking), body)
    page.pair(words.citizen_id, mask_citizen_id(data.citizen_id, data.masking), body)
    page.pair(words.card_number, mask_card_number(data.card_number, data.masking), body)
    page.rule()
    page.pair(words.insurance_type, words.types[data.insurance_type], body)
    start = date_text(data.enrolment_start, "month") if data.enrolment_start else "-"
    page.pair(words.enrolment_start, start, body)
    page.pair(words.status, words.statuses[data.status], body)
    months = words.months_unit
    page.pair(
        words.months_this_year.format(year=data.year),
        months.format(months=data.months_this_year),
        body,
    )
    page.pair(words.months_total, months.format(months=data.months_total), body)
    page.pair(words.base_band, words.bands[data.base_band], body)
    unit = f"{data.unit_name} ({data.unit_code})" if data.unit_name else words.no_unit
    page.pair(words.unit, unit, body)
    page.rule()
    page.pair(words.kiosk, data.kiosk_id, small)
    if data.kiosk_location:
        page.pair(words.location, data.kiosk_location, small)
    page.pair(words.printed_at, date_text(data.printed_at, "second"), small)
    page.pair(words.serial, data.serial, small)
    page.space(2)
    matrix = qr.modules(url)
    qr_mm = qr_side_mm(matrix, qr_mm)
    _verification(
        page, matrix, printed_code, (words.code, words.verify_hint), qr_mm=qr_mm, size=body_size
    )
    page.space(2)
    page.centred(words.footer, small)
    pdf = page.render(data.serial)
    return RenderedCertificate(pdf, round(page.height / MM, 1), printed_code, url)


def _verification(
    page: PageLayout,
    matrix: qr.Matrix,
    code: str,
    words: tuple[str, str],
    *,
    qr_mm: float,
    size: float,
) -> None:
    label, hint = words
    offset = (page.width - qr_mm * MM) / 2

    def draw(canvas: Any, x: float, y: float) -> None:
        qr.draw(canvas, matrix, x + offset, y, qr_mm * MM)

    page.block(qr_mm, draw)
    page.centred(f"{label} {code}", Style(size + 1, bold=True))
    page.centred(hint, Style(size - 1.5))

"""The receipt: a `ReceiptData` laid out for 80 mm or 58 mm thermal paper, as a PDF.

Fonts are embedded (printing.fonts) and the page is exactly as tall as its content. Names,
citizen IDs and card numbers are masked per `data.masking`; the balance is the largest line.
Every word comes in `data.words`, already in the person's language: printing has no
catalogue of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.domain import LedgerEntry, LedgerKind, ReceiptData, ReceiptWords, date_text, yuan
from kiosk.masking import mask_card_number, mask_citizen_id, mask_name
from printing import fonts, qr
from printing.document_claims import qr_side_mm
from printing.layout import MM, PRINTABLE_MM, PageLayout, Style
from printing.verification import make_code, qr_payload

__all__ = ["DEMO_KEY", "RenderedReceipt", "register_fonts", "render"]

# Only for demos and tests: a kiosk signs with its own key (kiosk.printers.receipt_key).
DEMO_KEY = b"sscard-kiosk demo key: never used by a configured kiosk"
QR_MM = 22.0
QR_URL_MM = 30.0  # a URL with every figure is a denser code: larger, to read at 203 dpi
SIZES = {  # points: body, small, heading, balance
    80: (9.0, 7.5, 12.0, 24.0),
    58: (8.0, 6.5, 10.5, 19.0),
}


@dataclass(frozen=True)
class RenderedReceipt:
    pdf: bytes
    length_mm: float
    code: str  # the verification code printed on the slip, ABCD-EFGH-JKLM


def register_fonts() -> None:
    """Start-up work, once (idempotent): embed-ready fonts and the modules a render needs.

    Loading ReportLab's canvas and QR encoder here (about 50 ms) keeps that out of the
    first receipt a person waits for.
    """
    fonts.register_fonts()
    import reportlab.graphics.barcode.qrencoder
    import reportlab.pdfgen.canvas  # noqa: F401


def render(
    data: ReceiptData, width_mm: int = 80, key: bytes = DEMO_KEY, *, verify_url: str = ""
) -> RenderedReceipt:
    """The receipt PDF for `data` on paper `width_mm` wide (80 or 58).

    With `verify_url` (printing.document_claims.document_url, made once the store recorded
    the slip) the QR is that address of the verification service; without it, the offline
    payload staff check with `kiosk receipt verify`. The printed code is the same either way.
    """
    register_fonts()
    body_size, small_size, heading_size, balance_size = SIZES[width_mm]
    body, small = Style(body_size), Style(small_size)
    heading = Style(heading_size, bold=True)
    words = data.words
    page = PageLayout(width_mm)
    code = make_code(key, data.serial, data.printed_at, data.card_hash, data.balance)

    page.centred(words.title, heading)
    page.centred(words.subtitle, small)
    page.space(1)
    page.pair(words.kiosk, data.kiosk_id, small)
    if data.kiosk_location:
        page.pair(words.location, data.kiosk_location, small)
    page.pair(words.printed_at, date_text(data.printed_at, "second"), small)
    page.pair(words.serial, data.serial, small)
    page.rule()

    page.pair(words.name, mask_name(data.person_name, data.masking), body)
    page.pair(words.citizen_id, mask_citizen_id(data.citizen_id, data.masking), body)
    page.pair(words.card_number, mask_card_number(data.card_number, data.masking), body)
    if data.card_region_code:
        region = f"{data.card_region_name} {data.card_region_code}".strip()
        page.pair(words.card_region, region, body)
    page.rule()

    page.line(words.balance, body)
    page.line("", Style(balance_size, bold=True, leading=1.2), yuan(data.balance))
    page.space(1)
    page.line(words.quota.format(year=data.quota.year), body)
    page.line(words.quota_used, body, yuan(data.quota.used), indent=body_size)
    page.line(words.quota_left, body, yuan(data.quota.left), indent=body_size)
    last = data.last_contribution
    if last is not None:
        page.line(words.last_contribution, body)
        period = words.to_personal.format(period=date_text(last.period, "month"))
        page.columns(period, yuan(last.to_personal_account), body, indent=body_size)
    page.rule()

    _entries(page, data, words, body, small)
    if data.flagged:
        page.rule()
        _flagged(page, data, words, body, small)
    page.rule()

    page.paragraph(words.hotlines, small)
    page.space(1.5)
    matrix = qr.modules(verify_url or qr_payload(data.serial, data.printed_at, data.balance, code))
    # A long history makes a dense address: larger, but never wider than the paper's band.
    qr_mm = min(qr_side_mm(matrix, QR_URL_MM), PRINTABLE_MM[width_mm]) if verify_url else QR_MM
    _verification(page, matrix, code, words, width_mm, qr_mm=qr_mm)
    page.space(1.5)
    page.centred(words.footer, small)
    pdf = page.render(data.serial)
    return RenderedReceipt(pdf=pdf, length_mm=round(page.height / MM, 1), code=code)


def _entries(
    page: PageLayout, data: ReceiptData, words: ReceiptWords, body: Style, small: Style
) -> None:
    if not data.entries:
        page.line(words.no_entries, body)
        return
    page.line(words.entries.format(count=len(data.entries)), body)
    page.line(words.head_line1, small, words.head_amount)
    page.line(words.head_line2, small, words.head_balance, indent=small.size)
    page.rule(weight=0.3)
    for entry in data.entries:
        line = f"{date_text(entry.posted_at)}  {words.kinds[entry.kind]}"
        # A kind too long to sit beside the amount (58 mm, English) puts the amount below it.
        page.columns(line, yuan(entry.amount, sign=True, symbol=False), body)
        balance = f"{words.balance_after} {yuan(entry.balance_after, symbol=False)}"
        page.columns(_where(entry, words), balance, small, indent=small.size)
        page.space(0.8)


def _where(entry: LedgerEntry, words: ReceiptWords) -> str:
    if entry.institution_name:
        return entry.institution_name
    if entry.counterpart and entry.kind in (LedgerKind.FAMILY_AID_IN, LedgerKind.FAMILY_AID_OUT):
        return words.family.format(name=entry.counterpart)
    return ""


def _flagged(
    page: PageLayout, data: ReceiptData, words: ReceiptWords, body: Style, small: Style
) -> None:
    page.line(words.flagged, Style(body.size, bold=True))
    for charge in data.flagged:
        entry = charge.entry
        when = date_text(entry.posted_at, "minute")
        page.line(when, body, yuan(entry.amount, sign=True, symbol=False))
        where = _where(entry, words)
        if where:
            page.paragraph(where, small, indent=small.size)
        text = words.reason_separator.join(words.reasons[r] for r in charge.reasons)
        page.paragraph(text, small, indent=small.size)
        page.space(0.8)
    page.paragraph(words.what_to_do, small)


def _verification(
    page: PageLayout,
    matrix: qr.Matrix,
    code: str,
    words: ReceiptWords,
    width_mm: int,
    *,
    qr_mm: float = QR_MM,
) -> None:
    body_size, small_size, _, _ = SIZES[width_mm]
    code_style, small = Style(body_size + 1, bold=True), Style(small_size)

    def draw_qr(canvas: Any, x: float, y: float) -> None:
        qr.draw(canvas, matrix, x, y, qr_mm * MM)

    if width_mm == 80 and qr_mm <= QR_URL_MM:  # QR on the left, the code beside it
        top = page.y
        page.block(qr_mm, draw_qr)
        after = page.y
        page.y = top + 4 * MM
        indent = (qr_mm + 3) * MM
        page.line(words.code, small, indent=indent)
        page.line(code, code_style, indent=indent)
        page.line(words.verify_hint, small, indent=indent)
        page.y = max(page.y, after)
        return
    offset = (page.width - qr_mm * MM) / 2

    def draw_centred(canvas: Any, x: float, y: float) -> None:
        qr.draw(canvas, matrix, x + offset, y, qr_mm * MM)

    page.block(qr_mm, draw_centred)
    page.centred(f"{words.code} {code}", code_style)
    page.centred(words.verify_hint, small)

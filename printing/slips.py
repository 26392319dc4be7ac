"""The loss-report and filing-request slips, laid out for 80 mm (or 58 mm) thermal paper.

Like the receipt (printing/receipt.py): fonts embedded, the page as tall as its content,
the name and ID masked per the slip's masking rules, and every word handed in, already in
the person's language (kiosk.words.slips builds the slips).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain import FilingSlip, LossReportSlip, date_text
from kiosk.masking import mask_citizen_id
from printing import fonts
from printing.layout import MM, PageLayout, Style

__all__ = ["RenderedSlip", "render_slip"]

SIZES = {80: (9.0, 7.5, 12.0, 18.0), 58: (8.0, 6.5, 10.5, 15.0)}  # body, small, head, number


@dataclass(frozen=True)
class RenderedSlip:
    pdf: bytes
    length_mm: float
    job: str  # the print job's (and PDF's) name: the kind of slip and its number, ASCII


def render_slip(slip: LossReportSlip | FilingSlip, width_mm: int = 80) -> RenderedSlip:
    """The slip's PDF on paper `width_mm` wide."""
    fonts.register_fonts()
    body_size, small_size, heading_size, number_size = SIZES[width_mm]
    body, small = Style(body_size), Style(small_size)
    page = PageLayout(width_mm)
    words = slip.words
    page.centred(words.title, Style(heading_size, bold=True))
    page.centred(words.subtitle, small)
    page.space(1)
    page.pair(words.where, slip.kiosk_id, small)
    if slip.kiosk_location:
        page.paragraph(slip.kiosk_location, small)
    page.rule()
    if isinstance(slip, LossReportSlip):
        job = f"loss-report-{slip.report.report_no}"
        _loss_report(page, slip, body, Style(number_size, bold=True))
    else:
        job = f"filing-request-{slip.request.request_no}"
        _filing(page, slip, body, Style(number_size, bold=True))
    page.rule()
    for step in words.next_steps:
        page.paragraph(step, small)
        page.space(0.8)
    page.space(1)
    page.centred(words.footer, small)
    pdf = page.render(job)
    return RenderedSlip(pdf=pdf, length_mm=round(page.height / MM, 1), job=job)


def _loss_report(page: PageLayout, slip: LossReportSlip, body: Style, number: Style) -> None:
    words, report = slip.words, slip.report
    page.line(words.number, body)
    page.line("", number, str(report.report_no))
    page.space(1)
    page.pair(words.name, report.masked_name, body)
    if slip.citizen_id:
        page.pair(words.citizen_id, mask_citizen_id(slip.citizen_id, slip.masking), body)
    page.pair(words.when, date_text(report.reported_at, "minute"), body)
    page.space(1)
    page.paragraph(words.holds_until.format(until=date_text(report.expires_at, "minute")), body)


def _filing(page: PageLayout, slip: FilingSlip, body: Style, number: Style) -> None:
    words, request = slip.words, slip.request
    page.line(words.number, body)
    page.line("", number, str(request.request_no))
    page.space(1)
    page.pair(words.status, words.status_value, body)
    page.pair(words.kind, words.kind_value, body)
    page.pair(words.destination, f"{request.province} {request.region_name}", body)
    page.pair(words.start, date_text(request.valid_from), body)
    page.pair(words.end, date_text(request.valid_until), body)
    days = (request.valid_until - request.valid_from).days + 1
    page.pair("", words.days.format(days=days), body)
    page.pair(words.when, date_text(request.requested_at, "minute"), body)

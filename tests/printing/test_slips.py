"""The loss-report and filing-request slips, read back with pdftotext as a person would."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.domain import FilingRequest, FilingType, LossReport, MaskingRules
from kiosk.printers import ReceiptPrinter
from kiosk.words.slips import filing_slip, loss_report_slip
from printing.dispatch import SpoolPrinter
from printing.paper import PaperCounter
from printing.slips import render_slip
from tests.printing.conftest import pdf_text

PRINTED = datetime(2026, 11, 24, 10, 31)
REPORT = LossReport(
    report_no=42,
    reported_at=datetime(2026, 11, 24, 10, 30),
    expires_at=datetime(2026, 12, 1, 10, 30),
    masked_name="张*三",
    citizen_id="320102195203120316",
)
REQUEST = FilingRequest(
    request_no=7,
    filing_type=FilingType.TEMPORARY,
    region_code="440100",
    region_name="广州市",
    province="广东省",
    valid_from=date(2026, 11, 27),
    valid_until=date(2026, 12, 26),
    requested_at=datetime(2026, 11, 24, 10, 30),
)
PLACE = {
    "kiosk_id": "demo-kiosk-01",
    "kiosk_location": "示范社区卫生服务中心",
    "printed_at": PRINTED,
    "masking": MaskingRules(),
}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", [80, 58])
def test_the_loss_report_slip_shows_number_masked_person_until_and_next_steps(
    width: int,
) -> None:
    text = flat(pdf_text(render_slip(loss_report_slip(REPORT, "zh", **PLACE), width).pdf))
    for shown in ("临时挂失回执", "42", "张*三", "3201**********0316", "2026-11-24 10:30",
                  "2026-12-01 10:30", "12333", "demo-kiosk-01"):  # fmt: skip
        assert shown in text.replace(" ", "") or shown in text, shown
    assert "320102195203120316" not in text.replace(" ", "")


def test_the_loss_report_slip_in_english() -> None:
    text = flat(pdf_text(render_slip(loss_report_slip(REPORT, "en", **PLACE)).pdf))
    assert "Temporary loss report" in text
    assert "holds until 2026-12-01 10:30" in text
    assert "I found my card" in text
    assert "临时挂失回执" in text.replace(" ", "")  # the title in the other language


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_filing_slip_shows_kind_destination_dates_pending_and_number(
    language: str,
) -> None:
    text = flat(pdf_text(render_slip(filing_slip(REQUEST, language, **PLACE)).pdf))
    squeezed = text.replace(" ", "")
    for shown in ("广东省", "广州市", "2026-11-27", "2026-12-26", "7"):
        assert shown in squeezed, shown
    pending, kind = (
        ("待审核", "临时外出就医") if language == "zh" else ("Pending", "Temporary trip")
    )
    assert pending.replace(" ", "") in squeezed
    assert kind in text or kind in squeezed


def test_the_printer_prints_a_slip_and_counts_its_paper(tmp_path: Path) -> None:
    paper = PaperCounter(tmp_path / "paper.json", 50_000)
    printer = ReceiptPrinter(SpoolPrinter(tmp_path / "spool"), paper, key=b"k" * 32)
    rendered = printer.print_slip(loss_report_slip(REPORT, "zh", **PLACE))
    (spooled,) = (tmp_path / "spool").glob("*.pdf")
    assert spooled.read_bytes() == rendered.pdf
    assert spooled.name == "loss-report-42.pdf"
    assert paper.left_mm == pytest.approx(50_000 - rendered.length_mm, abs=1)

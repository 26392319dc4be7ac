"""Receipts for every demo person at 58 and 80 mm, read back as a person and a printer would."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain import MaskingRules, yuan
from kiosk.masking import mask_citizen_id, mask_name
from printing.fonts import covers
from printing.layout import PRINTABLE_MM
from printing.receipt import render
from printing.verification import parse_payload, verify_code
from tests.printing.conftest import (
    ACTIVE_CARDS,
    DPI,
    ZHANG,
    black_columns,
    decode_qr,
    pdf_text,
    raster,
)

KEY = b"k" * 32
WIDTHS = (58, 80)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("card", sorted(ACTIVE_CARDS))
def test_every_demo_person_gets_a_readable_receipt_at_both_widths(
    card: str, width: int, receipt_for: Any
) -> None:
    data = receipt_for(card)
    assert data.person_name == ACTIVE_CARDS[card]
    receipt = render(data, width, KEY)
    text = pdf_text(receipt.pdf)
    flat = re.sub(r"\s+", "", text)
    assert mask_name(data.person_name) in flat
    assert data.person_name not in flat  # masked by default: 张* and never 张伟
    assert mask_citizen_id(data.citizen_id) in flat
    assert data.citizen_id not in flat
    assert data.card_number not in flat
    assert yuan(data.balance) in flat  # the balance to the cent
    assert receipt.code in flat
    # The entries newest first, each with its signed amount and the balance after it.
    positions = []
    for entry in data.entries:
        line = f"{entry.posted_at:%Y-%m-%d}"
        amount = yuan(entry.amount, sign=True, symbol=False)
        start = flat.index(line, positions[-1] if positions else 0)
        assert flat.index(amount, start) > start
        assert yuan(entry.balance_after, symbol=False) in flat
        positions.append(start + 1)
    dates = [e.posted_at for e in data.entries]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 10


def test_zhang_wei_receipt_says_what_matters(receipt_for: Any) -> None:
    data = receipt_for(ZHANG)
    flat = re.sub(r"\s+", "", pdf_text(render(data, 80, KEY).pdf, layout=True))
    assert "姓名张*" in flat
    assert "张伟" not in flat
    assert f"个人账户余额{yuan(data.balance)}" in flat
    assert f"已用{yuan(data.quota.used)}" in flat
    assert f"剩余{yuan(data.quota.left)}" in flat
    assert data.last_contribution is not None
    assert yuan(data.last_contribution.to_personal_account) in flat
    assert "请核对以下扣费" in flat
    assert len(data.flagged) >= 1
    assert "12393" in flat
    assert "12333" in flat
    assert "kiosk-07" in flat
    assert "示范社区卫生服务中心" in flat
    assert "2026-11-2410:30:05" in flat


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("card", [ZHANG, "D65010004", "C36042603"])
def test_nothing_is_drawn_outside_the_printable_width(
    card: str, width: int, receipt_for: Any, tmp_path: Path
) -> None:
    receipt = render(receipt_for(card, entries=20), width, KEY)
    png = raster(receipt.pdf, tmp_path)
    image_width, first, last = black_columns(png)
    assert image_width == pytest.approx(width / 25.4 * DPI, abs=1)
    margin = (width - PRINTABLE_MM[width]) / 2 / 25.4 * DPI
    assert first >= int(margin) - 1, f"ink {margin - first:.0f} px into the left margin"
    assert last <= image_width - int(margin), f"ink into the right margin at x={last}"
    # The band is used (the balance is flush right, the labels flush left).
    assert first <= margin + 4
    assert last >= image_width - margin - 4


@pytest.mark.parametrize("width", WIDTHS)
def test_the_printed_qr_decodes_at_203_dpi_and_verifies(
    width: int, receipt_for: Any, tmp_path: Path
) -> None:
    data = receipt_for(ZHANG)
    receipt = render(data, width, KEY)
    payloads = decode_qr(raster(receipt.pdf, tmp_path))
    assert len(payloads) == 1
    claim = parse_payload(payloads[0])
    assert claim.serial == data.serial
    assert claim.balance == data.balance
    assert claim.printed_at == data.printed_at
    assert verify_code(KEY, claim, data.card_hash)
    assert not verify_code(KEY, replace(claim, balance=claim.balance + 1), data.card_hash)
    assert not verify_code(b"x" * 32, claim, data.card_hash)


def test_fonts_are_embedded_and_rare_names_have_glyphs(receipt_for: Any, tmp_path: Path) -> None:
    for name in ACTIVE_CARDS.values():
        assert covers(name), name
    data = receipt_for("C36042603", masking=MaskingRules(mask_name=False))
    receipt = render(data, 58, KEY)
    assert "李堃" in pdf_text(receipt.pdf)
    (tmp_path / "r.pdf").write_bytes(receipt.pdf)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    assert all(" yes yes " in line for line in fonts), fonts  # embedded and subset, every one


def test_masking_follows_the_rules(receipt_for: Any) -> None:
    open_rules = MaskingRules(mask_name=False, mask_citizen_id=False, card_number_visible_tail=6)
    data = receipt_for(ZHANG, masking=open_rules)
    flat = re.sub(r"\s+", "", pdf_text(render(data, 80, KEY).pdf))
    assert "张伟" in flat
    assert data.citizen_id in flat
    assert "***010001" in flat
    assert data.card_number not in flat


def test_english_receipt_uses_english_labels(receipt_for: Any) -> None:
    text = pdf_text(render(receipt_for(ZHANG, language="en"), 80, KEY).pdf)
    assert "Personal account balance" in text
    assert "Please check these charges" in text
    assert "个人账户余额" not in text


def test_the_page_is_as_long_as_its_content(receipt_for: Any) -> None:
    short = render(receipt_for(ZHANG, entries=2), 80, KEY)
    long = render(receipt_for(ZHANG, entries=20), 80, KEY)
    assert 100 < short.length_mm < long.length_mm < 600
    narrow = render(receipt_for("D65010004", entries=20), 58, KEY)
    wide = render(receipt_for("D65010004", entries=20), 80, KEY)
    assert narrow.length_mm > wide.length_mm  # long institution names wrap on 58 mm


def test_long_institution_names_wrap_whole_characters(receipt_for: Any) -> None:
    data = receipt_for("D65010004", entries=20)
    text = pdf_text(render(data, 58, KEY).pdf)
    name = "乌鲁木齐解放路社区卫生服务中心"
    assert name in re.sub(r"\s+", "", text)
    assert "\ufffd" not in text
    assert not re.search(r"^\s*[）。，]", text, re.MULTILINE)  # no closing mark starts a line


def test_no_entries_and_no_flags_still_render(receipt_for: Any) -> None:
    data = replace(receipt_for(ZHANG), entries=(), flagged=(), last_contribution=None)
    text = pdf_text(render(data, 58, KEY).pdf)
    assert "暂无明细" in text
    assert "请核对" not in text


def test_unknown_width_is_refused(receipt_for: Any) -> None:
    with pytest.raises(KeyError):
        render(receipt_for(ZHANG), 76, KEY)

"""A slip's claim: its facts, its QR address, and what an address that is not ours gets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from kiosk.domain import MaskingRules, QuotaStatus, ReceiptData
from kiosk.words import receipt_words
from printing.document_claims import (
    CERTIFICATE,
    FIELDS,
    RECEIPT,
    DocumentClaim,
    claim_from_url,
    document_url,
    facts_text,
    receipt_facts,
)
from printing.verification import make_code, normalise, parse_payload, verify_code

BASE = "https://verify.example.gov.cn/sscard/"
FACTS = tuple((key, f"v-{key}") for key in FIELDS[CERTIFICATE])


def test_an_address_carries_the_code_key_id_and_every_fact_back() -> None:
    claim = DocumentClaim(CERTIFICATE, "ABCDEFGHJKLM", 7, FACTS)
    url = document_url(BASE, claim)
    assert url.startswith("https://verify.example.gov.cn/sscard/c/ABCDEFGHJKLM?k=7&s=v-s&")
    assert claim_from_url(url) == claim


def test_chinese_stars_and_signs_survive_the_address() -> None:
    facts = (*FACTS[:-2], ("u", "南京恒通科技有限公司 & 分公司"), ("uc", "3201**1234"))
    claim = DocumentClaim(CERTIFICATE, "ABCDEFGHJKLM", 1, facts)
    url = document_url(BASE, claim)
    assert "&u=%E5%8D%97" in url
    assert "%26" in url  # an & in a value does not end it
    assert claim_from_url(url) == claim


def test_every_fact_is_in_the_digested_text_so_each_change_shows() -> None:
    text = facts_text(FACTS)
    assert text.splitlines() == [f"{key}=v-{key}" for key in FIELDS[CERTIFICATE]]
    for index, (key, value) in enumerate(FACTS):
        changed = (*FACTS[:index], (key, value + "0"), *FACTS[index + 1 :])
        assert facts_text(changed) != text


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x/c/ABCDEFGHJKLM?k=1",
        "https://x/q/ABCDEFGHJKLM?k=1",
        "https://x/c/ABCDEFGHJKL1?k=1",
        "https://x/c/ABCDEFGHJKLM",
        "https://x/c/ABCDEFGHJKLM?k=-1",
        "https://x/c/ABCDEFGHJKLM?k=1&s=a%0Ab",
        "https://x/c/ABCDEFGHJKLM?k=1&u=" + "x" * 1801,
    ],
)
def test_an_address_that_is_not_ours_is_refused(url: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each reason has its own words)
        claim_from_url(url)


def _receipt() -> ReceiptData:
    return ReceiptData(
        kiosk_id="kiosk-9",
        kiosk_location="",
        printed_at=datetime(2026, 11, 24, 10, 32, 5),
        serial="kiosk-9-20261124-0002",
        person_name="王喆",
        citizen_id="320102198806014321",
        card_number="B32010002",
        balance=Decimal("1234.56"),
        quota=QuotaStatus(2026, Decimal("4000.00"), Decimal("300.00")),
        last_contribution=None,
        entries=(),
        flagged=(),
        card_hash="ab" * 16,
        words=receipt_words("zh"),
        masking=MaskingRules(),
    )


def test_a_receipts_facts_hold_its_figures_masked() -> None:
    facts = dict(receipt_facts(_receipt()))
    assert facts["b"] == "1234.56"
    assert facts["q"] == "2026:300.00:3700.00"
    assert facts["i"] == "3201**********4321"
    assert "320102198806014321" not in facts_text(tuple(facts.items()))


def test_staff_check_a_receipt_address_offline_as_they_checked_its_payload() -> None:
    data = _receipt()
    key = b"k" * 32
    code = normalise(make_code(key, data.serial, data.printed_at, data.card_hash, data.balance))
    url = document_url(BASE, DocumentClaim(RECEIPT, code, 1, receipt_facts(data)))
    claim = parse_payload(url)
    assert (claim.serial, claim.printed_at, claim.balance) == (
        data.serial,
        data.printed_at,
        data.balance,
    )
    assert verify_code(key, claim, data.card_hash)
    assert not verify_code(key, replace(claim, balance=Decimal("1234.57")), data.card_hash)
    certificate = document_url(BASE, DocumentClaim(CERTIFICATE, code, 1, FACTS))
    with pytest.raises(ValueError, match="verification service"):
        parse_payload(certificate)

"""Certificates for the demo people on 80 mm and A4, in zh and en, read back as a person and a
phone would: pdftotext shows every certified fact, the QR decodes at 203 dpi."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest

from kiosk.domain import BaseBand, CertificateData, InsuranceType, MaskingRules
from kiosk.masking import mask_card_number, mask_citizen_id, mask_name
from kiosk.services import AccountService
from printing.certificate import PAPERS, render
from printing.document_claims import (
    CERTIFICATE,
    DocumentClaim,
    certificate_facts,
    claim_from_url,
    document_url,
)
from tests.printing.conftest import ACTIVE_CARDS, NOW, decode_qr, pdf_text, raster

BASE = "https://verify.example.gov.cn/sscard"
CODE = "ABCDEFGHJKLM"


def _certificate(service: AccountService, card: str, language: str = "zh") -> CertificateData:
    return service.certificate_data(
        card, NOW, "kiosk-07-20261124-0001", MaskingRules(), language=language
    )


def _url(data: CertificateData) -> str:
    return document_url(BASE, DocumentClaim(CERTIFICATE, CODE, 3, certificate_facts(data)))


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("card", sorted(ACTIVE_CARDS))
def test_every_certified_fact_is_printed_masked_with_its_words(
    card: str, language: str, paper: str, account_service: AccountService
) -> None:
    data = _certificate(account_service, card, language)
    certificate = render(data, CODE, _url(data), paper)
    flat = re.sub(r"\s+", "", pdf_text(certificate.pdf))
    words = data.words
    assert re.sub(r"\s+", "", words.title) in flat
    assert mask_name(data.person_name) in flat
    assert data.person_name not in flat  # masked by default, as on the receipt
    assert mask_citizen_id(data.citizen_id) in flat
    assert data.citizen_id not in flat
    assert mask_card_number(data.card_number) in flat
    assert re.sub(r"\s+", "", words.types[data.insurance_type]) in flat
    assert data.enrolment_start is not None
    assert f"{data.enrolment_start:%Y-%m}" in flat
    assert re.sub(r"\s+", "", words.statuses[data.status]) in flat
    months = words.months_unit
    assert re.sub(r"\s+", "", months.format(months=data.months_this_year)) in flat
    assert re.sub(r"\s+", "", months.format(months=data.months_total)) in flat
    assert re.sub(r"\s+", "", words.bands[data.base_band]) in flat
    if data.unit_name:
        assert data.unit_name in flat
        assert data.unit_code in flat
    else:
        assert re.sub(r"\s+", "", words.no_unit) in flat
    assert data.kiosk_id in flat
    assert f"{NOW:%Y-%m-%d}" in flat
    assert "ABCD-EFGH-JKLM" in flat
    assert certificate.code == "ABCD-EFGH-JKLM"


@pytest.mark.parametrize("paper", PAPERS)
def test_the_qr_decodes_at_203_dpi_to_the_verification_address(
    paper: str, account_service: AccountService, tmp_path: Path
) -> None:
    data = _certificate(account_service, "B32010002")  # an employee: a unit, a band
    url = _url(data)
    certificate = render(data, CODE, url, paper)
    assert decode_qr(raster(certificate.pdf, tmp_path)) == [url]
    claim = claim_from_url(url)
    assert claim.code == CODE
    assert claim.key_id == 3
    assert claim.facts == certificate_facts(data)
    assert unquote(url).count(data.unit_name) == 1  # the unit travels in the address


def test_the_demo_people_have_sensible_certificates(account_service: AccountService) -> None:
    wang = _certificate(account_service, "B32010002")  # employee, base 12,500 in 南京
    assert wang.insurance_type is InsuranceType.EMPLOYEE
    assert wang.unit_name.startswith("南京")
    assert wang.base_band is BaseBand.MIDDLE
    assert wang.months_this_year == 11  # January to November's, arrived by the 24th
    zhang = _certificate(account_service, "A32010001")  # a retiree: no unit, no band
    assert zhang.insurance_type is InsuranceType.RETIREE
    assert (zhang.unit_name, zhang.base_band, zhang.months_this_year) == ("", BaseBand.NONE, 0)
    assert zhang.months_total > 12 * 20  # a working life before retiring
    resident = _certificate(account_service, "D65010004")
    assert resident.months_this_year == 12  # the year's premium, paid in January
    for card in ACTIVE_CARDS:
        data = _certificate(account_service, card)
        assert data.enrolment_start is not None
        assert data.enrolment_start <= NOW.date()
        assert 0 <= data.months_this_year <= 12 <= data.months_total


def test_unmasked_rules_print_the_name_and_id_in_full(account_service: AccountService) -> None:
    data = replace(
        _certificate(account_service, "C36042603"),
        masking=MaskingRules(mask_name=False, mask_citizen_id=False, card_number_visible_tail=9),
    )
    flat = re.sub(r"\s+", "", pdf_text(render(data, CODE, _url(data)).pdf))
    assert data.person_name in flat
    assert data.citizen_id in flat


def test_a4_is_one_a4_page_and_80_mm_as_long_as_its_content(
    account_service: AccountService,
) -> None:
    data = _certificate(account_service, "B32010002", "en")
    a4 = render(data, CODE, _url(data), "a4")
    assert a4.length_mm == 297.0
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in a4.pdf
    slip = render(data, CODE, _url(data), "80")
    assert 80 < slip.length_mm < 297


def test_an_unknown_paper_is_refused(account_service: AccountService) -> None:
    data = _certificate(account_service, "B32010002")
    with pytest.raises(ValueError, match="paper"):
        render(data, CODE, _url(data), "58")

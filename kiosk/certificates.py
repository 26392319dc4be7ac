"""The insurance certificate (参保证明): its data from the store's facts, and its issue.

`certificate_data` turns what kiosk.store.certificate_reads found into a CertificateData in
the person's language. `issue_certificate` is what both the kiosk's printer and `kiosk
certificate` do: make a fresh verification code, record the digest of every printed fact
in the store, and only then render the certificate whose QR points at the verification
service. A certificate the store could not record is never rendered: a slip nobody can
verify would be worth nothing to the employer or school it is for.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from kiosk.domain import (
    BaseBand,
    CertificateData,
    EnrolmentStatus,
    InsuranceType,
    MaskingRules,
)
from kiosk.masking import mask_name
from kiosk.store.certificate_reads import EnrolmentFacts
from kiosk.store.printed_documents import Printed
from kiosk.store.reads import Holder
from kiosk.words.certificate import certificate_words
from printing.certificate import RenderedCertificate, render
from printing.document_claims import (
    CERTIFICATE,
    DocumentClaim,
    certificate_facts,
    document_url,
    facts_text,
)

__all__ = ["base_band", "certificate_data", "issue_certificate", "new_code"]

# The band edges as shares of the regional average wage (the legal range is 60 %-300 %).
FLOOR, AVERAGE, DOUBLE, CEILING = Decimal("0.6"), Decimal("1"), Decimal("2"), Decimal("3")
_DEFAULT_STATUS = {
    InsuranceType.RETIREE: EnrolmentStatus.RETIRED,
    InsuranceType.EMPLOYEE: EnrolmentStatus.CONTRIBUTING,
    InsuranceType.RESIDENT: EnrolmentStatus.CONTRIBUTING,
}

# record(printed document) -> the key id that signs it; raises when the store refuses.
Recorder = Callable[[Printed], int]


def base_band(base: Decimal | None, average_wage: Decimal | None) -> BaseBand:
    """Where the latest monthly base sits in the 60 %-300 % range of the average wage."""
    if base is None or base <= 0 or not average_wage or average_wage <= 0:
        return BaseBand.NONE
    share = base / average_wage
    if share <= FLOOR:
        return BaseBand.FLOOR
    if share < AVERAGE:
        return BaseBand.LOWER
    if share < DOUBLE:
        return BaseBand.MIDDLE
    if share < CEILING:
        return BaseBand.UPPER
    return BaseBand.CEILING


def certificate_data(
    holder: Holder,
    facts: EnrolmentFacts,
    *,
    card_number: str,
    kiosk_id: str,
    kiosk_location: str,
    printed_at: datetime,
    serial: str,
    masking: MaskingRules,
    language: str,
    card_region: str,
) -> CertificateData:
    kind = InsuranceType(holder.insurance_type)
    status = EnrolmentStatus(facts.status) if facts.status else _DEFAULT_STATUS[kind]
    # Retirees' and residents' bases are not wage-based: their band is "not applicable".
    wage_based = kind is InsuranceType.EMPLOYEE
    return CertificateData(
        kiosk_id=kiosk_id,
        kiosk_location=kiosk_location,
        printed_at=printed_at.replace(microsecond=0),
        serial=serial,
        person_name=holder.name,
        citizen_id=holder.citizen_id,
        card_number=card_number,
        insurance_type=kind,
        enrolment_start=facts.started_on,
        status=status,
        year=printed_at.year,
        months_this_year=facts.months_this_year,
        months_total=facts.months_total,
        base_band=base_band(facts.latest_base, facts.average_wage) if wage_based else BaseBand.NONE,
        latest_base=facts.latest_base if wage_based else None,
        unit_name=facts.unit_name,
        unit_code=facts.unit_code,
        words=certificate_words(language),
        masking=masking,
        language=language,
        card_region_code=card_region,
        card_region_name=facts.region_name,
    )


def new_code() -> str:
    """12 random base32 letters (60 bits): unguessable, so a code alone finds nothing."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:12]


def issue_certificate(
    data: CertificateData, record: Recorder, base_url: str, paper: str = "80"
) -> RenderedCertificate:
    """Record the certificate's digest, then render it (`paper` "80" or "a4")."""
    code = new_code()
    facts = certificate_facts(data)
    printed = Printed(
        code=code,
        kind=CERTIFICATE,
        printed_at=data.printed_at,
        masked_name=mask_name(data.person_name, data.masking),
        facts=facts_text(facts),
    )
    key_id = record(printed)
    url = document_url(base_url, DocumentClaim(CERTIFICATE, code, key_id, facts))
    return render(data, code, url, paper)

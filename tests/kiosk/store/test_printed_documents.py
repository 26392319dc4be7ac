"""Printed documents and the certificate's facts, the same assertions on SQLite and PostgreSQL:
a slip recorded as it prints verifies, a changed fact does not, a rotated key voids nothing,
the gate's refusals stand, and the kiosk's printer records both certificates and receipts."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.domain import BaseBand, EnrolmentStatus, InsuranceType, MaskingRules
from kiosk.printers import ReceiptPrinter
from kiosk.services import AccountService
from kiosk.slip_records import DocumentRecorder
from kiosk.store import printed_documents
from kiosk.store.engine import make_engine
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.store.printed_documents import Printed, Verdict
from printing.dispatch import SpoolPrinter
from printing.document_claims import claim_from_url, facts_text
from printing.paper import PaperCounter
from printing.verification import parse_payload, verify_code
from tests.kiosk.store.conftest import NOW

WANG = "B32010002"
FACTS = "s=S-1\nt=20261124103000\nb=1234.56"


@pytest.fixture
def recorder(demo_url: str, tmp_path: Path) -> Iterator[DocumentRecorder]:
    made = DocumentRecorder(lambda: make_engine(demo_url, 5.0), tmp_path, "test-kiosk",
                            clock=lambda: NOW)  # fmt: skip
    yield made
    made.close()


@pytest.fixture
def citizen(service: AccountService) -> str:
    return service.summary(WANG).citizen_id


def _check(recorder: DocumentRecorder, code: str, key_id: int, facts: str = FACTS) -> Verdict:
    with recorder.engine.connect() as connection:
        return printed_documents.check(connection, recorder.keys, code, key_id, facts)


def _record(recorder: DocumentRecorder, code: str, citizen: str, facts: str = FACTS) -> int:
    printed = Printed(code, "receipt", NOW, "王*", facts)
    return recorder.record(printed, WANG, citizen, open_card=True)


def test_a_recorded_slip_verifies_and_a_changed_fact_does_not(
    recorder: DocumentRecorder, citizen: str, backend: str
) -> None:
    key_id = _record(recorder, "GENUINE2SLIP", citizen)
    verdict = _check(recorder, "GENUINE2SLIP", key_id)
    assert verdict.genuine
    assert (verdict.kind, verdict.printed_at, verdict.masked_name) == ("receipt", NOW, "王*")
    assert verdict.kiosk_id == ("test-kiosk" if backend == "sqlite" else "postgres")
    assert _check(recorder, "GENUINE2SLIP", key_id, FACTS.replace("1234.56", "1234.65")) == (
        Verdict(found=True)
    )
    assert _check(recorder, "GENUINE2SLIP", key_id + 1) == Verdict(found=True)
    assert _check(recorder, "NOSUCHSLIPAA", key_id) == Verdict(found=False)
    assert _check(recorder, "genuine2slip", key_id).genuine  # typed in lower case


def test_a_rotated_key_signs_what_comes_after_and_voids_nothing_before(
    recorder: DocumentRecorder, citizen: str
) -> None:
    old = _record(recorder, "ROTATEOLDAAA", citizen)
    with recorder.engine.begin() as connection:
        new = printed_documents.rotate_key(connection, recorder.keys)
    assert new == old + 1
    assert _record(recorder, "ROTATENEWAAA", citizen) == new
    assert _check(recorder, "ROTATEOLDAAA", old).genuine
    assert _check(recorder, "ROTATENEWAAA", new).genuine
    assert not _check(recorder, "ROTATEOLDAAA", new).genuine


def test_the_gate_refuses_a_wrong_citizen_id_and_a_lost_card_and_writes_nothing(
    recorder: DocumentRecorder, demo_url: str
) -> None:
    with pytest.raises(CardNotActive) as mismatch:
        _record(recorder, "REFUSEDAAAAA", "110101190001011234")
    assert mismatch.value.status is CardRefusal.MISMATCH
    engine = make_engine(demo_url, 5.0)
    with engine.connect() as connection:
        lost = connection.execute(
            text(
                "SELECT c.card_number, p.citizen_id FROM card c JOIN person p"
                " ON p.id = c.person_id WHERE c.status = 'lost' ORDER BY 1 LIMIT 1"
            )
        ).one()
    printed = Printed("REFUSEDBBBBB", "receipt", NOW, "某*", FACTS)
    with pytest.raises(CardNotActive) as refused:
        recorder.record(printed, lost[0], lost[1], open_card=False)
    assert refused.value.status is CardRefusal.LOST
    with engine.connect() as connection:
        written = connection.execute(
            text("SELECT count(*) FROM printed_document WHERE code LIKE 'REFUSED%'")
        ).scalar_one()
    engine.dispose()
    assert written == 0


@pytest.mark.parametrize(
    "printed",
    [
        Printed("short", "receipt", NOW, "王*", FACTS),
        Printed("ABCDEFGHJKLM", "letter", NOW, "王*", FACTS),
        Printed("ABCDEFGHJKLM", "receipt", NOW, "王" * 65, FACTS),
        Printed("ABCDEFGHJKLM", "receipt", NOW, "王*", "x" * 4001),
    ],
)
def test_a_malformed_document_is_refused_before_the_store_is_asked(
    recorder: DocumentRecorder, citizen: str, printed: Printed
) -> None:
    with pytest.raises(ValueError, match="document"):
        recorder.record(printed, WANG, citizen)


def test_the_certificate_facts_come_from_the_enrolment_and_contribution_tables(
    service: AccountService, demo_url: str
) -> None:
    data = service.certificate_data(WANG, NOW, "S-1", MaskingRules(), language="en")
    assert data.insurance_type is InsuranceType.EMPLOYEE
    assert data.status is EnrolmentStatus.CONTRIBUTING
    assert data.base_band is BaseBand.MIDDLE  # 12,500 against 南京's 7,000
    engine = make_engine(demo_url, 5.0)
    with engine.connect() as connection:
        before, start, unit = connection.execute(
            text(
                "SELECT e.months_before_records, e.started_on, u.name FROM enrolment e"
                " JOIN card c ON c.person_id = e.person_id"
                " JOIN employer_unit u ON u.id = e.unit_id WHERE c.card_number = :card"
            ),
            {"card": WANG},
        ).one()
        paid = connection.execute(
            text(
                "SELECT count(*) FROM contribution k JOIN card c ON c.person_id = k.person_id"
                " WHERE c.card_number = :card AND k.employee + k.employer > 0"
            ),
            {"card": WANG},
        ).scalar_one()
    engine.dispose()
    assert data.months_total == before + paid
    assert data.months_this_year == 11  # 2026's January to November, arrived by the 24th
    assert str(data.enrolment_start)[:10] == str(start)[:10]
    assert data.unit_name == unit


def test_the_kiosks_printer_records_certificates_and_receipts_it_prints(
    service: AccountService, recorder: DocumentRecorder, citizen: str, tmp_path: Path
) -> None:
    service.prove(WANG, citizen)
    spool = tmp_path / "spool"
    printer = ReceiptPrinter(
        SpoolPrinter(spool),
        PaperCounter(tmp_path / "paper.json", 50_000),
        b"r" * 32,
        documents=recorder,
        verify_base_url="https://verify.example/sscard",
    )
    _open(recorder)  # as the kiosk's card_status does when the card goes in
    certificate = printer.print_certificate(
        service.certificate_data(WANG, NOW, "S-CERT-1", MaskingRules())
    )
    claim = claim_from_url(certificate.url)
    assert _check(recorder, claim.code, claim.key_id, facts_text(claim.facts)).genuine
    assert _decoded(spool / "S-CERT-1.pdf", tmp_path) == certificate.url

    data = service.receipt_data(WANG, NOW, "S-RCPT-1", MaskingRules(), entries=10)
    printer.print_receipt(data)
    url = _decoded(spool / "S-RCPT-1.pdf", tmp_path)
    receipt = claim_from_url(url)
    assert receipt.kind == "receipt"
    assert _check(recorder, receipt.code, receipt.key_id, facts_text(receipt.facts)).genuine
    assert len(receipt.value("h").split(",")) == len(data.entries)  # every line's figures
    tampered = replace(
        receipt, facts=tuple((k, "9.99" if k == "b" else v) for k, v in receipt.facts)
    )
    assert not _check(recorder, tampered.code, tampered.key_id, facts_text(tampered.facts)).genuine
    # Staff's offline check reads the same QR.
    assert verify_code(b"r" * 32, parse_payload(url), data.card_hash)


def _open(recorder: DocumentRecorder) -> None:
    if recorder.engine.dialect.name == "postgresql":
        from kiosk.store import fleet_api

        with recorder.engine.connect() as connection:
            fleet_api.card_status(connection, WANG)
            connection.commit()


def _decoded(pdf: Path, folder: Path) -> str:
    subprocess.run(
        ["pdftoppm", "-r", "203", "-mono", "-png", "-singlefile", str(pdf), str(folder / "q")],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", str(folder / "q.png")], capture_output=True, check=False
    )
    lines = [line for line in found.stdout.decode().splitlines() if line]
    assert len(lines) == 1
    return lines[0]


def test_the_same_slip_printed_again_keeps_its_row_and_another_cannot_take_its_code(
    recorder: DocumentRecorder, citizen: str, demo_url: str
) -> None:
    first = _record(recorder, "RETRYSLIPAAA", citizen)
    assert _record(recorder, "RETRYSLIPAAA", citizen) == first  # after the paper ran out
    with pytest.raises(ValueError, match="another document"):
        _record(recorder, "RETRYSLIPAAA", citizen, FACTS.replace("1234.56", "1.00"))
    engine = make_engine(demo_url, 5.0)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT count(*) FROM printed_document WHERE code = 'RETRYSLIPAAA'")
        ).scalar_one()
    engine.dispose()
    assert rows == 1
    assert _check(recorder, "RETRYSLIPAAA", first).genuine

"""`kiosk certificate` as an operator runs it: a recorded certificate, or a clear refusal."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.verify.store import DocumentChecker
from printing.document_claims import claim_from_url
from tests.verify.conftest import Installation


def _qr(pdf: Path) -> str:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "203",
            "-mono",
            "-png",
            "-singlefile",
            str(pdf),
            str(pdf.with_suffix("")),
        ],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", str(pdf.with_suffix(".png"))], capture_output=True, check=False
    )
    return found.stdout.decode().strip()


def test_an_a4_certificate_is_written_and_recorded_for_the_verifier(
    installation: Installation, tmp_path: Path
) -> None:
    out = tmp_path / "a4.pdf"
    made = installation.kiosk("certificate", "--card-number", "C36042603", "--out", str(out),
                              "--paper", "a4")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "code" in made.stdout
    claim = claim_from_url(_qr(out))
    checker = DocumentChecker.from_config(installation.config)
    try:
        verdict = checker.check(claim)
    finally:
        checker.close()
    assert verdict.genuine
    assert verdict.kiosk_id == "clinic-kiosk-03"
    assert verdict.masked_name == "李*"


def test_a_card_that_does_not_open_the_accounts_gets_no_certificate(
    installation: Installation, tmp_path: Path
) -> None:
    out = tmp_path / "lost.pdf"
    made = installation.kiosk("certificate", "--card-number", "G31010007", "--out", str(out))
    assert made.returncode == 5
    assert "Traceback" not in made.stderr
    assert not out.exists()


def test_usage_mistakes_are_said_plainly(installation: Installation, tmp_path: Path) -> None:
    assert installation.kiosk("certificate", "--out", str(tmp_path / "x.pdf")).returncode == 2
    a4 = installation.kiosk("certificate", "--card-number", "C36042603", "--paper", "a4", "--print")
    assert a4.returncode == 2
    assert "a4_queue" in a4.stderr

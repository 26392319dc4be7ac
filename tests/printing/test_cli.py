"""`kiosk receipt`, `kiosk receipt verify` and `kiosk printer status|refilled`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.printing.conftest import ZHANG, decode_qr, pdf_text, raster


@pytest.fixture
def config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nid = "kiosk-07"\ndata_dir = "var"\n[logging]\nfile = "{data_dir}/kiosk.log"\n'
        "[printer]\npaper_roll_mm = 10000\n"
    )
    assert main(["--config", str(path), "db", "demo"]) == 0
    capsys.readouterr()
    return path


def _receipt(config: Path, tmp_path: Path, *extra: str) -> tuple[Path, str]:
    out = tmp_path / "slip.pdf"
    args = ["--config", str(config), "receipt", "--card-number", ZHANG, "--out", str(out)]
    assert main([*args, *extra]) == 0
    payloads = decode_qr(raster(out.read_bytes(), tmp_path))
    assert len(payloads) == 1
    return out, payloads[0]


def test_receipt_writes_a_pdf_that_verify_accepts(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, payload = _receipt(config, tmp_path, "--width", "58")
    said = capsys.readouterr().out
    assert "58 mm" in said
    assert "张" not in said
    assert ZHANG not in said
    assert "张*" in pdf_text(out.read_bytes())
    assert main(["--config", str(config), "receipt", "verify", payload]) == 0
    assert "VALID" in capsys.readouterr().out
    # Tampered: a different balance in an otherwise genuine payload.
    parts = payload.split("|")
    parts[3] = f"{float(parts[3]) + 100:.2f}"
    assert main(["--config", str(config), "receipt", "verify", "|".join(parts)]) == 1
    assert "INVALID" in capsys.readouterr().out


def test_verify_against_a_card_without_the_journal(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, payload = _receipt(config, tmp_path)
    (config.parent / "var" / "receipt-journal.jsonl").unlink()
    verify = ["--config", str(config), "receipt", "verify", payload]
    assert main(verify) == 1
    assert "not in this kiosk's receipt journal" in capsys.readouterr().out
    assert main([*verify, "--card-number", ZHANG]) == 0
    assert main([*verify, "--card-number", "B32010002"]) == 1


def test_verify_refuses_what_is_not_a_payload(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "receipt", "verify", "ABCD-EFGH-JKLM"]) == 2
    assert "scan the slip's QR code" in capsys.readouterr().err


def test_receipt_for_a_lost_card_is_refused(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["receipt", "--card-number", "G31010007", "--out", str(tmp_path / "x.pdf")]
    assert main(["--config", str(config), *args]) == 5
    assert not (tmp_path / "x.pdf").exists()
    assert "G31010007" not in capsys.readouterr().err
    assert main(["--config", str(config), "receipt"]) == 2


def test_print_goes_to_the_spool_and_counts_paper(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "receipt", "--card-number", ZHANG, "--print"]) == 0
    spooled = list((config.parent / "var" / "receipts").glob("kiosk-07-*.pdf"))
    assert len(spooled) == 1
    capsys.readouterr()
    assert main(["--config", str(config), "printer", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["ready"] is True
    assert status["printer"] == "spool"
    assert 9_000 < status["paper_left_mm"] < 10_000
    assert main(["--config", str(config), "printer", "refilled"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "printer", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["paper_left_mm"] == 10_000


def test_printer_status_names_the_problem(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(config.read_text() + 'kind = "cups"\ncups_queue = "receipts"\n')
    env_cmd = ["env", f"CUPS_SERVER={tmp_path / 'none.sock'}", ".venv/bin/kiosk"]
    result = subprocess.run(
        [*env_cmd, "--config", str(config), "printer", "status"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
        timeout=30,
    )
    assert result.returncode == 1
    assert "NOT READY" in result.stdout
    assert "offline" in result.stdout
    assert "The printer is not connected" in result.stdout


def test_receipt_out_on_a_full_disk_says_so_in_one_line(config: Path, tmp_path: Path) -> None:
    disk = tmp_path / "full"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], check=True)
    try:
        fill(disk / "filler")
        args = ["--config", str(config), "receipt", "--card-number", ZHANG]
        done = subprocess.run(  # its own process, as an operator runs it
            [sys.executable, "-m", "ui.cli", *args, "--out", str(disk / "slip.pdf")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
    assert done.returncode == 4
    said = done.stderr
    assert said.splitlines()[-1].startswith("kiosk receipt: not written:")
    assert "No space left on device" in said
    assert "Traceback" not in said


def fill(path: Path) -> None:
    """Write zeros to `path` until its disk is full."""
    with path.open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            return  # ENOSPC: the point

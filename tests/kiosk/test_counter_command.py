"""`kiosk counter` as the counter's staff run it (a real subprocess, an embedded store), and
the `[services]` setting the loss report's days come from."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.citizen_requests import CitizenRequests, DeferredCitizenRequests
from kiosk.config import ConfigError, parse_config
from kiosk.services import AccountService
from kiosk.session.ports import ServicePort
from kiosk.store.engine import make_engine
from kiosk.store.errors import CardNotActive, CardRefusal, ServicePasswordRefused
from kiosk.store.seeding import create_store

REPO = Path(__file__).resolve().parents[2]
ZHANG_ID = "320102195203120316"  # 张伟, the first demo person
ZHANG_CARD = "A32010001"


@pytest.fixture
def installation(tmp_path: Path) -> Path:
    (tmp_path / "var").mkdir()
    (tmp_path / "kiosk.toml").write_text(
        '[kiosk]\nid = "counter-test"\ndata_dir = "var"\n\n[services]\nloss_report_days = 3\n'
    )
    create_store(f"sqlite:///{tmp_path / 'var' / 'accounts.sqlite3'}", datetime.now(), persons=3)
    return tmp_path


def counter(folder: Path, *args: str, given: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "--config", str(folder / "kiosk.toml"), "counter", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        input=given,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )


def service(folder: Path) -> AccountService:
    return AccountService(
        make_engine(f"sqlite:///{folder / 'var' / 'accounts.sqlite3'}", 5.0),
        "counter-test",
        outbox_path=folder / "var" / "outbox.sqlite3",
        key_dir=folder / "var",
    )


def test_the_counter_sets_a_password_confirms_and_lists_reports(installation: Path) -> None:
    made = counter(
        installation, "set-service-password", "--citizen-id", ZHANG_ID, "--password-stdin",
        given="864209\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "864209" not in made.stdout + made.stderr
    accounts = service(installation)
    requests = CitizenRequests(accounts, loss_report_days=3)
    with pytest.raises(ServicePasswordRefused):
        requests.report_lost(ZHANG_ID, bytearray(b"135790"))  # the demo's is replaced
    report = requests.report_lost(ZHANG_ID, bytearray(b"864209"))
    listed = counter(installation, "loss-reports")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.split()[:2] == [str(report.report_no), "in_force"]
    assert "张*" in line
    assert "3201**********0316" in line
    assert ZHANG_ID not in listed.stdout
    assert ZHANG_CARD not in listed.stdout
    confirmed = counter(installation, "confirm-loss", "--report", str(report.report_no))
    assert confirmed.returncode == 0, confirmed.stderr
    with pytest.raises(CardNotActive) as refused:
        accounts.card_status(ZHANG_CARD)
    assert refused.value.status is CardRefusal.LOST
    again = counter(installation, "confirm-loss", "--report", str(report.report_no))
    assert again.returncode == 2
    assert "confirmed already" in again.stderr
    accounts.close()


def test_the_counter_refuses_bad_input_and_changes_nothing(installation: Path) -> None:
    with make_engine(f"sqlite:///{installation / 'var' / 'accounts.sqlite3'}").connect() as c:
        before = c.execute(text("SELECT stored_key FROM service_password ORDER BY 1")).all()
    for args, given, says in (
        (("--citizen-id", ZHANG_ID, "--password-stdin"), "12a456\n", "6 digits"),
        (("--citizen-id", "110101199003074514", "--password-stdin"), "123456\n", "no person"),
    ):
        refused = counter(installation, "set-service-password", *args, given=given)
        assert refused.returncode == 2
        assert says in refused.stderr
        assert given.strip() not in refused.stderr
    unknown = counter(installation, "confirm-loss", "--report", "999")
    assert unknown.returncode == 2
    assert "no loss report 999" in unknown.stderr
    with make_engine(f"sqlite:///{installation / 'var' / 'accounts.sqlite3'}").connect() as c:
        assert c.execute(text("SELECT stored_key FROM service_password ORDER BY 1")).all() == before


def test_loss_report_days_come_from_the_services_section(installation: Path) -> None:
    config = parse_config((installation / "kiosk.toml").read_text())
    assert config.services.loss_report_days == 3
    assert parse_config("").services.loss_report_days == 7
    for wrong in ("0", "31", '"seven"'):
        with pytest.raises(ConfigError) as problems:
            parse_config(f"[services]\nloss_report_days = {wrong}\n")
        assert "services.loss_report_days" in str(problems.value)


def test_the_deferred_requests_serve_the_session_port_and_zero_the_password(
    installation: Path,
) -> None:
    accounts = service(installation)
    port: ServicePort = DeferredCitizenRequests(lambda: accounts, 3)
    typed = bytearray(b"135790")
    report = port.report_lost(ZHANG_ID, typed)
    assert typed == bytearray(6)
    assert report.expires_at - report.reported_at == timedelta(days=3)
    assert report.citizen_id == ZHANG_ID
    broken: ServicePort = DeferredCitizenRequests(lambda: 1 / 0, 3)  # type: ignore[arg-type,return-value]
    typed = bytearray(b"135790")
    with pytest.raises(ZeroDivisionError):
        broken.report_lost(ZHANG_ID, typed)
    assert typed == bytearray(6)
    accounts.close()

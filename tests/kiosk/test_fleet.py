"""`kiosk fleet status`: heartbeats written by kiosks, read back with the ones that need
someone first, and an exit code a monitoring job can alert on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.fleet import (
    DEFAULT_STALE_AFTER,
    Health,
    Heartbeat,
    classify,
    fleet_report,
    read_heartbeats,
)
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.migrate import upgrade

NOW = datetime(2026, 11, 24, 10, 30)


def beat(
    kiosk: str,
    age_s: float,
    reader: str = "ok (1)",
    printer: str = "ready",
    *,
    paper: int | None = 40_000,
    error: str = "",
) -> Heartbeat:
    return Heartbeat(kiosk, NOW - timedelta(seconds=age_s), reader, printer, paper, error, "0.1.0")


def test_a_fresh_kiosk_with_reader_printer_and_paper_is_ok() -> None:
    status = classify(beat("k1", 30), NOW, DEFAULT_STALE_AFTER)
    assert status.health is Health.OK
    assert status.reasons == ()
    assert not status.needs_attention


def test_a_silent_kiosk_is_stale_and_says_for_how_long() -> None:
    status = classify(beat("k1", 3600), NOW, timedelta(minutes=3))
    assert status.health is Health.STALE
    assert status.reasons == ("no heartbeat for 60 min",)


@pytest.mark.parametrize(
    ("reader", "printer", "paper", "reason"),
    [
        ("no reader", "ready", 40_000, "reader: no reader"),
        ("ok (1)", "media_empty", 0, "printer: media_empty"),
        ("ok (1)", "ready", 2_500, "paper low: 2.5 m left"),
    ],
)
def test_reader_printer_or_paper_problems_make_a_kiosk_unhealthy(
    reader: str, printer: str, paper: int, reason: str
) -> None:
    status = classify(beat("k1", 10, reader, printer, paper=paper), NOW, DEFAULT_STALE_AFTER)
    assert status.health is Health.UNHEALTHY
    assert reason in status.reasons


def test_the_report_lists_stale_then_unhealthy_then_ok_by_kiosk_id() -> None:
    beats = [
        beat("a-ok", 5),
        beat("b-stale", 900),
        beat("c-jam", 5, printer="media_jam"),
        beat("a-stale", 400),
        beat("d-ok", 50),
        beat("b-noreader", 5, reader="no reader"),
    ]
    order = [s.heartbeat.kiosk_id for s in fleet_report(beats, NOW, timedelta(minutes=5))]
    assert order == ["a-stale", "b-stale", "b-noreader", "c-jam", "a-ok", "d-ok"]


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    engine = make_engine(url, create=True)
    upgrade(engine)
    engine.dispose()
    return url


def _heartbeat(url: str, kiosk: str, at: datetime, tmp_path: Path, **states: object) -> None:
    service = AccountService(
        make_engine(url), kiosk, lambda: at, outbox_path=tmp_path / f"{kiosk}.outbox"
    )
    service.record_heartbeat(
        str(states.get("reader", "ok (1)")),
        str(states.get("printer", "ready")),
        40_000,
        last_error=str(states.get("error", "")),
        version="0.1.0",
    )
    service.close()


def test_heartbeats_are_upserted_and_carry_the_last_error_and_version(tmp_path: Path) -> None:
    url = _store(tmp_path)
    _heartbeat(url, "k1", NOW - timedelta(minutes=2), tmp_path, printer="media_jam")
    _heartbeat(url, "k1", NOW, tmp_path, error="printer: paper jam\nTraceback ...")
    _heartbeat(url, "k2", NOW, tmp_path)
    engine = make_engine(url)
    beats = read_heartbeats(engine)
    engine.dispose()
    assert [b.kiosk_id for b in beats] == ["k1", "k2"]
    assert beats[0].last_seen == NOW
    assert beats[0].printer_state == "ready"
    assert beats[0].last_error == "printer: paper jam"  # first line only
    assert beats[0].version == "0.1.0"


def test_the_last_error_never_carries_personal_data(tmp_path: Path) -> None:
    url = _store(tmp_path)
    _heartbeat(url, "k1", NOW, tmp_path, error="card A32010001 id 320102198001011234 refused")
    engine = make_engine(url)
    (stored,) = read_heartbeats(engine)
    engine.dispose()
    assert "A32010001" not in stored.last_error
    assert "320102198001011234" not in stored.last_error
    assert "refused" in stored.last_error


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "var"\n[store]\nurl = "{url}"\n'
        '[logging]\nfile = "{data_dir}/kiosk.log"\n',
        encoding="utf-8",
    )
    return path


def test_fleet_status_prints_a_table_and_fails_while_a_kiosk_needs_someone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _store(tmp_path)
    now = datetime.now()
    _heartbeat(url, "clinic-0001", now, tmp_path)
    _heartbeat(url, "clinic-0002", now - timedelta(hours=3), tmp_path)
    _heartbeat(url, "clinic-0003", now, tmp_path, printer="media_empty", error="paper out")
    config = str(_config(tmp_path, url))
    assert main(["--config", config, "fleet", "status"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["KIOSK", "HEALTH", "LAST"]
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["clinic-0002", "STALE"],
        ["clinic-0003", "UNHEALTHY"],
        ["clinic-0001", "OK"],
    ]
    assert "no heartbeat for 3 h" in lines[1]
    assert "printer: media_empty; last error: paper out" in lines[2]
    assert lines[-1] == "3 kiosk(s): 1 stale, 1 unhealthy, 1 ok"


def test_fleet_status_json_and_exit_zero_when_all_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _store(tmp_path)
    _heartbeat(url, "clinic-0001", datetime.now() - timedelta(seconds=100), tmp_path)
    config = str(_config(tmp_path, url))
    assert main(["--config", config, "fleet", "status", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["kiosk_id"] == "clinic-0001"
    assert entry["health"] == "ok"
    assert entry["version"] == "0.1.0"
    assert 99 <= entry["age_seconds"] <= 110
    # The same kiosk is stale for an impatient operator.
    args = ["--config", config, "fleet", "status", "--json", "--stale-after", "60"]
    assert main(args) == 1
    assert json.loads(capsys.readouterr().out)[0]["health"] == "stale"


def test_fleet_status_on_an_unreachable_store_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'absent' / 'store.sqlite3'}"
    assert main(["--config", str(_config(tmp_path, url)), "fleet", "status"]) == 4
    assert "cannot read the store" in capsys.readouterr().err


def test_an_empty_fleet_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(_config(tmp_path, _store(tmp_path)))
    assert main(["--config", config, "fleet", "status"]) == 0
    assert "No kiosk has sent a heartbeat" in capsys.readouterr().out

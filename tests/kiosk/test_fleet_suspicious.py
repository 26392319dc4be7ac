"""`kiosk fleet status` shows the kiosks the fleet store flags as suspicious (issue 16).

A real throwaway PostgreSQL with the kiosk_api functions: a kiosk role whose ceiling the
admin set low asks about more distinct cards than it may, the server refuses and audits it,
and `kiosk fleet status` (run with the admin's URL, as an operator would) lists it first,
SUSPICIOUS, with the refusals and the last one, in the table and in the JSON, and exits 1.
A thief using a stolen credential from elsewhere sends no heartbeat: it is listed too."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from kiosk.cli import main
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.migrate import upgrade
from kiosk.store.roles import grant_kiosk_role

pytestmark = pytest.mark.integration
PUSHED = "clinic_kiosk_sus_0001"  # a kiosk past its ceiling, still sending heartbeats
THIEF = "clinic_kiosk_sus_0002"  # its credential used from elsewhere: no heartbeat at all
HONEST = "clinic_kiosk_sus_0003"
SILENT = "clinic_kiosk_sus_0004"  # an honest kiosk that went quiet (stale)
CEILING = 2
PAST = 3  # refusals each suspicious kiosk collects


@pytest.fixture(scope="module")
def store(postgres_database: Callable[[str], str]) -> Iterator[tuple[str, Engine]]:
    """A fleet store at head (kiosk_api included), empty: the numbers asked are unknown,
    and each still counts against the ceiling, as a thief's guesses would."""
    url = postgres_database("fleet_suspicious")
    engine = make_engine(url, 10.0, create=True)
    upgrade(engine)
    yield url, engine
    engine.dispose()


def _kiosk(url: str, role: str, folder: Path) -> AccountService:
    kiosk_url = url.replace("postgres@", f"{role}@", 1)
    return AccountService(
        make_engine(kiosk_url, 5.0),
        role,
        timeout_seconds=5.0,
        outbox_path=folder / f"{role}.outbox.sqlite3",
    )


def _push_past_the_ceiling(url: str, role: str, prefix: str) -> None:
    """As the kiosk role, straight through the functions (each call its own transaction, as
    a client of its own would): CEILING unknown numbers answered, then PAST more refused."""
    kiosk_url = url.replace("postgresql+psycopg://postgres@", f"postgresql://{role}@", 1)
    with psycopg.connect(kiosk_url, autocommit=True) as kiosk:
        answers = [
            kiosk.execute("SELECT kiosk_api.card_status(%s)", (f"{prefix}{n:07d}",)).fetchone()
            for n in range(CEILING + PAST)
        ]
    assert answers == [("unknown",)] * CEILING + [("ceiling",)] * PAST


@pytest.fixture(scope="module")
def fleet(store: tuple[str, Engine], tmp_path_factory: pytest.TempPathFactory) -> str:
    url, admin = store
    folder = tmp_path_factory.mktemp("kiosks")
    for role in (PUSHED, THIEF, HONEST, SILENT):
        grant_kiosk_role(admin, role)
    with admin.begin() as connection:  # the admin sets the two ceilings low
        for role in (PUSHED, THIEF):
            connection.execute(
                text(
                    "INSERT INTO kiosk_api.kiosk_limit VALUES (:role, :n) ON CONFLICT"
                    " (kiosk_role) DO UPDATE SET cards_per_hour = excluded.cards_per_hour"
                ),
                {"role": role, "n": CEILING},
            )
    for role in (PUSHED, HONEST, SILENT):
        accounts = _kiosk(url, role, folder)
        accounts.record_heartbeat("ok (1)", "ready", 40_000, version="0.1.0")
        accounts.close()
    with admin.begin() as connection:  # SILENT's last heartbeat was three hours ago
        connection.execute(
            text(
                "UPDATE kiosk_heartbeat SET last_seen = last_seen - interval '3 hours'"
                " WHERE kiosk_id = :k"
            ),
            {"k": SILENT},
        )
    for role, prefix in ((PUSHED, "Z9"), (THIEF, "Y9")):
        _push_past_the_ceiling(url, role, prefix)
    config = folder / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "var"\n[store]\nurl = "{url}"\n'
        '[logging]\nfile = "{data_dir}/kiosk.log"\n',
        encoding="utf-8",
    )
    return str(config)


def test_the_store_flags_the_kiosks_past_their_ceiling(
    store: tuple[str, Engine], fleet: str
) -> None:
    del fleet
    _url, admin = store
    with admin.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT kiosk_id, refusals FROM kiosk_api.suspicious_kiosks()"
                " WHERE kiosk_id LIKE 'clinic_kiosk_sus_%' ORDER BY kiosk_id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [(PUSHED, PAST), (THIEF, PAST)]


def test_fleet_status_lists_suspicious_kiosks_first_and_fails(
    fleet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now()
    assert main(["--config", fleet, "fleet", "status"]) == 1
    lines = capsys.readouterr().out.splitlines()
    ours = lines[1:-2]  # under the header, above the blank line and the summary
    assert [line.split()[:2] for line in ours] == [
        [PUSHED, "SUSPICIOUS"],
        [THIEF, "SUSPICIOUS"],
        [SILENT, "STALE"],
        [HONEST, "OK"],
    ]
    pushed, thief = ours[0], ours[1]
    assert f"suspicious: {PAST} refused calls in the last 60 min, the last at " in pushed
    assert "ok (1)" in pushed  # its heartbeat is still shown
    last = pushed.split("the last at ", 1)[1][:19]
    assert abs(datetime.strptime(last, "%Y-%m-%d %H:%M:%S") - before) < timedelta(minutes=5)
    assert " never " in thief
    assert "never sent a heartbeat" in thief
    assert "no heartbeat for 3 h" in ours[2]
    assert lines[-1] == "4 kiosk(s): 2 suspicious, 1 stale, 0 unhealthy, 1 ok"


def test_fleet_status_json_carries_the_suspicion(
    fleet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", fleet, "fleet", "status", "--json"]) == 1
    entries = {e["kiosk_id"]: e for e in json.loads(capsys.readouterr().out)}
    pushed, thief, honest = entries[PUSHED], entries[THIEF], entries[HONEST]
    assert pushed["health"] == thief["health"] == "suspicious"
    assert pushed["suspicion"]["refusals"] == thief["suspicion"]["refusals"] == PAST
    assert datetime.fromisoformat(pushed["suspicion"]["last_refusal"]) <= datetime.now()
    assert pushed["reasons"][0].startswith(f"suspicious: {PAST} refused calls")
    assert pushed["reader_state"] == "ok (1)"
    assert pushed["version"] == "0.1.0"
    assert thief["last_seen"] is None
    assert thief["age_seconds"] is None
    assert honest["health"] == "ok"
    assert "suspicion" not in honest


def test_a_postgres_store_without_kiosk_api_shows_heartbeats_only(
    postgres_database: Callable[[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_database("fleet_before_kiosk_api")
    engine = make_engine(url, 10.0, create=True)
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO kiosk_heartbeat (kiosk_id, last_seen, reader_state, printer_state,"
                " paper_left_mm, last_error, version, alerts)"
                " VALUES ('clinic-0001', :now, 'ok (1)', 'ready', 40000, '', '0.1.0', '')"
            ),
            {"now": datetime.now().replace(microsecond=0)},
        )
    engine.dispose()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "var"\n[store]\nurl = "{url}"\n'
        '[logging]\nfile = "{data_dir}/kiosk.log"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "fleet", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["clinic-0001", "OK"]
    assert lines[-1] == "1 kiosk(s): 0 stale, 0 unhealthy, 1 ok"

"""The kiosks' PostgreSQL role reads accounts, writes audit rows and heartbeats, and
nothing else: a stolen kiosk password cannot change a balance or erase the audit trail."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import ProgrammingError

from kiosk.cli import main
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.roles import RoleNameError, checked_role_name, grant_kiosk_role
from kiosk.store.seeding import create_store
from tests.kiosk.store.conftest import NOW

pytestmark = pytest.mark.integration
ROLE = "kiosk_role_test"
CARD = "A32010001"


@pytest.fixture(scope="module")
def owner_url(postgres_database: Callable[[str], str]) -> str:
    url = postgres_database("roles")
    create_store(url, NOW)
    engine = make_engine(url)
    grant_kiosk_role(engine, ROLE, password="not-used-with-trust-auth")
    engine.dispose()
    return url


@pytest.fixture
def kiosk_engine(owner_url: str) -> Iterator[Engine]:
    engine = make_engine(owner_url.replace("postgres@", f"{ROLE}@"))
    yield engine
    engine.dispose()


@pytest.fixture
def owner(owner_url: str) -> Iterator[Engine]:
    engine = make_engine(owner_url)
    yield engine
    engine.dispose()


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(TABLES[table])).scalar())


def test_the_kiosk_role_reads_accounts_and_writes_audit_rows_and_heartbeats(
    kiosk_engine: Engine, owner: Engine, tmp_path: Path
) -> None:
    audit_before = _count(owner, "audit_event")
    service = AccountService(kiosk_engine, "k-role", lambda: NOW, outbox_path=tmp_path / "o")
    summary = service.summary(CARD)
    assert summary.person_name == "张伟"
    assert service.history(CARD).entries
    service.record_query("print", "ok", CARD)
    service.record_heartbeat("ok (1)", "ready", 30_000, last_error="", version="0.1.0")
    service.record_heartbeat("ok (1)", "media-empty", 0, last_error="paper out", version="0.1.0")
    assert service.outbox_pending == 0  # every audit row reached the store
    assert _count(owner, "audit_event") == audit_before + 3
    with owner.connect() as connection:
        row = connection.execute(
            text("SELECT printer_state, last_error FROM kiosk_heartbeat WHERE kiosk_id='k-role'")
        ).one()
    assert tuple(row) == ("media-empty", "paper out")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE account SET balance = balance + 1000 WHERE person_id = 1",
        "INSERT INTO ledger_entry (person_id, entry_no, posted_at, kind, amount, balance_after,"
        " pooled_amount, quota_used) VALUES (1, 999999, now(), 'refund', 1000, 1000, 0, 0)",
        "DELETE FROM audit_event",
        "UPDATE audit_event SET outcome = 'ok'",
        "SELECT kiosk_id, card_hash FROM audit_event",
        "DELETE FROM kiosk_heartbeat",
        "UPDATE card SET status = 'active'",
        "CREATE TABLE kiosk_stash (x text)",
        "TRUNCATE audit_event",
    ],
)
def test_the_kiosk_role_may_not(kiosk_engine: Engine, statement: str) -> None:
    with pytest.raises(ProgrammingError) as refused, kiosk_engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)


def test_granting_again_takes_away_rights_added_by_hand(
    owner: Engine, kiosk_engine: Engine
) -> None:
    with owner.begin() as connection:
        connection.exec_driver_sql(f"GRANT UPDATE ON account TO {ROLE}")
    grant_kiosk_role(owner, ROLE)
    with pytest.raises(ProgrammingError), kiosk_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE account SET frozen = false")


@pytest.fixture
def kiosk_log_handlers_removed() -> Iterator[None]:
    """`kiosk db` sets up the kiosk's logging; take it down again for the next tests."""
    hooks = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = hooks
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()


@pytest.mark.usefixtures("kiosk_log_handlers_removed")
def test_the_command_grants_a_role_and_prints_no_password(
    owner_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "var"\n[store]\nurl = "{owner_url}"\n'
        '[logging]\nfile = "{data_dir}/kiosk.log"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NEW_KIOSK_PASSWORD", "s3cret-kiosk-pass")
    args = ["--config", str(config), "db", "grant-kiosk-role", "kiosk_cli_test"]
    assert main([*args, "--password-env", "NEW_KIOSK_PASSWORD"]) == 0
    out = capsys.readouterr().out
    assert "GRANT SELECT ON region" in out
    assert "s3cret-kiosk-pass" not in out
    with psycopg.connect(owner_url.replace("postgresql+psycopg", "postgresql")) as connection:
        rights = connection.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'kiosk_cli_test' AND table_name = 'account'"
        ).fetchall()
    assert rights == [("SELECT",)]


def test_role_names_that_are_not_plain_identifiers_are_refused() -> None:
    for bad in ("kiosk; DROP TABLE account", "Kiosk", "postgres", "pg_monitor", ""):
        with pytest.raises(RoleNameError):
            checked_role_name(bad)
    assert main(["db", "grant-kiosk-role", "x y", "--print-sql"]) == 2

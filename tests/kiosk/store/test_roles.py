"""A kiosk's PostgreSQL role has no table rights at all: it EXECUTEs the kiosk_api functions
(migration 0004), which read one person, write the audit row and the heartbeat themselves.
A stolen kiosk password cannot read a table, change a balance or erase the audit trail.
(tests/kiosk/store_api proves what the functions answer.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import ProgrammingError

from kiosk.cli import main
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.roles import (
    KioskRoleError,
    RoleNameError,
    checked_role_name,
    grant_kiosk_role,
    grant_statements,
)
from kiosk.store.seeding import create_store
from tests.kiosk.store.conftest import NOW

pytestmark = pytest.mark.integration
ROLE = "kiosk_role_test"
CARD, CITIZEN = "A32010001", "320102195203120316"


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


def test_the_kiosk_role_calls_the_functions_which_write_audit_rows_and_heartbeats(
    kiosk_engine: Engine, owner: Engine
) -> None:
    audit_before = _count(owner, "audit_event")
    with kiosk_engine.connect() as connection:
        call = connection.execute
        assert call(text("SELECT kiosk_api.card_status(:c)"), {"c": CARD}).scalar() == "active"
        connection.commit()  # the opening must be committed before a screen is served
        overview = call(
            text("SELECT kiosk_api.overview(:c, :cid, 2026, '320100')"),
            {"c": CARD, "cid": CITIZEN},
        ).scalar_one()
        assert overview["resolve"][0]["name"] == "张伟"
        recorded = call(
            text("SELECT kiosk_api.record('print', 'ok', :c, now()::timestamp, 'k-role-print')"),
            {"c": CARD},
        )
        assert recorded.scalar() is True
        for printer, error in (("ready", ""), ("media-empty", "paper out")):
            call(
                text("SELECT kiosk_api.heartbeat('ok (1)', :p, 0, :e, '0.1.0', '')"),
                {"p": printer, "e": error},
            )
        connection.commit()
    assert _count(owner, "audit_event") == audit_before + 3
    with owner.connect() as connection:
        row = connection.execute(
            text("SELECT printer_state, last_error FROM kiosk_heartbeat WHERE kiosk_id = :k"),
            {"k": ROLE},
        ).one()
    assert tuple(row) == ("media-empty", "paper out")


@pytest.mark.parametrize(
    "statement",
    [
        *(f"SELECT * FROM {table} LIMIT 1" for table in TABLES),
        "SELECT * FROM alembic_version",
        "COPY (SELECT * FROM person) TO STDOUT",
        "SELECT key FROM kiosk_api.pseudonym_key",
        "SELECT kiosk_api.card_ref('A32010001')",
        "INSERT INTO kiosk_api.kiosk_limit VALUES ('kiosk_role_test', 100000)",
        "INSERT INTO audit_event (id, at, kiosk_id, action, outcome, event_key)"
        " VALUES (-1, now(), 'kiosk_role_test', 'overview', 'ok', 'forged')",
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
        for grant in (
            f"GRANT UPDATE ON account TO {ROLE}",
            f"GRANT SELECT ON person TO {ROLE}",
            f"GRANT sscard_api TO {ROLE}",  # which would hand it the pseudonym key
            f"GRANT pg_read_all_data TO {ROLE}",  # which would read every table
            f"GRANT SELECT ON kiosk_api.pseudonym_key TO {ROLE}",
        ):
            connection.exec_driver_sql(grant)
    grant_kiosk_role(owner, ROLE)
    for statement in (
        "UPDATE account SET frozen = false",
        "SELECT name FROM person",
        "SELECT key FROM kiosk_api.pseudonym_key",
    ):
        with pytest.raises(ProgrammingError), kiosk_engine.begin() as connection:
            connection.exec_driver_sql(statement)
    with owner.connect() as connection:
        groups = connection.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                " WHERE m.member = to_regrole(:r)"
            ),
            {"r": ROLE},
        ).scalars()
        assert list(groups) == ["sscard_kiosk"]


def test_a_superuser_is_never_made_a_kiosk(owner: Engine) -> None:
    with owner.begin() as connection:
        connection.exec_driver_sql("CREATE ROLE kiosk_too_mighty SUPERUSER LOGIN")
    try:
        with pytest.raises(KioskRoleError, match="superuser"):
            grant_kiosk_role(owner, "kiosk_too_mighty")
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql("DROP ROLE kiosk_too_mighty")


def _scram_matches(verifier: str, password: str) -> bool:
    """Recompute a SCRAM-SHA-256 verifier's StoredKey from the password (RFC 5802/7677)."""
    mechanism, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = base64.b64encode(hashlib.sha256(client_key).digest()).decode()
    return mechanism == "SCRAM-SHA-256" and hmac.compare_digest(stored, stored_key)


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
    sent: list[str] = []

    def capture(*arguments: Any) -> None:
        _connection, _cursor, statement, parameters, _context, _many = arguments
        sent.append(f"{statement} {parameters!r}")

    # Every statement any engine sends, with its parameters: the password is in none.
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        assert main([*args, "--password-env", "NEW_KIOSK_PASSWORD"]) == 0
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    out = capsys.readouterr().out
    assert "GRANT sscard_kiosk TO kiosk_cli_test" in out
    assert "GRANT SELECT" not in out
    assert "s3cret-kiosk-pass" not in out
    assert any("PASSWORD 'SCRAM-SHA-256$" in s for s in sent)
    assert not [s for s in sent if "s3cret-kiosk-pass" in s]
    with psycopg.connect(owner_url.replace("postgresql+psycopg", "postgresql")) as connection:
        rights = connection.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'kiosk_cli_test'"
        ).fetchall()
        stored = connection.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'kiosk_cli_test'"
        ).fetchone()
        groups = connection.execute(
            "SELECT pg_has_role('kiosk_cli_test', 'sscard_kiosk', 'USAGE'),"
            " pg_has_role('kiosk_cli_test', 'sscard_api', 'USAGE')"
        ).fetchone()
    assert rights == []
    assert groups == (True, False)
    assert stored is not None
    assert _scram_matches(stored[0], "s3cret-kiosk-pass")


def test_role_names_that_are_not_plain_identifiers_are_refused() -> None:
    bad_names = ("kiosk; DROP TABLE account", "Kiosk", "postgres", "pg_monitor", "")
    for bad in (*bad_names, "sscard_api", "sscard_kiosk"):
        with pytest.raises(RoleNameError):
            checked_role_name(bad)
    assert main(["db", "grant-kiosk-role", "x y", "--print-sql"]) == 2


def test_the_printed_sql_grants_no_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "grant-kiosk-role", "kiosk_0042", "--print-sql"]) == 0
    out = capsys.readouterr().out
    assert "GRANT sscard_kiosk TO kiosk_0042;" in out
    assert "GRANT SELECT" not in out
    assert "GRANT INSERT" not in out
    assert all(not s.startswith("GRANT") or "sscard_kiosk" in s for s in grant_statements("k"))

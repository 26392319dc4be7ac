"""What a thief with a kiosk credential can do with the loss report's kiosk_api functions
(migration 0007): ask about at most the kiosk's ceiling of IDs an hour, learn no verdict
whose try was not committed, and never see the password travel."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import Engine, text

from kiosk.domain import FilingType
from kiosk.store import filing_requests, loss_reports
from kiosk.store import service_password as passwords
from kiosk.store.engine import make_engine
from kiosk.store.fleet_api import SCREENS
from kiosk.store.migrate import alembic_config, upgrade
from realparts.postgres import PostgresCluster
from tests.kiosk.store_api.conftest import KioskFactory

pytestmark = pytest.mark.integration
IDS = [f"1101011990030{n:04d}" + "1" for n in range(10)]


def challenge(kiosk: psycopg.Connection[Any], citizen_id: str) -> dict[str, Any]:
    row = kiosk.execute("SELECT kiosk_api.loss_report_challenge(%s)::text", (citizen_id,))
    return dict(json.loads(row.fetchone()[0]))  # type: ignore[index]


def some_proof(found: dict[str, Any], password: bytes = b"123456") -> str:
    made = passwords.Challenge(
        bytes.fromhex(found["nonce"]), bytes.fromhex(found["salt"]), found["n"], found["r"],
        found["p"],
    )  # fmt: skip
    return passwords.proof(password, made).hex()


def test_an_insider_hammering_reports_hits_the_kiosks_ceiling(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("lr_hammer")
    admin.execute(
        "INSERT INTO kiosk_api.kiosk_limit VALUES ('lr_hammer', 3)"
        " ON CONFLICT (kiosk_role) DO UPDATE SET cards_per_hour = 3"
    )
    answers = [challenge(kiosk, citizen_id) for citizen_id in IDS[:5]]
    assert ["nonce" in a for a in answers] == [True, True, True, False, False]
    assert answers[3] == {"refused": "ceiling"}
    assert "nonce" in challenge(kiosk, IDS[0])  # an ID of the hour is asked again freely
    refusals = admin.execute(
        "SELECT count(*) FROM audit_event WHERE kiosk_id = 'lr_hammer'"
        " AND outcome = 'refused_ceiling'"
    ).fetchone()
    assert refusals == (2,)
    suspicious = admin.execute("SELECT kiosk_id FROM kiosk_api.suspicious_kiosks()").fetchall()
    assert ("lr_hammer",) in suspicious


def test_no_verdict_is_told_in_the_transaction_that_counts_its_try(
    kiosk_as: KioskFactory,
) -> None:
    kiosk = kiosk_as("lr_rollback")
    found = challenge(kiosk, IDS[6])
    kiosk.autocommit = False
    try:
        # The answer says nothing but 'answered', and nothing else may follow it.
        answer = kiosk.execute(
            "SELECT kiosk_api.loss_report_answer(%s, %s)", (found["nonce"], some_proof(found))
        ).fetchone()
        assert answer == ("answered",)
        with pytest.raises(psycopg.errors.InvalidTransactionState):
            kiosk.execute("SELECT kiosk_api.loss_report_outcome(%s, 7)::text", (found["nonce"],))
        kiosk.rollback()
        # A call after anything else that wrote in the transaction is refused as well.
        kiosk.execute("SELECT kiosk_api.card_status('X0000000')")
        with pytest.raises(psycopg.errors.InvalidTransactionState):
            kiosk.execute("SELECT kiosk_api.loss_report_challenge(%s)", (IDS[6],))
        kiosk.rollback()
    finally:
        kiosk.autocommit = True
    # Rolled back, the answer never was: its outcome tells nothing.
    outcome = kiosk.execute(
        "SELECT kiosk_api.loss_report_outcome(%s, 7)::text", (found["nonce"],)
    ).fetchone()
    assert outcome is not None
    assert json.loads(outcome[0]) == {"refused": "expired"}


def test_a_spent_nonce_takes_no_second_proof(kiosk_as: KioskFactory) -> None:
    kiosk = kiosk_as("lr_replay")
    found = challenge(kiosk, IDS[7])
    sent = (found["nonce"], some_proof(found))
    assert kiosk.execute("SELECT kiosk_api.loss_report_answer(%s, %s)", sent).fetchone() == (
        "answered",
    )
    assert kiosk.execute("SELECT kiosk_api.loss_report_answer(%s, %s)", sent).fetchone() == (
        "expired",
    )
    other = kiosk_as("lr_replay_elsewhere")
    assert other.execute("SELECT kiosk_api.loss_report_answer(%s, %s)", sent).fetchone() == (
        "expired",
    )


def test_an_unenrolled_id_gets_a_stable_salt_like_an_enrolled_one(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("lr_salt")
    first, second = challenge(kiosk, IDS[8]), challenge(kiosk, IDS[8])
    assert first["salt"] == second["salt"]
    assert first["nonce"] != second["nonce"]
    assert (first["n"], first["r"], first["p"]) == (2**15, 8, 1)
    assert len(bytes.fromhex(first["salt"])) == 16
    enrolled = admin.execute(
        "SELECT p.citizen_id FROM service_password s JOIN person p ON p.id = s.person_id"
        " ORDER BY p.id LIMIT 1"
    ).fetchone()
    assert enrolled is not None
    real = challenge(kiosk, enrolled[0])
    assert set(real) == set(first)


def test_the_password_never_reaches_a_server_log_line(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any], api_cluster: PostgresCluster
) -> None:
    # log_statement = 'all' for this kiosk role: every statement and its parameters are
    # logged. The kiosk sends the ID, a nonce and a proof; the password is in none of them.
    kiosk_as("lr_log").close()
    admin.execute("ALTER ROLE lr_log SET log_statement = 'all'")
    kiosk = kiosk_as("lr_log")
    found = challenge(kiosk, IDS[9])
    sent = some_proof(found, b"975310")
    kiosk.execute("SELECT kiosk_api.loss_report_answer(%s, %s)", (found["nonce"], sent))
    logged = api_cluster.log.read_text("utf-8", errors="replace")
    assert sent in logged  # the parameters were logged ...
    assert "975310" not in logged  # ... and the password is not among them


# -- the migration -------------------------------------------------------------------------------

MIGRATION = (
    Path(__file__).parents[3]
    / "kiosk/store/migrations/versions/0007_loss_reports_and_filing_requests.py"
)


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("loss_report_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_frozen_constants_agree_with_the_kiosk() -> None:
    frozen = _migration()
    assert (frozen.SCRYPT_N, frozen.SCRYPT_R, frozen.SCRYPT_P) == (
        passwords.SCRYPT_N,
        passwords.SCRYPT_R,
        passwords.SCRYPT_P,
    )
    assert frozen.MAX_FAILURES == loss_reports.MAX_FAILURES
    assert frozen.LOCK_HOURS == loss_reports.LOCK_HOURS
    assert frozen.MAX_REPORT_DAYS == loss_reports.MAX_REPORT_DAYS
    assert frozen.MAX_FILING_DAYS == filing_requests.MAX_FILING_DAYS
    assert frozen.MAX_FILING_LEAD_DAYS == filing_requests.MAX_FILING_LEAD_DAYS
    assert set(frozen.FILING_KINDS) == {kind.value for kind in FilingType}


def test_the_kiosk_role_reads_no_password_report_or_challenge_table(
    kiosk_as: KioskFactory,
) -> None:
    kiosk = kiosk_as("lr_tables")
    for table in ("service_password", "service_password_try", "loss_report", "filing_request",
                  "kiosk_api.password_challenge"):  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            kiosk.execute(f"SELECT * FROM {table} LIMIT 1")
    for statement in (
        "SELECT kiosk_api.citizen_ref_of('110101199003070001')",
        "SELECT kiosk_api.count_asked('x', localtimestamp)",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            kiosk.execute(statement)


def test_downgrading_0007_gives_back_the_gates_and_screens_it_patched(
    api_cluster: PostgresCluster,
) -> None:
    url = api_cluster.create_database("loss_report_downgrade")
    engine = make_engine(url, 10.0)
    try:
        upgrade(engine, "0006")
        before = _definitions(engine)
        upgrade(engine)
        patched = _definitions(engine)
        assert all("report_in_force" in patched[g] for g in ("gate", "gate_counted"))
        assert all("last_report_end" in patched[s] for s in SCREENS)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        assert _definitions(engine) == before
        upgrade(engine)  # and up again
        assert _definitions(engine) == patched
    finally:
        engine.dispose()


def _definitions(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
                " WHERE p.pronamespace = 'kiosk_api'::regnamespace"
                " AND p.proname IN ('gate', 'gate_counted', 'overview', 'history_page',"
                " 'contributions', 'annual_statement', 'family_aid', 'filings',"
                " 'charges_to_check', 'receipt_data')"
            )
        )
        return {str(name): str(body) for name, body in rows}


@pytest.mark.parametrize(
    "action", ["service_password", "loss_report", "lift_loss_report", "request_filing"]
)
def test_a_kiosk_cannot_forge_the_rows_these_functions_write(
    kiosk_as: KioskFactory, action: str
) -> None:
    kiosk = kiosk_as("lr_forger")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        kiosk.execute(
            "SELECT kiosk_api.record(%s, 'ok', NULL, localtimestamp, %s)", (action, action[:40])
        )

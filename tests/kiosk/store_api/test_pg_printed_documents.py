"""Printed documents on the fleet store: a kiosk records through kiosk_api.record_document
only, the verifier reads through verify_api.check_document only, and neither reaches a
table, a key or the other's functions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text

from kiosk.slip_records import DocumentRecorder
from kiosk.store import printed_documents
from kiosk.store.engine import make_engine
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.store.printed_documents import Printed
from kiosk.store.verifier_role import grant_verifier_role
from realparts.postgres import PostgresCluster
from tests.kiosk.store_api.conftest import DATABASE, KioskFactory, active_people

pytestmark = pytest.mark.integration
PRINTED_AT = datetime(2026, 11, 24, 10, 31, 7)
FACTS = "s=S-1\nt=20261124103107\ni=3201**********1234\nb=1234.56"


def _verifier(cluster: PostgresCluster, owner: Engine, role: str) -> psycopg.Connection[Any]:
    grant_verifier_role(owner, role)
    return psycopg.connect(host=str(cluster.base), user=role, dbname=DATABASE, autocommit=True)


@pytest.fixture
def verifier(api_cluster: PostgresCluster, owner: Engine) -> Iterator[psycopg.Connection[Any]]:
    connection = _verifier(api_cluster, owner, "verifier_test")
    yield connection
    connection.close()


def _record(kiosk: psycopg.Connection[Any], card: str, citizen: str, code: str) -> Any:
    kiosk.execute("SELECT kiosk_api.card_status(%s)", (card,))  # the session's opening
    return kiosk.execute(
        "SELECT kiosk_api.record_document(%s, %s, %s, 'receipt', %s, '王*', %s)",
        (card, citizen, code, PRINTED_AT, FACTS),
    ).fetchone()


def _check(verifier: psycopg.Connection[Any], code: str, key_id: int, facts: str) -> Any:
    row = verifier.execute(
        "SELECT verify_api.check_document(%s, %s, %s)", (code, key_id, facts)
    ).fetchone()
    assert row is not None
    return row[0]


def test_a_kiosk_records_and_the_verifier_checks_through_their_functions(
    kiosk_as: KioskFactory, verifier: psycopg.Connection[Any], owner: Engine
) -> None:
    kiosk = kiosk_as("kdoc_record")
    card, citizen = active_people(owner, 1)[0]
    answer = _record(kiosk, card, citizen, "AAAABBBBCCCC")
    assert answer is not None
    key_id = answer[0]["key_id"]
    genuine = _check(verifier, "AAAABBBBCCCC", key_id, FACTS)
    assert genuine["genuine"] is True
    assert genuine["kiosk_id"] == "kdoc_record"  # the login role, as on its audit rows
    assert genuine["masked_name"] == "王*"
    assert genuine["printed_at"].startswith("2026-11-24T10:31:07")
    altered = _check(verifier, "AAAABBBBCCCC", key_id, FACTS.replace("1234.56", "1234.57"))
    assert altered == {"found": True, "genuine": False}  # no name, time or kiosk for it
    assert _check(verifier, "AAAABBBBCCCC", key_id + 1, FACTS) == {"found": True, "genuine": False}
    assert _check(verifier, "ZZZZBBBBCCCC", key_id, FACTS) == {"found": False}
    with owner.connect() as connection:
        audited = (
            connection.execute(
                text(
                    "SELECT outcome FROM audit_event WHERE kiosk_id = 'kdoc_record'"
                    " AND action = 'print_receipt'"
                )
            )
            .scalars()
            .all()
        )
        digest = connection.execute(
            text("SELECT digest FROM printed_document WHERE code = 'AAAABBBBCCCC'")
        ).scalar_one()
    assert audited == ["ok"]
    assert len(digest) == 64
    assert "1234.56" not in digest  # the row keeps no figure, only its keyed digest


def test_the_gate_refuses_another_persons_citizen_id_and_an_unopened_card(
    kiosk_as: KioskFactory, owner: Engine
) -> None:
    kiosk = kiosk_as("kdoc_gate")
    (card, _citizen), (_other, someone_else) = active_people(owner, 2)
    assert _record(kiosk, card, someone_else, "MMMMBBBBCCCC")[0] == {"refused": "mismatch"}
    unopened = kiosk.execute(
        "SELECT kiosk_api.record_document(%s, %s, 'NNNNBBBBCCCC', 'receipt', %s, '王*', %s)",
        (active_people(owner, 3)[2][0], active_people(owner, 3)[2][1], PRINTED_AT, FACTS),
    ).fetchone()
    assert unopened is not None
    assert unopened[0] == {"refused": "unopened"}
    with owner.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT count(*) FROM printed_document"
                " WHERE code IN ('MMMMBBBBCCCC', 'NNNNBBBBCCCC')"
            )
        ).scalar_one()
    assert rows == 0


@pytest.mark.parametrize(
    ("code", "kind", "facts"),
    [
        ("short", "receipt", FACTS),
        ("PPPPBBBBCCCC", "letter", FACTS),
        ("PPPPBBBBCCCC", "receipt", "x" * 4001),
    ],
)
def test_malformed_documents_are_refused_before_anything_is_written(
    kiosk_as: KioskFactory, owner: Engine, code: str, kind: str, facts: str
) -> None:
    kiosk = kiosk_as("kdoc_bad")
    card, citizen = active_people(owner, 1)[0]
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        kiosk.execute(
            "SELECT kiosk_api.record_document(%s, %s, %s, %s, %s, '王*', %s)",
            (card, citizen, code, kind, PRINTED_AT, facts),
        )


def test_the_kiosk_role_reads_no_document_and_no_key(
    kiosk_as: KioskFactory,
) -> None:
    kiosk = kiosk_as("kdoc_reads")
    for statement in (
        "SELECT * FROM public.printed_document",
        "SELECT * FROM public.enrolment",
        "SELECT * FROM public.employer_unit",
        "SELECT * FROM public.average_wage",
        "SELECT key FROM kiosk_api.document_key",
        "SELECT verify_api.check_document('AAAABBBBCCCC', 1, '')",
        "SELECT kiosk_api.document_digest(1, 'A', 'receipt', now()::timestamp, 'k', 'n', 'f')",
        "INSERT INTO public.printed_document (code, key_id, kind, printed_at, recorded_at,"
        " kiosk_id, masked_name, digest) VALUES ('X', 1, 'receipt', now(), now(), 'k', 'n', 'd')",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            kiosk.execute(statement)


def test_the_verifier_may_call_check_document_and_nothing_else(
    verifier: psycopg.Connection[Any], owner: Engine
) -> None:
    card = active_people(owner, 1)[0][0]
    for statement in (
        "SELECT * FROM public.printed_document",
        "SELECT * FROM public.person",
        "SELECT * FROM public.audit_event",
        "SELECT key FROM kiosk_api.document_key",
        f"SELECT kiosk_api.card_status('{card}')",
        f"SELECT kiosk_api.certificate_data('{card}', NULL, 2026)",
        "SELECT kiosk_api.record_document('A', 'B', 'AAAABBBBCCCC', 'receipt', now()::timestamp,"
        " 'n', 'f')",
        "COPY public.printed_document TO STDOUT",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            verifier.execute(statement)
    with owner.connect() as connection:
        memberships = (
            connection.execute(
                text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                    " WHERE m.member = 'verifier_test'::regrole"
                )
            )
            .scalars()
            .all()
        )
        grants = connection.execute(
            text(
                "SELECT count(*) FROM information_schema.role_table_grants"
                " WHERE grantee IN ('verifier_test', 'sscard_verifier')"
            )
        ).scalar_one()
    assert memberships == ["sscard_verifier"]
    assert grants == 0


def test_the_new_functions_are_sscard_apis_with_their_settings_pinned(
    admin: psycopg.Connection[Any],
) -> None:
    rows = admin.execute(
        "SELECT n.nspname, p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),"
        " has_function_privilege('sscard_kiosk', p.oid, 'EXECUTE'),"
        " has_function_privilege('sscard_verifier', p.oid, 'EXECUTE'),"
        " EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)"
        " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE p.proname IN ('record_document', 'certificate_data', 'document_digest',"
        " 'check_document') AND n.nspname <> 'kiosk_pool' ORDER BY 2"  # 0008's wrappers: elsewhere
    ).fetchall()
    expected = {
        "certificate_data": ("kiosk_api", True, True, False),
        "check_document": ("verify_api", True, False, True),
        "document_digest": ("kiosk_api", False, False, False),
        "record_document": ("kiosk_api", True, True, False),
    }
    assert {r[1] for r in rows} == set(expected)
    for schema, name, definer, config, owner_name, kiosk_may, verifier_may, public_may in rows:
        assert (schema, definer, kiosk_may, verifier_may) == expected[name], name
        assert owner_name == "sscard_api", name
        assert "search_path=kiosk_api, public, pg_temp" in config, name
        assert "jit=off" in config, name
        assert any(c.startswith("TimeZone=") for c in config), name
        assert not public_may, name


def test_a_rotated_key_signs_new_documents_and_old_ones_still_verify(
    kiosk_as: KioskFactory, verifier: psycopg.Connection[Any], owner: Engine
) -> None:
    kiosk = kiosk_as("kdoc_rotate")
    card, citizen = active_people(owner, 1)[0]
    old = _record(kiosk, card, citizen, "RRRROOOOLLLL")[0]["key_id"]
    with owner.begin() as connection:
        new = printed_documents.rotate_key(connection, None)
    assert new == old + 1
    assert _record(kiosk, card, citizen, "RRRRNNNNWWWW")[0]["key_id"] == new
    assert _check(verifier, "RRRROOOOLLLL", old, FACTS)["genuine"] is True
    assert _check(verifier, "RRRRNNNNWWWW", new, FACTS)["genuine"] is True
    assert _check(verifier, "RRRROOOOLLLL", new, FACTS)["genuine"] is False


def test_the_kiosks_recorder_and_certificate_read_go_through_the_functions(
    api_cluster: PostgresCluster,
    owner: Engine,
    store_url: str,
    kiosk_as: KioskFactory,
    tmp_path: Path,
) -> None:
    from kiosk.domain import MaskingRules
    from kiosk.services import AccountService
    from tests.kiosk.store_api.conftest import NOW

    kiosk_as("kdoc_service")  # the role, with the kiosk's rights only
    url = f"postgresql+psycopg://kdoc_service@/{DATABASE}?host={api_cluster.base}"
    service = AccountService(
        make_engine(url, 5.0), "kdoc_service", lambda: NOW, outbox_path=tmp_path / "o.sqlite3"
    )
    admin_view = AccountService(  # the same kiosk's words, read by the table path
        make_engine(store_url, 5.0), "kdoc_service", lambda: NOW, outbox_path=tmp_path / "a"
    )
    recorder = DocumentRecorder(lambda: make_engine(url, 5.0), tmp_path, "kdoc_service")
    try:
        card, citizen = active_people(owner, 1)[0]
        service.card_status(card)
        service.prove(card, citizen)
        data = service.certificate_data(card, NOW, "S-9", MaskingRules())
        assert service._fleet is True
        assert data == admin_view.certificate_data(card, NOW, "S-9", MaskingRules())
        printed = Printed("CCCCEEEERRRR", "certificate", NOW, "某*", FACTS)
        key_id = recorder.record(printed, card, citizen)
        with pytest.raises(CardNotActive) as refused:
            recorder.record(replace_code(printed, "CCCCEEEERRR2"), card, "110101190001011234")
        assert refused.value.status is CardRefusal.MISMATCH
        with owner.connect() as connection:
            verdict = printed_documents.check(connection, None, "CCCCEEEERRRR", key_id, FACTS)
        assert verdict.genuine
        assert verdict.kiosk_id == "kdoc_service"
    finally:
        service.close()
        admin_view.close()
        recorder.close()


def replace_code(printed: Printed, code: str) -> Printed:
    from dataclasses import replace

    return replace(printed, code=code)


def test_the_migrations_frozen_constants_agree_with_the_kiosk() -> None:
    import importlib.util

    path = Path(printed_documents.__file__).parent / "migrations/versions/0006_printed_documents.py"
    spec = importlib.util.spec_from_file_location("printed_documents_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.CODE_PATTERN == printed_documents.CODE_PATTERN
    assert migration.MAX_FACTS == printed_documents.MAX_FACTS
    assert migration.KINDS == printed_documents.KINDS
    assert migration.DIGEST_PREFIX == printed_documents.DIGEST_PREFIX
    signatures = {s.split("(")[0] for s in migration.KIOSK_FUNCTIONS}
    assert signatures == set(printed_documents.KIOSK_FUNCTIONS)


def test_the_verify_server_command_grants_the_verifier_role(
    api_cluster: PostgresCluster, store_url: str, owner: Engine, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n[store]\nurl = "{store_url}"\n')
    granted = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "verify-server",
         "--grant-role", "verifier_cli", "--password-env", "NEW_VERIFIER_PASSWORD"],
        capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "NEW_VERIFIER_PASSWORD": "a long verifier password"},
    )  # fmt: skip
    assert granted.returncode == 0, granted.stderr
    assert "GRANT sscard_verifier TO verifier_cli" in granted.stdout
    assert "a long verifier password" not in granted.stdout  # only its SCRAM verifier travels
    with owner.connect() as connection:
        member = connection.execute(
            text("SELECT pg_has_role('verifier_cli', 'sscard_verifier', 'MEMBER')")
        ).scalar_one()
    assert member is True
    refused = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "verify-server",
         "--grant-role", "postgres"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr

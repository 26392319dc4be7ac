"""A throwaway PostgreSQL for the kiosk_api tests, with pg_stat_statements loaded so a test
can count the statements a kiosk sent, and a seeded store of 300 generated people."""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine

from kiosk.store.engine import make_engine
from kiosk.store.roles import grant_kiosk_role
from kiosk.store.seeding import create_store
from realparts.pgbouncer import PGBOUNCER, PgBouncer
from realparts.postgres import PG_BIN, PostgresCluster

NOW = datetime(2026, 11, 24, 10, 30)
DATABASE = "kiosk_api"


@pytest.fixture(scope="package")
def api_cluster() -> Iterator[PostgresCluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 server binaries missing in {PG_BIN}: run scripts/setup.sh")
    settings = {
        "shared_preload_libraries": "'pg_stat_statements'",
        "pg_stat_statements.track": "top",  # what the client sent, not what functions ran
    }
    base = Path(tempfile.mkdtemp(prefix="kiosk-api-pg-"))
    with PostgresCluster(base=base, settings=settings) as cluster:
        yield cluster


@pytest.fixture(scope="package")
def store_url(api_cluster: PostgresCluster) -> str:
    url = api_cluster.create_database(DATABASE)
    create_store(url, NOW, persons=300, years=2, seed=7)
    return url


@pytest.fixture(scope="package")
def owner(store_url: str) -> Iterator[Engine]:
    engine = make_engine(store_url, 10.0)
    yield engine
    engine.dispose()


def _decimal_json(connection: psycopg.Connection[Any]) -> None:
    # As the kiosk decodes the screens' jsonb: numbers exactly, never as floats.
    set_json_loads(lambda text: json.loads(text, parse_float=Decimal), connection)


@pytest.fixture(scope="package")
def admin(api_cluster: PostgresCluster, store_url: str) -> Iterator[psycopg.Connection[Any]]:
    del store_url
    with psycopg.connect(
        host=str(api_cluster.base), user="postgres", dbname=DATABASE, autocommit=True
    ) as connection:
        _decimal_json(connection)
        yield connection


KioskFactory = Callable[[str], psycopg.Connection[Any]]


@pytest.fixture
def kiosk_as(api_cluster: PostgresCluster, owner: Engine) -> Iterator[KioskFactory]:
    """role -> a connection logged in as that kiosk role (created by grant_kiosk_role)."""
    opened: list[psycopg.Connection[Any]] = []

    def connect(role: str) -> psycopg.Connection[Any]:
        grant_kiosk_role(owner, role)
        connection = psycopg.connect(
            host=str(api_cluster.base), user=role, dbname=DATABASE, autocommit=True
        )
        _decimal_json(connection)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()


# -- PgBouncer before the same cluster: how the fleet reaches its store -------------------

BOUNCER_TIMEOUT = 10.0  # generous: this machine may be busy with other tests


@pytest.fixture(scope="package")
def api_pgbouncer(api_cluster: PostgresCluster) -> Iterator[PgBouncer]:
    """PgBouncer 1.18, transaction mode, FLEET_SETTINGS, before the kiosk_api database."""
    if not PGBOUNCER.exists():
        pytest.fail(f"{PGBOUNCER} missing: run scripts/setup.sh (Debian package pgbouncer)")
    with PgBouncer(api_cluster, [DATABASE], timeout_seconds=BOUNCER_TIMEOUT) as bouncer:
        yield bouncer


BouncerURL = Callable[[str], str]


@pytest.fixture
def pgbouncer_url(api_pgbouncer: PgBouncer, owner: Engine) -> BouncerURL:
    """role -> the URL of that kiosk role through PgBouncer (made by grant_kiosk_role, with
    a fresh password: PgBouncer checks it by SCRAM against the server's verifier)."""

    def url(role: str) -> str:
        password = secrets.token_urlsafe(18)
        grant_kiosk_role(owner, role, password)
        return api_pgbouncer.url(role, password)

    return url


def active_people(owner: Engine, count: int) -> list[tuple[str, str]]:
    """(card number, citizen ID) of `count` active cards whose holders have ledger rows."""
    from sqlalchemy import text

    with owner.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.card_number, p.citizen_id FROM card c JOIN person p"
                " ON p.id = c.person_id WHERE c.status = 'active' AND c.expires_on > :now"
                " AND EXISTS (SELECT 1 FROM ledger_entry l WHERE l.person_id = p.id)"
                " ORDER BY c.card_number LIMIT :n"
            ),
            {"now": NOW, "n": count},
        ).all()
    assert len(rows) == count
    return [(str(number), str(citizen)) for number, citizen in rows]

"""The central PostgreSQL stops: queries fail fast, audit rows wait in the local outbox,
and when it is back every one of them is written exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.services import AccountService, StoreUnavailable
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.seeding import create_store
from realparts.postgres import PostgresCluster

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 24, 10, 30)
CARD = "A32010001"
ROWS_WHILE_DOWN = 40
QUERIES_WHILE_DOWN = 3
KIOSK = "k-outbox"


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    # Its own cluster: stopping the session's shared one would break other test modules.
    with PostgresCluster() as cluster:
        yield cluster


def _audit_rows(service: AccountService) -> list[tuple[str, str, str]]:
    table = TABLES["audit_event"]
    with service.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.event_key, table.c.action, table.c.outcome).where(
                table.c.kiosk_id == KIOSK
            )
        )
        return [tuple(r) for r in rows]


def test_audit_rows_wait_in_the_outbox_while_postgres_is_down(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = cluster.create_database("outbox")
    create_store(url, NOW)
    ticks = iter(range(10_000))
    service = AccountService(
        make_engine(url, 3.0),
        KIOSK,
        lambda: NOW + timedelta(seconds=next(ticks)),
        timeout_seconds=3.0,
        outbox_path=tmp_path / "audit-outbox.sqlite3",
    )
    assert service.summary(CARD).person_name == "张伟"
    assert len(_audit_rows(service)) == 1

    cluster.stop()
    started = time.monotonic()
    for number in range(ROWS_WHILE_DOWN):
        service.record_query("print", f"ok_{number}", CARD)  # never raises
    per_row = (time.monotonic() - started) / ROWS_WHILE_DOWN
    assert service.outbox_pending == ROWS_WHILE_DOWN
    latencies = []
    for _ in range(QUERIES_WHILE_DOWN):
        began = time.monotonic()
        with pytest.raises(StoreUnavailable):
            service.summary(CARD)
        latencies.append(time.monotonic() - began)
    assert max(latencies) < 1.0, latencies
    waiting = ROWS_WHILE_DOWN + QUERIES_WHILE_DOWN
    assert service.outbox_pending == waiting
    assert service.flush_outbox() == 0  # still down: nothing lost, nothing written
    assert service.outbox_pending == waiting
    print(
        f"\nPostgreSQL stopped: StoreUnavailable after {max(latencies) * 1000:.0f} ms at most; "
        f"an audit row reached the outbox in {per_row * 1000:.1f} ms"
    )

    cluster.start()
    assert service.flush_outbox() == waiting
    assert service.outbox_pending == 0
    assert service.flush_outbox() == 0
    rows = _audit_rows(service)
    assert len(rows) == 1 + waiting
    assert len({key for key, _, _ in rows}) == len(rows)  # each row once
    outcomes = sorted(outcome for _, action, outcome in rows if action == "print")
    assert outcomes == sorted(f"ok_{n}" for n in range(ROWS_WHILE_DOWN))
    assert sum(outcome == "store_unavailable" for _, _, outcome in rows) == QUERIES_WHILE_DOWN
    print(f"PostgreSQL back: {waiting} rows flushed, {len(rows)} audit rows in the table")
    service.close()

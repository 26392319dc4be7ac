"""An unreachable or slow store: StoreUnavailable within the timeout, never a hang, and
the audit row waits in the local outbox until the store is back."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from kiosk.services import AccountService, StoreUnavailable
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.seeding import create_store
from kiosk.words.failures import failure_key
from realparts.postgres import PostgresCluster
from tests.kiosk.store.conftest import NOW

CARD = "A32010001"
TIMEOUT = 0.5


def _service(url: str, outbox: Path, timeout: float = TIMEOUT) -> AccountService:
    ticks = itertools.count()
    # A clock that moves a second at every reading, so audit rows have an order.
    return AccountService(
        make_engine(url, timeout),
        "k-test",
        lambda: NOW + timedelta(seconds=next(ticks)),
        timeout_seconds=timeout,
        outbox_path=outbox,
    )


def _audit_outcomes(service: AccountService) -> list[tuple[str, str]]:
    table = TABLES["audit_event"]
    with service.engine.connect() as connection:
        rows = connection.execute(select(table.c.action, table.c.outcome).order_by(table.c.at))
        return [(r.action, r.outcome) for r in rows]


def _timed_failure(call: Callable[[], object]) -> tuple[StoreUnavailable, float]:
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as failure:
        call()
    return failure.value, time.monotonic() - started


def test_missing_sqlite_store(tmp_path: Path) -> None:
    service = _service(f"sqlite:///{tmp_path}/absent/accounts.sqlite3", tmp_path / "o.sqlite3")
    error, seconds = _timed_failure(lambda: service.summary(CARD))
    assert seconds < TIMEOUT
    assert failure_key(error) == "problem.store_unavailable"
    assert "OperationalError" in error.operator_message
    assert CARD not in error.operator_message
    assert service.outbox_pending == 1
    assert not (tmp_path / "absent").exists()  # the kiosk never creates an empty store
    service.close()


def test_dead_postgres_socket(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@/postgres?host={tmp_path}/no-socket-here"
    service = _service(url, tmp_path / "o.sqlite3")
    _error, seconds = _timed_failure(lambda: service.summary(CARD))
    assert seconds < TIMEOUT
    assert service.outbox_pending == 1
    service.close()


@contextmanager
def _locked(url: str) -> Iterator[None]:
    """Another client holds an exclusive lock on the store."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE kiosk_heartbeat SET paper_left_mm = 0")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        host = url.split("host=", 1)[1]
        database = url.split("@/", 1)[1].split("?", 1)[0]
        with psycopg.connect(host=host, user="postgres", dbname=database) as holder:
            holder.execute("LOCK TABLE card IN ACCESS EXCLUSIVE MODE")
            yield
            holder.rollback()


def test_locked_store_times_out_and_the_audit_row_waits(
    store_url_factory: Callable[[str], str], tmp_path: Path
) -> None:
    url = store_url_factory("locked")
    create_store(url, NOW)
    service = _service(url, tmp_path / "outbox.sqlite3")
    with _locked(url):
        error, seconds = _timed_failure(lambda: service.summary(CARD))
        assert seconds < TIMEOUT + 0.5
        assert "unavailable" in error.operator_message
        assert service.outbox_pending == 1
    assert (tmp_path / "outbox.sqlite3").exists()
    assert service.summary(CARD).person_name == "张伟"
    assert service.outbox_pending == 0
    assert _audit_outcomes(service) == [("summary", "store_unavailable"), ("summary", "ok")]
    service.close()


@pytest.mark.integration
def test_stopped_postgres_then_back(tmp_path: Path) -> None:
    cluster = PostgresCluster()
    cluster.start()
    try:
        url = cluster.create_database("stopped")
        create_store(url, NOW)
        service = _service(url, tmp_path / "outbox.sqlite3", timeout=2.0)
        assert service.summary(CARD).person_name == "张伟"
        cluster.stop()
        _error, seconds = _timed_failure(lambda: service.summary(CARD))
        assert seconds < 2.0
        _error, seconds = _timed_failure(lambda: service.history(CARD))
        assert seconds < 2.0
        assert service.outbox_pending == 2
        cluster.start()
        # The pooled connection died with the server: the service retries on a fresh one.
        assert service.summary(CARD).person_name == "张伟"
        assert service.outbox_pending == 0
        assert _audit_outcomes(service) == [
            ("summary", "ok"),
            ("summary", "store_unavailable"),
            ("history", "store_unavailable"),
            ("summary", "ok"),
        ]
        service.close()
    finally:
        cluster.cleanup()

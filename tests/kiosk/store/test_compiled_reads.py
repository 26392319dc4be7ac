"""kiosk.store.compiled: reads.py's statements straight on the sqlite3 driver give exactly
what SQLAlchemy gives, in one transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.sql.expression import Executable

from kiosk.store import queries
from kiosk.store.compiled import snapshot
from kiosk.store.engine import make_engine
from tests.session_kit import NOW, seed_demo_store

ZHANG = "A32010001"


def _statements(person_id: int) -> list[tuple[Executable, dict[str, Any]]]:
    year = {"person_id": person_id, "start": NOW.replace(month=1, day=1), "end": NOW}
    return [
        (queries.RESOLVE, {"card_number": ZHANG, "year": NOW.year}),
        (queries.ENTRIES_SINCE, {"person_id": person_id, "since": NOW - timedelta(days=400)}),
        (queries.HISTORY[(False, False)], {"person_id": person_id, "limit": 5, "offset": 2}),
        (queries.HISTORY_COUNT[(True, False)], {"person_id": person_id, "kind": "pharmacy"}),
        (queries.BINDINGS, {"person_id": person_id}),
        (queries.FILINGS, {"person_id": person_id}),
        (queries.LAST_CONTRIBUTION, {"person_id": person_id}),
        (queries.YEAR_ENTRIES, year),
        (queries.REGION_NAME, {"code": "320100"}),
    ]


def test_every_statement_reads_the_same_rows_and_types_as_sqlalchemy(tmp_path: Path) -> None:
    engine = make_engine(seed_demo_store(tmp_path))
    with engine.connect() as connection:
        person_id = (
            connection.execute(queries.RESOLVE, {"card_number": ZHANG, "year": NOW.year})
            .one()
            .person_id
        )
        expected = [
            [tuple(row) for row in connection.execute(statement, params)]
            for statement, params in _statements(person_id)
        ]
    with snapshot(engine) as fast:
        got = [
            [tuple(row) for row in fast.execute(statement, params)]
            for statement, params in _statements(person_id)
        ]
        assert fast.driver.in_transaction  # one snapshot for the screen's statements
    assert got == expected
    assert [[tuple(map(type, r)) for r in rows] for rows in got] == [
        [tuple(map(type, r)) for r in rows] for rows in expected
    ]
    assert any(rows for rows in got[1:4])  # the demo person has a ledger to compare
    engine.dispose()


def test_a_missing_value_is_named(tmp_path: Path) -> None:
    engine = make_engine(seed_demo_store(tmp_path))
    with snapshot(engine) as fast, pytest.raises(KeyError, match="code"):
        fast.execute(queries.REGION_NAME, {})
    engine.dispose()


def test_a_store_connection_keeps_the_inner_pages_of_a_city_scale_store(tmp_path: Path) -> None:
    from kiosk.store.engine import PAGE_CACHE_KIB

    engine = make_engine(seed_demo_store(tmp_path))
    with snapshot(engine) as reads:
        (size,) = reads.driver.execute("PRAGMA cache_size").fetchone()
    assert size == -PAGE_CACHE_KIB  # KiB, not SQLite's 2 MiB default
    assert PAGE_CACHE_KIB >= 32 * 1024
    engine.dispose()


def test_held_snapshots_keep_one_connection_and_drop_a_failed_one(tmp_path: Path) -> None:
    import sqlite3
    import threading

    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import QueuePool

    from kiosk.store.compiled import HeldSnapshots

    engine = make_engine(seed_demo_store(tmp_path))
    held = HeldSnapshots(engine)
    with held.snapshot() as first:
        first_driver = first.driver
    with held.snapshot() as second:
        assert second.driver is first_driver  # kept between screens
        assert second.driver.in_transaction
        other: list[sqlite3.Connection] = []

        def read_meanwhile() -> None:
            with held.snapshot() as reads:
                other.append(reads.driver)

        worker = threading.Thread(target=read_meanwhile)
        worker.start()
        worker.join()
        assert len(other) == 1
        assert other[0] is not first_driver  # busy: the other lane read on the pool's
    assert not first_driver.in_transaction  # each screen's snapshot ends with it
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.checkedout() == 1  # the kept one; the other lane's went back

    with pytest.raises(DBAPIError), held.snapshot() as reads:
        reads.driver.execute("SELECT * FROM no_such_table")
    with held.snapshot() as after:
        assert after.driver is not first_driver  # the failed one went back invalidated
        assert after.execute(queries.REGION_NAME, {"code": "320100"}).scalar()
    held.hand_back()
    assert engine.pool.checkedout() == 0
    engine.dispose()


def test_frozen_maker_builds_the_same_read_only_object() -> None:
    import dataclasses
    from decimal import Decimal

    from kiosk.domain import LedgerEntry, LedgerKind
    from kiosk.frozen import maker

    values: dict[str, Any] = {
        "entry_id": 7, "posted_at": NOW, "kind": LedgerKind.PHARMACY,
        "amount": Decimal("-12.50"), "balance_after": Decimal("100.00"),
        "institution_name": "药房", "institution_kind": None, "region_code": "320100",
        "pooled_amount": Decimal("0.00"), "quota_used": Decimal("0.00"),
        "counterpart": None, "reference": "R1", "flags": (),
    }  # fmt: skip
    made = maker(LedgerEntry)(**values)
    assert made == LedgerEntry(**values)
    assert hash(made) == hash(LedgerEntry(**values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.amount = Decimal(0)  # type: ignore[misc]
    del values["flags"]
    with pytest.raises(TypeError, match="flags"):
        maker(LedgerEntry)(**values)  # no defaults: a forgotten field is an error
    with pytest.raises(TypeError, match="frozen"):
        maker(dataclasses.make_dataclass("Loose", ["a"]))

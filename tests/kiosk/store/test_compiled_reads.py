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

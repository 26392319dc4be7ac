"""The audit outbox when its own file fails: rows held in memory, counted, retried, bounded;
a torn or foreign file never a crash (issue 15). The full-disk run is tests/faults."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from kiosk.store.audit import AuditWriter, new_record
from kiosk.store.models import Base
from kiosk.store.outbox import AuditOutbox, AuditRecord

START = datetime(2026, 12, 1, 9, 0, 0)


def _rows(count: int, first: int = 0) -> list[AuditRecord]:
    return [
        new_record("k-held", f"q{n:03d}", "ok", None, START + timedelta(seconds=n))
        for n in range(first, first + count)
    ]


def _in_file(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT action FROM outbox ORDER BY at").fetchall()
    return [str(action) for (action,) in rows]


@pytest.fixture
def blocked(tmp_path: Path) -> Path:
    """A data folder that cannot be made (a file is in the way), like a full or read-only
    disk: every write of the outbox fails with an OSError until the file is removed."""
    folder = tmp_path / "data"
    folder.write_text("in the way")
    return folder


def test_rows_the_file_cannot_take_are_held_in_order_and_written_once_it_can(
    blocked: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = AuditOutbox(blocked / "audit-outbox.sqlite3")
    rows = _rows(50)
    for row in rows:
        outbox.put(row)  # never raises
    assert outbox.held_count() == 50
    assert outbox.pending_count() == 0
    assert outbox.dropped == 0
    assert sum("held in memory" in m for m in caplog.messages) == 1  # one line, not fifty
    assert [r.event_key for r in outbox.oldest(500)] == [r.event_key for r in rows]
    blocked.unlink()  # space again
    assert outbox.pending_count() == 50  # the count is asked, the held rows try again
    assert outbox.held_count() == 0
    outbox.close()
    assert _in_file(blocked / "audit-outbox.sqlite3") == [r.action for r in rows]


def test_held_rows_go_straight_to_the_store_when_it_answers_first(
    blocked: Path, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    down = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}")
    writer = AuditWriter(down, AuditOutbox(blocked / "audit-outbox.sqlite3"))
    rows = _rows(30)
    for row in rows:
        assert not writer.write(row)  # store down, outbox file full: held
    assert writer.outbox.held_count() == 30
    writer.engine = store  # the store is back, the disk still full
    assert writer.flush() == 30
    assert writer.outbox.held_count() == 0
    assert _stored(store) == [r.action for r in rows]
    assert writer.flush() == 0  # nothing sent twice


@pytest.mark.allow_error_logs
def test_memory_is_bounded_and_a_loss_is_counted_and_logged(
    blocked: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = AuditOutbox(blocked / "audit-outbox.sqlite3", max_held=5)
    rows = _rows(8)
    with caplog.at_level(logging.ERROR):
        for row in rows:
            outbox.put(row)
    assert outbox.held_count() == 5
    assert outbox.dropped == 3
    assert [r.event_key for r in outbox.oldest()] == [r.event_key for r in rows[3:]]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1  # the first loss, then one line per thousand
    assert "lost" in errors[0]
    blocked.unlink()
    outbox.close()


def test_the_default_bound_is_ten_thousand_rows(tmp_path: Path) -> None:
    assert AuditOutbox(tmp_path / "o.sqlite3").max_held == 10_000


def test_a_transaction_torn_by_a_crash_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    live = tmp_path / "live" / "audit-outbox.sqlite3"
    outbox = AuditOutbox(live)
    for row in _rows(3):
        outbox.put(row)
    # What the disk holds if the power goes now, with the last write torn half-way.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(live, crashed / live.name)
    wal = Path(f"{live}-wal").read_bytes()
    Path(f"{crashed / live.name}-wal").write_bytes(wal[:-100])
    outbox.close()
    after = AuditOutbox(crashed / live.name)
    assert after.pending_count() == 2
    assert [r.action for r in after.oldest()] == ["q000", "q001"]
    after.put(_rows(1, first=3)[0])  # and it takes rows again
    assert after.pending_count() == 3
    after.close()


def test_an_empty_outbox_file_is_an_empty_outbox(tmp_path: Path) -> None:
    path = tmp_path / "audit-outbox.sqlite3"
    path.write_bytes(b"")  # created, then the crash
    outbox = AuditOutbox(path)
    assert outbox.pending_count() == 0
    outbox.put(_rows(1)[0])
    assert outbox.pending_count() == 1
    outbox.close()


@pytest.mark.allow_error_logs
def test_a_file_that_is_no_database_is_set_aside_and_a_new_one_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit-outbox.sqlite3"
    path.write_bytes(b"this is not SQLite at all\n" * 200)
    outbox = AuditOutbox(path)
    assert outbox.pending_count() == 0  # a warning, not a crash
    outbox.put(_rows(1)[0])
    assert outbox.pending_count() == 1
    assert outbox.held_count() == 0
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not SQLite")
    assert any("set aside" in m for m in caplog.messages)
    outbox.close()


# -- a store for the rows ------------------------------------------------------------------


def _store(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["audit_event"]])
    return engine


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT action FROM audit_event ORDER BY at")).all()
    return [str(action) for (action,) in rows]

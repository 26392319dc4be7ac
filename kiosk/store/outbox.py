"""A local SQLite outbox for audit rows the store could not take.

When the store is down the kiosk still owes an audit row for every query; it waits here,
under data_dir, and is written to the store (exactly once, by its event key) when the
store answers again.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class AuditRecord:
    event_key: str
    at: datetime
    kiosk_id: str
    action: str
    outcome: str
    card_hash: str | None


class AuditOutbox:
    """A tiny durable queue (one SQLite file); safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pending: int | None = None  # cached count, so an empty outbox costs nothing

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=2.0, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS outbox (event_key TEXT PRIMARY KEY, at TEXT NOT "
                "NULL, kiosk_id TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, "
                "card_hash TEXT)"
            )
            self._connection = connection
        return self._connection

    def put(self, record: AuditRecord) -> None:
        with self._lock:
            self._db().execute(
                "INSERT OR IGNORE INTO outbox VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.event_key,
                    record.at.isoformat(sep=" "),
                    record.kiosk_id,
                    record.action,
                    record.outcome,
                    record.card_hash,
                ),
            )
            self._pending = None

    def pending_count(self) -> int:
        with self._lock:
            if self._pending is None:
                if not self.path.exists() and self._connection is None:
                    self._pending = 0
                else:
                    row = self._db().execute("SELECT count(*) FROM outbox").fetchone()
                    self._pending = int(row[0])
            return self._pending

    def oldest(self, limit: int = 500) -> list[AuditRecord]:
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT event_key, at, kiosk_id, action, outcome, card_hash FROM outbox "
                    "ORDER BY at, event_key LIMIT ?",
                    (limit,),
                )
                .fetchall()
            )
        return [
            AuditRecord(key, datetime.fromisoformat(at), kiosk, action, outcome, card_hash)
            for key, at, kiosk, action, outcome, card_hash in rows
        ]

    def remove(self, keys: list[str]) -> None:
        with self._lock:
            self._db().executemany("DELETE FROM outbox WHERE event_key = ?", [(k,) for k in keys])
            self._pending = None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

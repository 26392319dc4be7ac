"""A local SQLite outbox for audit rows the store could not take.

When the store is down the kiosk still owes an audit row for every query; it waits here,
under data_dir, and is written to the store (exactly once, by its event key) when the
store answers again.

When the outbox file cannot take a row either (a full or read-only disk, a file that is no
database), the row is held in memory, in order, and every later put, flush or count tries
again: held rows go to the file as soon as it has room, or straight to the store when that
answers first. Memory is bounded (MAX_HELD rows); past it the oldest row is dropped, counted
in `dropped` and logged as an error, the only way a row is ever lost.

Appends are crash-safe by SQLite's write-ahead log: a transaction a crash or power cut tore
is rolled back when the file is next opened, the rows before it are kept. A file that is
not a database at all is set aside (`<name>.corrupt-<when>`) and a fresh one started.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

MAX_HELD = 10_000  # about a week of a busy kiosk's audit rows, a few MB of memory
# What a disk that cannot take a write raises: SQLITE_FULL, _READONLY, _IOERR, _CANTOPEN
# are OperationalError; mkdir and open raise OSError.
_WRITE_FAILED = (sqlite3.OperationalError, OSError)
_INSERT = (
    "INSERT OR IGNORE INTO outbox (event_key, at, kiosk_id, action, outcome, card_hash) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT event_key, at, kiosk_id, action, outcome, card_hash FROM outbox "
    "ORDER BY at, event_key LIMIT ?"
)


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

    def __init__(self, path: Path, max_held: int = MAX_HELD) -> None:
        self.path = path
        self.max_held = max_held
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pending: int | None = None  # cached count, so an empty outbox costs nothing
        self._held: deque[AuditRecord] = deque()
        # Rows the store took whose DELETE the full disk refused: never sent twice a flush.
        self._delivered: set[str] = set()
        self._failing = False  # the file refused the last write (logged once, not per row)
        self.dropped = 0

    # -- the file --------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=2.0, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=FULL")  # a committed row survives power loss
                # The log is cut back after each checkpoint instead of keeping its high-water
                # size: on a nearly full disk that space is what the next rows need.
                connection.execute("PRAGMA journal_size_limit=1048576")
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS outbox (event_key TEXT PRIMARY KEY, at TEXT NOT "
                    "NULL, kiosk_id TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, "
                    "card_hash TEXT)"
                )
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _write_held(self, set_aside: bool = True) -> None:
        """Every held row into the file in one transaction, oldest first; on a failure they
        stay held. The caller holds the lock."""
        if not self._held:
            return
        try:
            self._insert(list(self._held))
        except _WRITE_FAILED as error:
            if not self._failing:
                log.warning(
                    "audit outbox %s cannot be written (%s): %d row(s) held in memory",
                    self.path,
                    _words(error),
                    len(self._held),
                )
            self._failing = True
            return
        except sqlite3.DatabaseError as error:  # not a database: set it aside, start afresh
            if set_aside:
                self._set_aside(error)
                self._write_held(set_aside=False)
            return
        if self._failing:
            log.info("audit outbox %s writable again: held rows written", self.path)
        self._failing = False
        self._held.clear()

    def _insert(self, records: list[AuditRecord]) -> None:
        with self._transaction() as db:
            db.executemany(_INSERT, [_values(r) for r in records])
        self._pending = None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction for many rows: in autocommit each statement would be its own,
        a page or two of write-ahead log apiece, enough to fill a nearly full disk."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # a failed rollback is SQLite's to undo on the next open
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise

    def _set_aside(self, error: sqlite3.DatabaseError) -> None:
        self._close()
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
        log.error(
            "audit outbox %s is not a database (%s): set aside as %s, a new one started; "
            "rows waiting in it were not sent",
            self.path,
            error,
            aside.name,
        )
        self._pending = None

    # -- the queue ---------------------------------------------------------------------------

    def put(self, record: AuditRecord) -> None:
        """Keep `record` until the store takes it: in the file, or in memory if it cannot."""
        with self._lock:
            self._held.append(record)
            while len(self._held) > self.max_held:
                lost = self._held.popleft()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:  # not 10,000 lines a day
                    log.error(
                        "audit row(s) lost: %d held in memory already (disk full?); dropped "
                        "the oldest, from %s (%d lost so far)",
                        self.max_held,
                        lost.at.isoformat(sep=" "),
                        self.dropped,
                    )
            self._write_held()

    def held_count(self) -> int:
        """Rows the file could not take yet, waiting in memory."""
        with self._lock:
            return len(self._held)

    def pending_count(self) -> int:
        """Rows waiting in the file. The heartbeat and the maintenance screen ask this, so it
        is also when held rows try the file again."""
        with self._lock:
            self._write_held()
            if self._pending is None:
                if not self.path.exists() and self._connection is None:
                    self._pending = 0
                else:
                    try:
                        row = self._db().execute("SELECT count(*) FROM outbox").fetchone()
                    except sqlite3.Error as error:
                        log.warning("audit outbox %s not counted: %s", self.path, _words(error))
                        return 0
                    self._pending = int(row[0])
            return self._pending

    def oldest(self, limit: int = 500) -> list[AuditRecord]:
        """Up to `limit` rows, oldest first: the file's, then those held in memory."""
        with self._lock:
            self._write_held()
            self._forget_delivered()
            found = self._from_file(limit) if self.path.exists() or self._connection else []
            room = limit - len(found)
            return found + list(self._held)[: max(0, room)]

    def _from_file(self, limit: int) -> list[AuditRecord]:
        try:
            rows = (
                self._db()
                .execute(
                    _SELECT,
                    (limit + len(self._delivered),),
                )
                .fetchall()
            )
        except sqlite3.Error as error:
            log.warning("audit outbox %s not read: %s", self.path, _words(error))
            return []
        records = [
            AuditRecord(key, datetime.fromisoformat(at), kiosk, action, outcome, card_hash)
            for key, at, kiosk, action, outcome, card_hash in rows
            if key not in self._delivered
        ]
        return records[:limit]

    def remove(self, keys: list[str]) -> None:
        """The store took these rows: forget them (from memory, and from the file)."""
        with self._lock:
            gone = set(keys)
            if self._held:
                self._held = deque(r for r in self._held if r.event_key not in gone)
            self._delivered |= gone
            self._forget_delivered()

    def _forget_delivered(self) -> None:
        """DELETE what the store took; a disk too full even for that keeps the keys, so the
        rows are skipped now and deleted later (a resend would be ignored by event key)."""
        if not self._delivered or not (self.path.exists() or self._connection):
            self._delivered.clear()
            return
        try:
            with self._transaction() as db:
                db.executemany(
                    "DELETE FROM outbox WHERE event_key = ?", [(k,) for k in self._delivered]
                )
        except sqlite3.Error as error:
            log.warning("audit outbox %s: sent rows not deleted yet: %s", self.path, _words(error))
            return
        self._delivered.clear()
        self._pending = None

    def close(self) -> None:
        with self._lock:
            self._write_held()  # a last try: the disk may have room by now
            if self._held:
                log.error(
                    "audit outbox closed with %d row(s) held in memory: they are lost",
                    len(self._held),
                )
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _values(record: AuditRecord) -> tuple[str, str, str, str, str, str | None]:
    return (
        record.event_key,
        record.at.isoformat(sep=" "),
        record.kiosk_id,
        record.action,
        record.outcome,
        record.card_hash,
    )


def _words(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__

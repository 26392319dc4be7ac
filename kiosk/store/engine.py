"""Engines for the store: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3).

Nothing waits longer than the configured timeout: psycopg gets connect_timeout,
statement_timeout and lock_timeout; SQLite gets busy_timeout and a progress handler that
interrupts a statement whose call has passed its deadline (see `deadline`).

Every engine is made with `hide_parameters=True`: a failing statement's exception text and
SQLAlchemy's own log lines show the SQL but never its values (a card number, a citizen ID,
a password sent to `ALTER ROLE`). PostgreSQL quotes values itself, in the DETAIL of an error
(`Key (card_number)=(A32010001) already exists.`) and in the message of a data exception
(`invalid input syntax for type integer: "..."`); `_server_words` keeps only the first line
of a statement's error, with a data exception's quoted value blanked, and the full
diagnostics stay on the error's `diag` for code that needs them.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.pool import ConnectionPoolEntry

# The monotonic time after which a SQLite statement is interrupted (0: no deadline).
_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("store_deadline", default=0.0)
PROGRESS_OPS = 4000  # SQLite VM steps between deadline checks (~20 us)
# SQLite's page cache per connection, in KiB (a cap, filled as pages are read). The default
# 2 MiB cannot hold the inner pages of a city-scale store's indexes, so every screen read
# them again from the file: 64 MiB cut an overview's CPU time by about a tenth at 1M persons.
PAGE_CACHE_KIB = 65536
_QUOTED = re.compile(r'"[^"]*"')


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """SQLite statements started inside this block are interrupted after `seconds`."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _past_deadline() -> int:
    limit = _DEADLINE.get()
    return 1 if limit and time.monotonic() > limit else 0


def sqlite_path(url: URL) -> Path | None:
    """The file of a sqlite URL, or None for an in-memory database."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str | URL, timeout_seconds: float = 3.0, create: bool = False) -> Engine:
    """An engine whose every wait is bounded by `timeout_seconds`.

    `create=False` (the kiosk) opens an existing SQLite file only, so a missing store is an
    error rather than a new empty file; `kiosk db upgrade` and the seeders pass True.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, timeout_seconds, create)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(parsed, timeout_seconds)
    raise ValueError(f"unsupported store URL scheme: {parsed.drivername}")


def _sqlite_engine(url: URL, timeout_seconds: float, create: bool) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            # Open read-write but never create: a missing store must not look like an
            # empty one.
            url = url.set(database=f"file:{path}").update_query_dict({"mode": "rw", "uri": "true"})
    engine = create_engine(
        url,
        connect_args={"timeout": timeout_seconds, "check_same_thread": False},
        pool_timeout=timeout_seconds,
        hide_parameters=True,
    )
    busy_ms = int(timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        del record
        # We issue BEGIN ourselves (below) so that reads run in one snapshot too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if path is not None:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()
        dbapi_connection.set_progress_handler(_past_deadline, PROGRESS_OPS)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def postgres_connect_args(timeout_seconds: float) -> dict[str, Any]:
    """libpq settings that bound every wait (connect_timeout counts whole seconds, min 2),
    and psycopg's: no server-side prepared statements.

    psycopg 3 prepares a statement on the server once it has run 5 times on a connection.
    Through PgBouncer in transaction mode (how the fleet reaches its store) the next
    transaction may run on another backend, which never saw that statement, and PgBouncer
    before 1.21 cannot carry prepared statements across: `prepare_threshold=None` never
    prepares (psycopg's documented setting for this case). A kiosk loses little by it: each
    screen is one `SELECT kiosk_api.<screen>(...)`, and PL/pgSQL keeps the plans of the
    statements inside the functions in the backend anyway. PgBouncer 1.18 also refuses
    `options`: the fleet's PgBouncer drops it (ignore_startup_parameters) and sets the same
    timeouts on its backends itself (connect_query; the settings in realparts/pgbouncer.py).
    """
    ms = int(timeout_seconds * 1000)
    return {
        "prepare_threshold": None,
        "connect_timeout": max(2, math.ceil(timeout_seconds)),
        "options": f"-c statement_timeout={ms} -c lock_timeout={ms} "
        f"-c idle_in_transaction_session_timeout={max(ms * 10, 10000)}",
        "application_name": "sscard-kiosk",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": ms,
    }


def _postgres_engine(url: URL, timeout_seconds: float) -> Engine:
    from kiosk.store import pool_calls

    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # Not libpq's: ?kiosk_pool=shared says PgBouncer logs this kiosk in as the fleet's one
    # pool role, so every call must name and prove the kiosk (kiosk/store/pool_calls.py).
    shared = url.query.get(pool_calls.URL_OPTION)
    url = url.difference_update_query([pool_calls.URL_OPTION])
    if shared not in (None, pool_calls.SHARED):
        raise ValueError(f"{pool_calls.URL_OPTION} must be {pool_calls.SHARED!r}")
    if shared and not (url.username and url.password):
        raise ValueError(f"{pool_calls.URL_OPTION}=shared needs the kiosk's role and password")
    engine = create_engine(
        url,
        connect_args=postgres_connect_args(timeout_seconds),
        # One connection per kiosk: a fleet of 1,000 is 1,000 client connections to
        # PgBouncer, not 4,000. The store lane and the card lane (card_status) may want it
        # at once: the second waits for the first for at most pool_timeout, then fails as
        # an unavailable store. The first holds it for one call (on the fleet store one
        # function call, bounded by statement_timeout). Both are store.timeout_seconds.
        pool_size=1,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        pool_recycle=3600,
        hide_parameters=True,
    )
    event.listen(engine, "handle_error", _server_words)
    if shared and url.username and url.password:
        key = pool_calls.pool_key(url.username, url.password)
        pool_calls.install(engine, pool_calls.PoolIdentity(url.username, key))
    return engine


def _server_words(context: ExceptionContext) -> None:
    """A statement's error as the server words it, without the values it quotes."""
    error = context.original_exception
    words = server_words(error)
    wrapped = context.sqlalchemy_exception  # its text was made from the driver's at once
    if words is not None and wrapped is not None:
        kind = type(error)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {words}",)


def server_words(error: BaseException) -> str | None:
    """Cut a psycopg statement error's text to its first line, a quoted value blanked (in
    place, and returned); None for any other error."""
    if getattr(error, "pgresult", None) is None or not error.args:  # not a statement's
        return None
    words = str(error.args[0]).split("\n", 1)[0]  # not DETAIL, HINT, CONTEXT
    if str(getattr(error, "sqlstate", "") or "").startswith("22"):
        words = _QUOTED.sub('"***"', words)  # a data exception quotes the value it refused
    error.args = (words,)
    return words

"""Create a store from scratch: schema, reference data, the demo people, generated people."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from kiosk.store import models
from kiosk.store.demo import insert_reference, seed_demo
from kiosk.store.engine import make_engine, sqlite_path
from kiosk.store.enrolment_seed import insert_enrolments
from kiosk.store.migrate import upgrade
from kiosk.store.scale import FIRST_ID, ScaleResult, generate

Progress = Callable[[str], None]
SEED_TIMEOUT_SECONDS = 60.0  # lock waits while seeding (statements themselves may run long)


def reset(url: str) -> Engine:
    """An empty store at the newest schema: a new SQLite file, or emptied PostgreSQL tables."""
    parsed = make_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url, SEED_TIMEOUT_SECONDS, create=True)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in models.Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {names}")
    return engine


def create_store(
    url: str,
    now: datetime,
    *,
    persons: int = 0,
    years: int = 1,
    seed: int = 1,
    progress: Progress | None = None,
) -> ScaleResult:
    """Reset the store and fill it with the demo people plus `persons` generated ones."""
    report = progress or (lambda _message: None)
    started = time.perf_counter()
    engine = reset(url)
    now = now.replace(microsecond=0)
    rows = 0
    raw: Any = None
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # Straight to the driver: these pragmas must run outside a transaction.
                raw = connection.connection.driver_connection
                assert raw is not None
                for pragma in (
                    "foreign_keys=OFF",
                    "synchronous=OFF",
                    "cache_size=-1000000",
                    "temp_store=MEMORY",
                ):
                    raw.execute(f"PRAGMA {pragma}")
            else:
                # Load without statement limits, and without per-row foreign-key triggers
                # (the generator's keys are consistent by construction; the tests check).
                connection.exec_driver_sql("SET statement_timeout = 0")
                connection.exec_driver_sql("SET synchronous_commit = off")
                connection.exec_driver_sql("SET work_mem = '256MB'")
                connection.exec_driver_sql("SET session_replication_role = replica")
            insert_reference(connection)
            count = seed_demo(connection, now, seed=seed, years=max(years, 3))
            report(f"demo people: {count}")
            if persons:
                rows = generate(
                    connection, persons=persons, years=years, seed=seed, now=now, progress=report
                )
                # The certificate's enrolments: one INSERT ... SELECT for all of them.
                first = now.year * 12 + now.month - 1 - (years * 12 - 1)  # as generate's
                start = date(first // 12, first % 12 + 1, 1)
                last = FIRST_ID + persons - 1
                enrolments = insert_enrolments(connection, start, FIRST_ID, last)
                report(f"enrolments: {enrolments:,}")
            connection.commit()
            report("analyse")
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
                assert raw is not None
                raw.execute("PRAGMA foreign_keys=ON")
            else:
                connection.exec_driver_sql("SET session_replication_role = origin")
                connection.commit()
        if engine.dialect.name == "postgresql":
            # VACUUM sets the visibility map, so index-only scans need no heap visits.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.exec_driver_sql("SET statement_timeout = 0")
                auto.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()
    return ScaleResult(count + persons, rows, round(time.perf_counter() - started, 1))

"""The seeded stores the bench sections reuse: a SQLite file and a PostgreSQL cluster of
`persons` generated people under KIOSK_BENCH_CACHE, each made once and upgraded to the
newest schema when reused.

A store is reused only when complete: its marker (`sqlite-N.json`, `pg-N/seeded.json`) is
removed before seeding and written, whole, after it. A cluster a killed bench left running
is stopped first (bench/cluster_recovery.py). Each store is locked (flock, released even on
SIGKILL) while a bench checks or seeds it, and a cluster while a bench uses it, so two
benches never seed or stop what the other is using.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.cluster_recovery import stop_left_running
from bench.progress import Progress, seeding
from kiosk.store.engine import make_engine
from kiosk.store.migrate import upgrade
from kiosk.store.seeding import create_store
from realparts.postgres import PostgresCluster

CACHE_ENV = "KIOSK_BENCH_CACHE"
SEED = 1
YEARS = 1


def bench_cache() -> Path:
    default = "/var/tmp/kiosk-bench"  # noqa: S108 (the postgres user must reach it)
    folder = Path(os.environ.get(CACHE_ENV, default))
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    return folder


@contextlib.contextmanager
def locked(path: Path, what: str) -> Iterator[None]:
    """`path` flocked for the block; says so when another bench holds it first."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            Progress(what, 0, "").say(f"waiting for another bench using {path.name}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def complete_marker(marker: Path, persons: int) -> dict[str, Any] | None:
    """The marker's facts if it says this store is seeded with `persons` and SEED."""
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):  # none, or one cut short: not complete
        return None
    if isinstance(info, dict) and info.get("persons") == persons and info.get("seed") == SEED:
        return info
    return None


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def seeded_store(url: str, marker: Path, persons: int) -> tuple[datetime, dict[str, Any]]:
    """The store's `now`, seeding it first unless its marker says it is complete."""
    backend = make_url(url).get_backend_name()
    with locked(marker.with_suffix(".lock"), f"store {backend}"):
        info = complete_marker(marker, persons)
        file = _sqlite_file(url)
        if info is not None and (file is None or file.exists()):
            engine = make_engine(url, 60.0)
            try:
                upgrade(engine)  # a cache seeded by an older version gets the new revisions
            finally:
                engine.dispose()
            return datetime.fromisoformat(info["now"]), info | {"reused": True}
        marker.unlink(missing_ok=True)  # from here until it is written again: incomplete
        now = datetime.now().replace(microsecond=0)
        with seeding(f"seeding {backend}", persons) as progress:
            result = create_store(
                url, now, persons=persons, years=YEARS, seed=SEED, progress=progress
            )
        info = {
            "persons": persons,
            "seed": SEED,
            "now": now.isoformat(),
            "ledger_rows": result.ledger_rows,
            "seed_seconds": result.seconds,
        }
        part = marker.with_name(marker.name + ".part")
        part.write_text(json.dumps(info))
        part.replace(marker)  # written whole, last
    return now, info | {"reused": False}


SHARED_BUFFERS_MB = 8192  # the 1M-person store is 7.4 GB with its indexes: all of it


def _durable(cluster: PostgresCluster, max_connections: int) -> None:
    """Seeded without fsync for speed; measured with it, as a server keeps its WAL. The
    store held in shared_buffers and read into them first, as a city's server is sized to
    hold its working set: this machine's page cache does not keep 7 GB (its memory is
    reclaimed proactively), and a read from its disk costs a random person's first screen
    ~6 ms. A fleet may need more connections than the default 100. (A restart, once.)"""
    import psycopg

    wanted = {"max_connections": max_connections, "shared_buffers": SHARED_BUFFERS_MB * 128}
    with psycopg.connect(
        host=str(cluster.base), user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute("ALTER SYSTEM SET fsync = on")
        connection.execute("ALTER SYSTEM SET full_page_writes = on")
        connection.execute("SELECT pg_reload_conf()")
        connection.execute("CHECKPOINT")
        now: dict[str, int] = dict(
            connection.execute(
                "SELECT name, setting::int FROM pg_settings WHERE name = ANY(%s)", (list(wanted),)
            ).fetchall()
        )
        restart = any(now.get(name, 0) < value for name, value in wanted.items())
        if restart:
            connection.execute(f"ALTER SYSTEM SET max_connections = {int(max_connections)}")
            connection.execute(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS_MB}MB'")
    if restart:
        cluster.stop(mode="fast")
        cluster.start()
    with psycopg.connect(
        host=str(cluster.base), user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        connection.execute(
            "SELECT sum(pg_prewarm(c.oid, 'buffer')) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'kiosk_api') AND c.relkind IN ('r', 'i')"
        )


@contextlib.contextmanager
def seeded_postgres(
    persons: int, max_connections: int = 100
) -> Iterator[tuple[PostgresCluster, datetime, dict[str, Any]]]:
    """The cached PostgreSQL store of `persons` (seeded first if it is not there), running
    with fsync on and at least `max_connections`; stopped on exit."""
    cache = bench_cache()
    cluster = PostgresCluster(
        cache / f"pg-{persons}",
        settings={"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "30min"},
    )
    cluster.base.mkdir(exist_ok=True)
    marker = cluster.base / "seeded.json"
    with locked(cache / f"pg-{persons}.lock", "store postgresql"):
        stop_left_running(cluster)
        try:
            cluster.start()
        except subprocess.CalledProcessError:
            if complete_marker(marker, persons) is not None:
                raise  # a complete store is never thrown away: say why it did not start
            # Killed while initdb or the first start ran: nothing worth keeping is there.
            Progress("store postgresql", 0, "").say("an incomplete cluster: made afresh")
            _remove_data(cluster)
            cluster.start()
        try:
            now, info = seeded_store(cluster.url("postgres"), marker, persons)
            _durable(cluster, max_connections)
            yield cluster, now, info
        finally:
            cluster.stop(mode="fast", wait_seconds=600)


def _remove_data(cluster: PostgresCluster) -> None:
    import shutil

    marker = cluster.base / "seeded.json"
    marker.unlink(missing_ok=True)
    shutil.rmtree(cluster.data, ignore_errors=True)

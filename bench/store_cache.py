"""The seeded stores the bench sections reuse: a SQLite file and a PostgreSQL cluster of
`persons` generated people under KIOSK_BENCH_CACHE, each made once (a marker written after
the seeding says it is complete), upgraded to the newest schema when reused, and a cluster
left running by a killed bench stopped and started again.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

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


def seeded_store(url: str, marker: Path, persons: int) -> tuple[datetime, dict[str, Any]]:
    """The store's `now`, seeding it first unless the marker says it is there already."""
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("persons") == persons and info.get("seed") == SEED:
            engine = make_engine(url, 60.0)
            try:
                upgrade(engine)  # a cache seeded by an older version gets the new revisions
            finally:
                engine.dispose()
            return datetime.fromisoformat(info["now"]), info | {"reused": True}
    now = datetime.now().replace(microsecond=0)
    result = create_store(url, now, persons=persons, years=YEARS, seed=SEED)
    info = {
        "persons": persons,
        "seed": SEED,
        "now": now.isoformat(),
        "ledger_rows": result.ledger_rows,
        "seed_seconds": result.seconds,
    }
    marker.write_text(json.dumps(info))
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
    cluster = PostgresCluster(
        bench_cache() / f"pg-{persons}",
        settings={"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "30min"},
    )
    cluster.base.mkdir(exist_ok=True)
    if cluster.running:  # left by a bench that was killed: stop it, then start afresh
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop(mode="fast")
    cluster.start()
    try:
        now, info = seeded_store(cluster.url("postgres"), cluster.base / "seeded.json", persons)
        _durable(cluster, max_connections)
        yield cluster, now, info
    finally:
        cluster.stop(mode="fast")

"""store section: every screen's latency on a city-scale store, beside its floor.

The store (1,000,000 people, ~20,000,000 ledger rows; --quick: 20,000 people) is seeded
once into KIOSK_BENCH_CACHE (default /var/tmp/kiosk-bench: the postgres user must be able
to reach it) and reused. 2,000 (--quick: 400) random active card holders go through the screens in a
session's order (card_status, overview, the first history page, the annual statement),
once to warm the caches and once measured; after each screen, its floor
(bench/store_floors.py: one hand-written query on the driver, the same data) runs for the
same person, so both see the same caches and the same machine.

- SQLite: AccountService's reads, then the same with the kiosk's local audit row.
- PostgreSQL (fsync on, the tables read into memory first): AccountService logged in as
  kiosk roles (kiosk_api functions, one per screen; each role serves KIOSK_CARDS people,
  under the default ceiling), and as the admin reading the tables, as kiosks did before
  issue 16. Each figure carries the round trips its call sent (the statements counted).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench.stats import summarise
from bench.store_floors import floors
from kiosk.config import KioskConfig
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.migrate import upgrade
from kiosk.store.models import TABLES
from kiosk.store.roles import grant_kiosk_role
from kiosk.store.seeding import create_store
from realparts.postgres import PostgresCluster

CACHE_ENV = "KIOSK_BENCH_CACHE"
SAMPLE = 2000
QUICK_SAMPLE = 400  # --quick: the tests' scale, a minute under CI's load
KIOSK_CARDS = 50  # persons one bench kiosk role serves: under the 60-an-hour default ceiling
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


def _people(engine: Engine, now: datetime, sample: int) -> list[tuple[str, str]]:
    """`sample` random (card number, citizen ID) of active generated cards, as the admin."""
    card, person = TABLES["card"], TABLES["person"]
    with engine.connect() as connection:
        found = connection.execute(
            select(card.c.card_number, person.c.citizen_id)
            .join(person, person.c.id == card.c.person_id)
            .where(
                card.c.status == "active",
                card.c.card_number.like("S%"),
                card.c.expires_on >= now.date(),
            )
        ).all()
    chosen = random.Random(SEED).sample(list(found), min(sample, len(found)))  # noqa: S311
    return [(str(number), str(citizen)) for number, citizen in chosen]


class _Sent:
    """The SELECTs an engine's calls send, as (sql, parameters); on SQLite, read through the
    driver (kiosk.store.compiled), its trace callback sees them with the values inlined."""

    def __init__(self, engine: Engine) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        self._traced: list[Any] = []
        self._engine = engine
        if engine.dialect.name == "sqlite":
            self._hook: tuple[str, Callable[..., None]] = ("checkout", self._trace)
        else:
            self._hook = ("before_cursor_execute", self._cursor)
        event.listen(engine, *self._hook)

    def _keep(self, sql: str, parameters: Any) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((sql, parameters))

    def _cursor(self, *args: Any) -> None:
        self._keep(args[2], args[3])  # statement, parameters

    def _trace(self, driver: Any, *_: Any) -> None:
        driver.set_trace_callback(lambda sql: self._keep(sql, ()))
        self._traced.append(driver)

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self._engine, *self._hook)
        for driver in self._traced:
            driver.set_trace_callback(None)


class _RoundTrips:
    """The SELECTs each screen call sent (on PostgreSQL each one is a round trip)."""

    def __init__(self, engines: list[Engine]) -> None:
        self._sent = [_Sent(engine) for engine in engines]
        self.seen: dict[str, Counter[int]] = {}

    @property
    def count(self) -> int:
        return sum(len(sent.statements) for sent in self._sent)

    def note(self, screen: str, before: int) -> None:
        sent = self.count - before
        self.seen.setdefault(screen, Counter())[sent] += 1

    def typical(self, screen: str) -> int:
        """What a call of `screen` sends (the most common count: a service's first call
        also asks the store once which interface this login has)."""
        return self.seen[screen].most_common(1)[0][0]

    def close(self) -> None:
        for sent in self._sent:
            sent.close()


Screen = Callable[[AccountService, str, int], object]
SCREENS: dict[str, Screen] = {
    "card_status": lambda service, card, year: service.card_status(card),
    "overview": lambda service, card, year: service.summary(card),
    "history_page": lambda service, card, year: service.history(card),
    "annual_statement": lambda service, card, year: service.annual_statement(card, year),
}


def _session_pass(
    services: list[AccountService],
    people: list[tuple[str, str]],
    floor: dict[str, Callable[[str, str], object]],
    *,
    year: int,
    samples: dict[str, list[float]] | None,
    trips: _RoundTrips,
) -> None:
    """Each person's screens in the order a session asks them, each beside its floor."""
    for index, (card, citizen) in enumerate(people):
        service = services[index * len(services) // len(people)]
        service.prove(card, citizen)
        for name, screen in SCREENS.items():
            before = trips.count
            started = time.perf_counter()
            screen(service, card, year)
            _keep(samples, name, started)
            trips.note(name, before)
            if name in floor:
                started = time.perf_counter()
                floor[name](card, citizen)
                _keep(samples, f"{name}.floor", started)
        service.forget(card)


def _keep(samples: dict[str, list[float]] | None, key: str, started: float) -> None:
    if samples is not None:
        samples[key].append((time.perf_counter() - started) * 1000)


def _figures(samples: dict[str, list[float]], trips: _RoundTrips) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name in SCREENS:
        entry: dict[str, Any] = {"ms": summarise(samples[name]), "round_trips": trips.typical(name)}
        if f"{name}.floor" in samples:
            floor = summarise(samples[f"{name}.floor"])
            entry["floor_ms"] = floor
            entry["ratio_p99"] = round(entry["ms"]["p99"] / floor["p99"], 2)
            entry["ratio_p50"] = round(entry["ms"]["p50"] / floor["p50"], 2)
        figures[name] = entry
    return figures


def _plans(service: AccountService, card: str, year: int) -> dict[str, list[str]]:
    """EXPLAIN of every statement the three calls send, for docs/benchmarks.md."""
    calls: dict[str, Callable[[str], object]] = {
        "summary": service.summary,
        "history": service.history,
        "annual_statement": lambda c: service.annual_statement(c, year),
    }
    statements: dict[str, tuple[str, Any]] = {}
    sent = _Sent(service.engine)
    try:
        for name, call in calls.items():
            sent.statements.clear()
            call(card)
            for number, statement in enumerate(sent.statements, start=1):
                statements[f"{name}.{number}"] = statement
    finally:
        sent.close()
    sqlite = service.engine.dialect.name == "sqlite"
    plans = {}
    with service.engine.connect() as connection:
        driver: Any = connection.connection.driver_connection
        for name, (sql, parameters) in statements.items():
            explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql
            cursor = driver.cursor()
            cursor.execute(explain, parameters)
            rows = cursor.fetchall()
            cursor.close()
            plans[name] = [" ".join(sql.split())[:160]] + [
                str(r[-1] if sqlite else r[0]) for r in rows
            ]
    return plans


def _measure_screens(
    services: list[AccountService], people: list[tuple[str, str]], floor: Any, now: datetime
) -> dict[str, Any]:
    trips = _RoundTrips(list({id(s.engine): s.engine for s in services}.values()))
    _session_pass(services, people, floor, year=now.year, samples=None, trips=trips)  # warm-up
    samples: dict[str, list[float]] = {
        key: [] for name in SCREENS for key in (name, f"{name}.floor")
    }
    _session_pass(services, people, floor, year=now.year, samples=samples, trips=trips)
    trips.close()
    return _figures({k: v for k, v in samples.items() if v}, trips)


def _service(url: str, now: datetime, data_dir: Path, *, audit: bool = True) -> AccountService:
    return AccountService(
        make_engine(url, 3.0),
        "bench",
        lambda: now,
        outbox_path=data_dir / "bench-outbox.sqlite3",
        audit=audit,
        key_dir=data_dir,
    )


def _measure_sqlite(url: str, now: datetime, data_dir: Path, sample: int) -> dict[str, Any]:
    """The embedded store as a kiosk runs it (its audit rows written locally), beside each
    screen's hand-written query on a sqlite3 connection of its own."""
    import sqlite3

    service = _service(url, now, data_dir, audit=False)
    raw = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
    try:
        people = _people(service.engine, now, sample)
        figures: dict[str, Any] = {"cards": len(people)}
        figures["reads"] = _measure_screens([service], people, floors(raw, "sqlite", now), now)
        service.audit = True
        figures["with_audit_row"] = _measure_screens([service], people, {}, now)
        figures["plans"] = _plans(service, people[0][0], now.year)
        return figures
    finally:
        raw.close()
        service.close()


def _measure_postgres(
    cluster: PostgresCluster, now: datetime, data_dir: Path, sample: int
) -> dict[str, Any]:
    """A kiosk role on the kiosk_api functions (one per screen, each auditing itself), the
    tables read directly as before issue 16, and the hand-written queries, on the same
    persons. A kiosk serves at most KIOSK_CARDS of them, under the default ceiling."""
    import psycopg

    admin = make_engine(cluster.url("postgres"), 30.0)
    roles = [f"bench_kiosk_{n:02d}" for n in range(1, sample // KIOSK_CARDS + 1)]
    for role in roles:
        grant_kiosk_role(admin, role)
    people = _people(admin, now, sample)
    admin.dispose()
    host = cluster.base
    kiosks = [_service(f"postgresql+psycopg://{r}@/postgres?host={host}", now, data_dir)
              for r in roles]  # fmt: skip
    tables = _service(cluster.url("postgres"), now, data_dir, audit=False)
    raw = psycopg.connect(host=str(host), user="postgres", dbname="postgres", autocommit=True)
    try:
        floor = floors(raw, "postgresql", now)
        figures: dict[str, Any] = {"cards": len(people), "kiosk_roles": len(roles)}
        figures["functions"] = _measure_screens(kiosks, people, floor, now)
        figures["tables_before_issue_16"] = _measure_screens([tables], people, {}, now)
        figures["plans"] = _plans(tables, people[0][0], now.year)
        return figures
    finally:
        raw.close()
        tables.close()
        for kiosk in kiosks:
            kiosk.close()


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


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    del config
    persons = 20_000 if quick else 1_000_000
    cache = bench_cache()
    results: dict[str, Any] = {"persons": persons}
    sqlite_file = cache / f"accounts-{persons}.sqlite3"
    url = f"sqlite:///{sqlite_file}"
    now, info = seeded_store(url, cache / f"sqlite-{persons}.json", persons)
    sample = QUICK_SAMPLE if quick else SAMPLE
    results["sqlite"] = {"store": info, **_measure_sqlite(url, now, cache, sample)}
    with seeded_postgres(persons) as (cluster, now, info):
        results["postgresql"] = {
            "store": info,
            **_measure_postgres(cluster, now, cache, sample),
        }
    return results

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

import random
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench.stats import summarise
from bench.store_cache import SEED, bench_cache, seeded_postgres, seeded_store
from bench.store_figures import store_figures, stores_table
from bench.store_floors import floors
from bench.store_trips import RoundTrips, Sent
from kiosk.config import KioskConfig
from kiosk.services import AccountService
from kiosk.store.engine import PAGE_CACHE_KIB, make_engine
from kiosk.store.models import TABLES
from kiosk.store.roles import grant_kiosk_role
from realparts.postgres import PostgresCluster

SAMPLE = 2000
QUICK_SAMPLE = 400  # --quick: the tests' scale, a minute under CI's load
KIOSK_CARDS = 50  # persons one bench kiosk role serves: under the 60-an-hour default ceiling


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
    trips: RoundTrips,
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


def _figures(samples: dict[str, list[float]], trips: RoundTrips) -> dict[str, Any]:
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
    service.hand_back_connections()  # see _measure_screens
    sent = Sent(service.engine)
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
    for service in services:  # so that the next read checks out a connection Sent sees
        service.hand_back_connections()
    trips = RoundTrips(list({id(s.engine): s.engine for s in services}.values()))
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
    raw.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")  # the page cache the kiosk's store has
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
    return store_figures(results) | {"tables": stores_table(results), "details": results}

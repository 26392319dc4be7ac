"""store section: AccountService latency on a city-scale store, SQLite and PostgreSQL.

The store (1,000,000 people, ~21,000,000 ledger rows; --quick: 20,000 people) is seeded
once into KIOSK_BENCH_CACHE (default /var/tmp/kiosk-bench: the postgres user must be able
to reach it) and reused. Each query is timed for 2,000 random active cards after a warm-up
pass; audit writes are off while timing reads and measured on their own.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.stats import summarise
from kiosk.config import KioskConfig
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.seeding import create_store
from realparts.postgres import PostgresCluster

CACHE_ENV = "KIOSK_BENCH_CACHE"
SAMPLE = 2000
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


def _cards(service: AccountService, now: datetime) -> list[str]:
    with service.engine.connect() as connection:
        card = TABLES["card"]
        numbers = (
            connection.execute(
                select(card.c.card_number).where(
                    card.c.status == "active",
                    card.c.card_number.like("S%"),
                    card.c.expires_on >= now.date(),
                )
            )
            .scalars()
            .all()
        )
    return random.Random(SEED).sample(list(numbers), min(SAMPLE, len(numbers)))  # noqa: S311


def _time(call: Callable[[str], object], cards: list[str]) -> dict[str, float]:
    for card in cards:  # warm-up: the pages these cards need come into the caches
        call(card)
    samples = []
    for card in cards:
        started = time.perf_counter()
        call(card)
        samples.append((time.perf_counter() - started) * 1000)
    return summarise(samples)


def _plans(service: AccountService, card: str, year: int) -> dict[str, list[str]]:
    """EXPLAIN of every statement the three calls send, for docs/benchmarks.md."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        sent.append((args[2], args[3]))  # statement, parameters

    event.listen(service.engine, "before_cursor_execute", capture)
    try:
        calls: dict[str, Callable[[str], object]] = {
            "summary": service.summary,
            "history": service.history,
            "annual_statement": lambda c: service.annual_statement(c, year),
        }
        statements: dict[str, tuple[str, Any]] = {}
        for name, call in calls.items():
            sent.clear()
            call(card)
            for number, (sql, parameters) in enumerate(sent, start=1):
                if sql.lstrip().upper().startswith("SELECT"):
                    statements[f"{name}.{number}"] = (sql, parameters)
    finally:
        event.remove(service.engine, "before_cursor_execute", capture)
    sqlite = service.engine.dialect.name == "sqlite"
    plans = {}
    with service.engine.connect() as connection:
        for name, (sql, parameters) in statements.items():
            explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + sql
            driver: Any = connection.connection.driver_connection
            cursor = driver.cursor()
            cursor.execute(explain, parameters)
            rows = cursor.fetchall()
            cursor.close()
            plans[name] = [" ".join(sql.split())[:160]] + [
                str(r[-1] if sqlite else r[0]) for r in rows
            ]
    return plans


def _measure(url: str, now: datetime, data_dir: Path) -> dict[str, Any]:
    engine = make_engine(url, 3.0)
    service = AccountService(
        engine, "bench", lambda: now, outbox_path=data_dir / "bench-outbox.sqlite3", audit=False
    )
    try:
        cards = _cards(service, now)
        figures: dict[str, Any] = {
            "cards": len(cards),
            "summary_ms": _time(service.summary, cards),
            "history_first_page_ms": _time(service.history, cards),
            "annual_statement_ms": _time(lambda c: service.annual_statement(c, now.year), cards),
        }
        service.audit = True
        figures["summary_with_audit_row_ms"] = _time(service.summary, cards[:500])
        figures["plans"] = _plans(service, cards[0], now.year)
        return figures
    finally:
        service.close()


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    del config
    persons = 20_000 if quick else 1_000_000
    cache = bench_cache()
    results: dict[str, Any] = {"persons": persons}
    sqlite_file = cache / f"accounts-{persons}.sqlite3"
    url = f"sqlite:///{sqlite_file}"
    now, info = seeded_store(url, cache / f"sqlite-{persons}.json", persons)
    results["sqlite"] = {"store": info, **_measure(url, now, cache)}
    cluster = PostgresCluster(
        cache / f"pg-{persons}",
        settings={"shared_buffers": "512MB", "max_wal_size": "4GB", "checkpoint_timeout": "30min"},
    )
    cluster.base.mkdir(exist_ok=True)
    cluster.start()
    try:
        url = cluster.url("postgres")
        now, info = seeded_store(url, cluster.base / "seeded.json", persons)
        results["postgresql"] = {"store": info, **_measure(url, now, cache)}
    finally:
        cluster.stop(mode="fast")
    return results

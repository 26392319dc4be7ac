"""fleet section: 10, 100 and 1,000 kiosks through PgBouncer against one PostgreSQL.

The store section's cached 1,000,000-person PostgreSQL (fsync on), PgBouncer in transaction
mode before it (realparts/pgbouncer.py, `max_db_connections` = BACKENDS), and kiosk roles
`fleet_kiosk_0001`... logging in with SCRAM. For each fleet size the kiosks connect (each
one client connection, held by LOAD_PROCESSES processes: bench/fleet_kiosks.py) and then
sessions arrive at each rate of RATES for STEP_SECONDS. Reported per step: sessions per
second completed, people turned away for want of a free kiosk, failed sessions, p50/p99
of every screen's call as the kiosk waits for it, the backends PostgreSQL ran, and the CPU
the load processes and the whole machine used (the load shares the two cores). The knee
of a fleet size is the highest rate whose sessions all completed with every screen's p99
under the goal.

Bench kiosks serve more people an hour than a clinic's: their roles get a ceiling of
CARDS_PER_HOUR (kiosk_api.kiosk_limit), well above the 60 a real kiosk keeps. Before the
steps, each call's floor (bench/fleet_floors.py) on the same store, for the same people.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from bench import fleet_floors
from bench.fleet_figures import CONFIGURATIONS, fleet_figures, fleet_tables
from bench.fleet_kiosks import SESSION, Plan, StepResult, process_main
from bench.fleet_machine import Machine
from bench.progress import Progress
from bench.stats import summarise
from bench.store_cache import SEED, seeded_postgres
from kiosk.config import KioskConfig
from kiosk.store.engine import make_engine
from kiosk.store.roles import grant_kiosk_role
from realparts.pgbouncer import PgBouncer
from realparts.postgres import PostgresCluster


@dataclass(frozen=True)
class Scale:
    kiosks: tuple[int, ...]
    rates: tuple[float, ...]  # sessions a second, offered in turn
    step_seconds: float
    persons: int


FULL = Scale((10, 100, 1000), (5.0, 10.0, 20.0, 40.0, 80.0), 10.0, 1_000_000)
QUICK = Scale((4, 12), (2.0, 4.0), 3.0, 20_000)
DRAIN_SECONDS = 4.0  # after a step, for the sessions it started to finish
THINK_SECONDS = 0.25  # between a session's screens, on average
LOAD_PROCESSES = 2
ANSWER_SECONDS = 180.0  # a load process's answer after the last step: its logout included
BACKENDS = 50
# The shared pool (migration 0008): every kiosk reaches PostgreSQL as POOL_LOGIN, one pool
# of a few backends a core. Its name carries ROLE_PREFIX so fleet_machine counts them.
SHARED_BACKENDS = 8
POOL_LOGIN = "fleet_kiosk_pool"
CARDS_PER_HOUR = 100_000
PEOPLE = 20_000
GOAL: dict[str, float] = {"kiosks": 1000, "sessions_per_second": 20.0, "p99_ms": 20.0}
ROLE_PREFIX = "fleet_kiosk_"


def _roles(cluster: PostgresCluster, count: int) -> tuple[list[str], str]:
    """`count` kiosk roles with one password, made once per cached cluster (SCRAM
    verifiers cost a few ms each) and listed in fleet-roles.json beside it."""
    marker = cluster.base / "fleet-roles.json"
    roles = [f"{ROLE_PREFIX}{n:04d}" for n in range(1, count + 1)]
    if marker.exists():
        known = json.loads(marker.read_text())
        if known.get("count", 0) >= count:
            return roles, str(known["password"])
    password = secrets.token_urlsafe(18)
    admin = make_engine(cluster.url("postgres"), 60.0)
    try:
        for role in roles:
            grant_kiosk_role(admin, role, password)
        with admin.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO kiosk_api.kiosk_limit (kiosk_role, cards_per_hour)"
                    " SELECT :prefix || lpad(n::text, 4, '0'), :limit"
                    " FROM generate_series(1, :count) n ON CONFLICT (kiosk_role)"
                    " DO UPDATE SET cards_per_hour = excluded.cards_per_hour"
                ),
                {"prefix": ROLE_PREFIX, "limit": CARDS_PER_HOUR, "count": count},
            )
    finally:
        admin.dispose()
    marker.write_text(json.dumps({"count": count, "password": password}))
    marker.chmod(0o600)
    return roles, password


def _pool_login(cluster: PostgresCluster, roles: list[str], password: str) -> None:
    """POOL_LOGIN, and every kiosk's shared-pool key digest (as grant-kiosk-role stores it;
    set on each run: a cache made before migration 0008 has none)."""
    from kiosk.store.roles import grant_pool_role, set_pool_keys

    admin = make_engine(cluster.url("postgres"), 60.0)
    try:
        grant_pool_role(admin, POOL_LOGIN)
        with admin.begin() as connection:
            set_pool_keys(connection, roles, password)
    finally:
        admin.dispose()


def _people(cluster: PostgresCluster, now: datetime) -> tuple[tuple[str, str], ...]:
    import psycopg

    with psycopg.connect(host=str(cluster.base), user="postgres", dbname="postgres") as c:
        rows = c.execute(
            "SELECT c.card_number, p.citizen_id FROM card c JOIN person p ON p.id = c.person_id"
            " WHERE c.status = 'active' AND c.card_number LIKE 'S%%' AND c.expires_on >= %s"
            " ORDER BY md5(c.card_number || %s) LIMIT %s",
            (now.date(), str(SEED), PEOPLE),
        ).fetchall()
    return tuple((str(card), str(citizen)) for card, citizen in rows)


def _answer(answers: Any) -> Any:
    try:
        return answers.get(timeout=ANSWER_SECONDS)
    except queue.Empty:
        return f"no answer {ANSWER_SECONDS:g} s after the last step"


def _merge(parts: list[StepResult]) -> StepResult:
    merged = StepResult()
    for part in parts:
        for name, values in part.latencies_ms.items():
            merged.latencies_ms.setdefault(name, []).extend(values)
        merged.sessions_ms.extend(part.sessions_ms)
        merged.arrivals += part.arrivals
        merged.sessions += part.sessions
        merged.turned_away += part.turned_away
        merged.cpu_seconds += part.cpu_seconds
        for kind, count in part.errors.items():
            merged.errors[kind] = merged.errors.get(kind, 0) + count
    return merged


def _step_figures(rate: float, result: StepResult, seconds: float) -> dict[str, Any]:
    screens = {name: summarise(result.latencies_ms[name]) for name in SESSION
               if result.latencies_ms.get(name)}  # fmt: skip
    worst = max((s["p99"] for s in screens.values()), default=0.0)
    # Met: everyone who came was served, completely, with every screen under the goal.
    met = result.sessions == result.arrivals > 0 and not result.errors and worst < GOAL["p99_ms"]
    return {
        "offered_per_second": rate,
        "sessions_per_second": round(result.sessions / seconds, 2),
        "arrivals": result.arrivals,
        "sessions": result.sessions,
        "turned_away": result.turned_away,
        "failed": result.errors,
        "screens_ms": screens,
        "worst_screen_p99_ms": worst,
        "load_cpu_pct_of_one_core": round(100 * result.cpu_seconds / seconds, 1),
        "meets_goal": met,
    }


def _phase(
    bouncer: PgBouncer,
    cluster: PostgresCluster,
    *,
    roles: list[str],
    password: str,
    people: tuple[tuple[str, str], ...],
    now: datetime,
    scale: Scale,
    label: str,
    shared_pool: bool,
) -> dict[str, Any]:
    rates, step = scale.rates, scale.step_seconds
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(LOAD_PROCESSES + 1)
    answers = context.Queue()
    processes = []
    for index in range(LOAD_PROCESSES):
        plan = Plan(
            port=bouncer.port,
            password=password,
            roles=tuple(roles[index::LOAD_PROCESSES]),
            people=people,
            now=now,
            rates=tuple(rate / LOAD_PROCESSES for rate in rates),
            step_seconds=step,
            drain_seconds=DRAIN_SECONDS,
            think_seconds=THINK_SECONDS,
            seed=SEED + index,
            shared_pool=shared_pool,
        )
        process = context.Process(target=process_main, args=(plan, barrier, answers))
        process.start()
        processes.append(process)
    machine = Machine(cluster, ROLE_PREFIX)
    total = round(len(rates) * (step + DRAIN_SECONDS))
    progress = Progress(label, total, "s of steps", rate=False)
    try:
        progress.say(f"{len(roles):,} kiosks logging in")
        barrier.wait(600)
        start_at = time.time() + 0.5  # as the load processes count (fleet_kiosks)
        ends = start_at + len(rates) * (step + DRAIN_SECONDS)
        while time.time() < ends:
            time.sleep(1.0)
            machine.sample()
            done = min(total, max(0, round(time.time() - start_at)))
            index = min(len(rates) - 1, int(done // (step + DRAIN_SECONDS)))
            progress.update(done, f"step {index + 1}/{len(rates)}: {rates[index]:g} sessions/s")
        machine.memory()  # once the last step is over: see _Machine.memory
        answered = [_answer(answers) for _ in processes]
    finally:
        machine.close()
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    failures = [a for a in answered if isinstance(a, str)]
    if failures:
        raise RuntimeError(f"a load process failed: {failures[0]}")
    steps = []
    for index, rate in enumerate(rates):
        merged = _merge([a[1][index] for a in answered])
        figures = _step_figures(rate, merged, step)
        begins = start_at + index * (step + DRAIN_SECONDS)
        figures |= machine.during(begins, begins + step + DRAIN_SECONDS)
        steps.append(figures)
    meeting = [s["offered_per_second"] for s in steps if s["meets_goal"]]
    return {
        "kiosks": len(roles),
        "postgres_anon_mb_after": (
            round(machine.private_kb[-1][1] / 1024) if machine.private_kb else None
        ),
        "login_seconds": round(max(a[0] for a in answered), 2),
        "steps": steps,
        "knee_sessions_per_second": max(meeting) if meeting else None,
    }


def _configuration(
    fleet: dict[str, Any],
    kiosks: tuple[int, ...],
    backends: int,
    settings: dict[str, str],
    pool_user: str | None = None,
) -> dict[str, Any]:
    """Each fleet size of `kiosks` through one PgBouncer with `backends` at most (all as
    `pool_user`, one pool, if given)."""
    figures: dict[str, Any] = {"max_db_connections": backends}
    every = {"max_db_connections": str(backends), **settings}
    with PgBouncer(
        fleet["cluster"], settings=every, timeout_seconds=5.0, pool_user=pool_user
    ) as bouncer:
        for count in kiosks:
            figures[f"kiosks_{count}"] = _phase(
                bouncer,
                fleet["cluster"],
                roles=fleet["roles"][:count],
                password=fleet["password"],
                people=fleet["people"],
                now=fleet["now"],
                scale=fleet["scale"],
                label=f"fleet {fleet['label']}, {count:,} kiosks",
                shared_pool=pool_user is not None,
            )
        figures["pgbouncer_evictions"] = bouncer.log_text().count("evict")
    return figures


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    del config
    scale = QUICK if quick else FULL
    most = max(scale.kiosks)
    results: dict[str, Any] = {
        "persons": scale.persons,
        "load_processes": LOAD_PROCESSES,
        "think_seconds": THINK_SECONDS,
        "step_seconds": scale.step_seconds,
        "goal": GOAL,
        "cpus": os.cpu_count(),
    }
    with seeded_postgres(scale.persons, max_connections=most + 100) as (cluster, now, _):
        roles, password = _roles(cluster, most)
        _pool_login(cluster, roles, password)
        people = _people(cluster, now)
        floors = fleet_floors.measure(cluster, people, now, quick)
        results["floors_ms"] = floors
        fleet = {"cluster": cluster, "roles": roles, "password": password,
                 "people": people, "now": now, "scale": scale}  # fmt: skip
        # The shared pool: every kiosk through one pool of SHARED_BACKENDS (migration 0008).
        results["shared_pool"] = _configuration(
            fleet | {"label": "shared pool"}, scale.kiosks, SHARED_BACKENDS, {}, POOL_LOGIN
        )
        # A pool per kiosk role sharing BACKENDS backends, as before migration 0008.
        results["pooled"] = _configuration(fleet | {"label": "pooled"}, scale.kiosks, BACKENDS, {})
        # Beside it: a backend for every kiosk (none is ever evicted), at the largest fleet.
        fleet["label"] = "backend per kiosk"
        results["backend_per_kiosk"] = _configuration(
            fleet, (most,), most + 10, {"server_idle_timeout": "600"}
        )
    for name in CONFIGURATIONS:
        goal = results[name].get(f"kiosks_{int(GOAL['kiosks'])}")
        if goal is not None:
            at_goal = [
                s for s in goal["steps"] if s["offered_per_second"] == GOAL["sessions_per_second"]
            ]
            results[name]["goal_met"] = bool(at_goal and at_goal[0]["meets_goal"])
    return fleet_figures(results, floors, GOAL) | {
        "tables": fleet_tables(results),
        "details": results,
    }

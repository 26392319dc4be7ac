"""One load process of the fleet section: many kiosks, each one connection through PgBouncer.

A thousand Python processes would not fit on this machine (tens of MB each), so a load
process holds its share of the kiosks as asyncio psycopg connections, each logged in as
its own kiosk role and running the session a person has: card_status, overview, a
history page, contributions, the receipt's data and the print's audit row, one kiosk_api
call each (the statements kiosk.store.fleet_api sends), with a person's pause between
them. Sessions arrive at random (Poisson) at the step's rate, each at a kiosk nobody is
using; with none free the person is counted as turned away. Every step starts at a time
fixed once all have logged in, so the load processes keep in step without talking.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import re
import resource
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.store.fleet_api import CARD_STATUS_SQL, RECORD_SQL, screen_sql
from kiosk.store.pool_calls import PoolIdentity, pool_key, pooled_call

CALL_TIMEOUT_SECONDS = 5.0
START_DELAY_SECONDS = 0.5
CONNECT_AT_ONCE = 20
WARM_UP_AT_ONCE = 10  # logins in flight per process (SCRAM costs CPU on both ends)
SESSION = ("card_status", "overview", "history_page", "contributions", "receipt_data", "record")


@dataclass(frozen=True)
class Plan:
    """What one load process does: its kiosks, the people, and the steps' schedule."""

    port: int
    password: str
    roles: tuple[str, ...]
    people: tuple[tuple[str, str], ...]
    now: datetime
    rates: tuple[float, ...]  # this process's share of each step's sessions per second
    step_seconds: float
    drain_seconds: float
    think_seconds: float
    seed: int
    shared_pool: bool = False  # PgBouncer logs all in as one role: each call proves its kiosk


@dataclass
class StepResult:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    sessions_ms: list[float] = field(default_factory=list)
    arrivals: int = 0
    sessions: int = 0
    turned_away: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0


def _psycopg_sql(sql: str) -> str:
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


# The statements kiosk.store.fleet_api sends, in psycopg's parameter style.
_STATEMENTS = {
    "card_status": _psycopg_sql(CARD_STATUS_SQL),
    "record": _psycopg_sql(RECORD_SQL),
    **{
        name: _psycopg_sql(screen_sql(name))
        for name in ("overview", "history_page", "contributions", "receipt_data")
    },
}


def _arguments(name: str, card: str, citizen: str, now: datetime) -> dict[str, Any]:
    common = {"card": card, "citizen": citizen}
    if name == "overview":
        return common | {"year": now.year, "region_code": None}
    if name == "history_page":
        return common | {"kind": None, "since": None, "page_limit": 20, "page_offset": 0}
    if name == "contributions":
        return common | {"since": date(now.year - 1, now.month, 1)}
    if name == "receipt_data":
        return common | {"since": now - timedelta(days=365), "entries": 10, "region_code": None}
    if name == "record":
        return {"action": "print", "outcome": "ok", "card": card, "at": now,
                "key": uuid.uuid4().hex}  # fmt: skip
    return {"card": card}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _connect(plan: Plan, role: str) -> Any:
    import psycopg

    return await psycopg.AsyncConnection.connect(
        host="127.0.0.1",
        port=plan.port,
        user=role,
        password=plan.password,
        dbname="postgres",
        autocommit=True,  # one call, one transaction, as the kiosk's engine runs them
        prepare_threshold=None,  # PgBouncer 1.18 in transaction mode: no prepared statements
        connect_timeout=30,
    )


class _Fleet:
    def __init__(self, plan: Plan, connections: list[Any]) -> None:
        self.plan = plan
        self.idle = list(range(len(connections)))
        self.connections = connections
        self.random = random.Random(plan.seed)  # noqa: S311 (load, not secrets)
        self.think = plan.think_seconds
        self.tasks: list[asyncio.Task[None]] = []
        # What kiosk.store.pool_calls sends for a kiosk on the shared pool.
        self.identities = (
            [PoolIdentity(role, pool_key(role, plan.password)) for role in plan.roles]
            if plan.shared_pool
            else None
        )

    async def session(self, kiosk: int, result: StepResult) -> None:
        plan = self.plan
        card, citizen = self.random.choice(plan.people)
        connection = self.connections[kiosk]
        started = time.perf_counter()
        try:
            for number, name in enumerate(SESSION):
                if number:
                    await asyncio.sleep(self.think * self.random.uniform(0.5, 1.5))
                statement, arguments = _STATEMENTS[name], _arguments(name, card, citizen, plan.now)
                sent = time.perf_counter()
                if self.identities is not None:
                    statement, arguments = pooled_call(statement, arguments, self.identities[kiosk])
                cursor = await asyncio.wait_for(
                    connection.execute(statement, arguments), CALL_TIMEOUT_SECONDS
                )
                answer = await cursor.fetchone()
                result.latencies_ms.setdefault(name, []).append((time.perf_counter() - sent) * 1000)
                if name == "card_status" and answer[0] != "active":
                    raise RuntimeError(f"card_status answered {answer[0]}")
                if name not in ("card_status", "record") and '"refused"' in answer[0][:40]:
                    raise RuntimeError(f"{name} refused")
            result.sessions += 1
            result.sessions_ms.append((time.perf_counter() - started) * 1000)
        except Exception as error:  # a failed session is a figure, not the end of the bench
            kind = type(error).__name__
            result.errors[kind] = result.errors.get(kind, 0) + 1
            if connection.closed or connection.broken:
                try:
                    self.connections[kiosk] = await _connect(plan, plan.roles[kiosk])
                except Exception as again:
                    result.errors[type(again).__name__] = (
                        result.errors.get(type(again).__name__, 0) + 1
                    )
                    return
        self.idle.append(kiosk)

    async def close(self) -> None:
        """Sessions still running past the last step are cancelled (a cancelled call makes
        psycopg cancel it on the server, through PgBouncer), then every kiosk logs out."""
        running = [task for task in self.tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=CALL_TIMEOUT_SECONDS * 2)
        for connection in self.connections:
            with contextlib.suppress(Exception):  # a broken one is closed already
                await asyncio.wait_for(connection.close(), CALL_TIMEOUT_SECONDS)

    async def warm_up(self) -> None:
        """One session on every kiosk, a few at a time, without pauses, not counted: a
        fleet that has been up a while has run each kiosk's functions once (PL/pgSQL
        compiles them in each new backend); whether its backend is still there when the
        next session comes is what the steps then measure."""
        gate = asyncio.Semaphore(WARM_UP_AT_ONCE)
        think, self.think = self.think, 0.0

        async def one(kiosk: int) -> None:
            async with gate:
                self.idle.remove(kiosk)
                await self.session(kiosk, StepResult())

        await asyncio.gather(*(one(kiosk) for kiosk in range(len(self.connections))))
        self.think = think

    async def step(self, rate: float, begins: float) -> StepResult:
        plan = self.plan
        result = StepResult()
        await asyncio.sleep(max(0.0, begins - time.time()))
        cpu = _cpu()
        ends = begins + plan.step_seconds
        tasks: list[asyncio.Task[None]] = []
        self.tasks = tasks
        arrival = time.time()
        while rate > 0:
            arrival += self.random.expovariate(rate)
            if arrival >= ends:
                break
            await asyncio.sleep(max(0.0, arrival - time.time()))
            result.arrivals += 1
            if not self.idle:
                result.turned_away += 1
                continue
            kiosk = self.idle.pop(self.random.randrange(len(self.idle)))
            tasks.append(asyncio.create_task(self.session(kiosk, result)))
        if tasks:
            await asyncio.wait(tasks, timeout=max(0.1, ends + plan.drain_seconds - time.time()))
        result.cpu_seconds = _cpu() - cpu
        return result


async def _run(plan: Plan, barrier: Any) -> tuple[float, list[StepResult]]:
    started = time.perf_counter()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def login(role: str) -> Any:
        async with gate:
            return await _connect(plan, role)

    connections = list(await asyncio.gather(*(login(role) for role in plan.roles)))
    connected = time.perf_counter() - started
    fleet = _Fleet(plan, connections)
    await fleet.warm_up()
    # The instrument must not stall what it times: a full collection over this process's
    # objects (connections, tasks, samples) holds the event loop for up to ~0.5 s, which
    # would count as the store's. Collect now, then keep the collector off while timing.
    gc.collect()
    gc.freeze()
    gc.disable()
    # Every load process (and the coordinator) passes the barrier within milliseconds, so
    # the schedule from here is one schedule.
    await asyncio.to_thread(barrier.wait, 600)
    start_at = time.time() + START_DELAY_SECONDS
    results = []
    for index, rate in enumerate(plan.rates):
        begins = start_at + index * (plan.step_seconds + plan.drain_seconds)
        results.append(await fleet.step(rate, begins))
    await fleet.close()
    gc.enable()
    return connected, results


def process_main(plan: Plan, barrier: Any, answers: Any) -> None:
    """A load process: log every kiosk in, pass the barrier, run the steps, and answer
    (seconds the logins took, one StepResult a step), or the error that stopped it."""
    # A call past CALL_TIMEOUT_SECONDS is cancelled and counted; psycopg's warning about
    # each such cancellation would drown the bench's output.
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    try:
        answers.put(asyncio.run(_run(plan, barrier)))
    except BaseException as error:  # the coordinator reports it; the process ends anyway
        barrier.abort()
        answers.put(f"{type(error).__name__}: {error}")

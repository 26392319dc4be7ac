"""The fleet through PgBouncer in transaction mode (issue 16, "Connections for a city").

A real PgBouncer 1.18 (realparts/pgbouncer.py) before the kiosk_api store: kiosk roles log
in with their own password, every screen through the functions answers what the table path
answers an admin, the server's audit and heartbeat rows land under the right kiosk, nothing
leans on session state, a kiosk holds one connection, and fifty kiosks at once share at most
max_db_connections backends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text

from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.errors import StoreUnavailable
from realparts.pgbouncer import PgBouncer
from realparts.postgres import PostgresCluster
from tests.kiosk.store_api.conftest import BOUNCER_TIMEOUT, DATABASE, NOW, BouncerURL, active_people
from tests.kiosk.store_api.test_kiosk_on_functions import screens

pytestmark = pytest.mark.integration
ROLE = "kiosk_through_pgbouncer"
FLEET = 50  # kiosk roles at once in the fleet test


@pytest.fixture
def people(owner: Engine) -> list[tuple[str, str]]:
    return active_people(owner, FLEET)


def service(url: str, folder: Path, kiosk_id: str, name: str, timeout: float) -> AccountService:
    # One folder for a test's services: they share the installation's pseudonym key, so
    # their receipts carry the same card pseudonym.
    return AccountService(
        make_engine(url, timeout),
        kiosk_id,
        lambda: NOW,
        timeout_seconds=timeout,
        outbox_path=folder / f"{name}.outbox.sqlite3",
    )


Services = Callable[..., AccountService]


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    made: list[AccountService] = []

    def make(
        url: str, kiosk_id: str, name: str, timeout: float = BOUNCER_TIMEOUT
    ) -> AccountService:
        made.append(service(url, tmp_path, kiosk_id, name, timeout))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _driver(engine: Engine) -> psycopg.Connection[Any]:
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def test_every_screen_through_pgbouncer_equals_the_table_path(
    pgbouncer_url: BouncerURL,
    api_pgbouncer: PgBouncer,
    store_url: str,
    services: Services,
    people: list[tuple[str, str]],
) -> None:
    kiosk = services(pgbouncer_url(ROLE), ROLE, "kiosk")
    admin = services(store_url, ROLE, "admin")
    for card, citizen in people[:5]:
        kiosk.card_status(card)  # the opening every screen needs, committed on its own
        assert kiosk._fleet is True  # a kiosk role: functions only
        kiosk.prove(card, citizen)
        assert screens(kiosk, card) == screens(admin, card), card
        receipt = kiosk.receipt_data(card, NOW, "S-1", entries=4, card_region="320100")
        assert receipt == admin.receipt_data(card, NOW, "S-1", entries=4, card_region="320100")
    # It really went through PgBouncer, on TCP, as the kiosk role.
    (pool,) = [p for p in api_pgbouncer.show("POOLS") if p["user"] == ROLE]
    assert pool["database"] == DATABASE
    assert pool["pool_mode"] == "transaction"
    assert _driver(kiosk.engine).info.port == api_pgbouncer.port


def test_heartbeat_and_audit_rows_land_through_pgbouncer(
    pgbouncer_url: BouncerURL, owner: Engine, services: Services, people: list[tuple[str, str]]
) -> None:
    role = "kiosk_pgb_rows"
    kiosk = services(pgbouncer_url(role), role, "kiosk")
    card, citizen = people[0]
    kiosk.card_status(card)
    kiosk.prove(card, citizen)
    kiosk.summary(card, "320100")
    kiosk.record_query("print", "ok", card)
    kiosk.record_heartbeat("ok (1)", "ready", 40_000, version="0.1.0")
    with owner.connect() as connection:
        rows = connection.execute(
            text("SELECT action, outcome, card_ref FROM audit_event WHERE kiosk_id = :k"),
            {"k": role},
        ).all()
        beat = connection.execute(
            text("SELECT reader_state, version FROM kiosk_heartbeat WHERE kiosk_id = :k"),
            {"k": role},
        ).one()
    actions = {(action, outcome) for action, outcome, _ref in rows}
    assert {("card_status", "ok"), ("overview", "ok"), ("print", "ok")} <= actions
    assert all(ref is not None and len(ref) == 64 for _a, _o, ref in rows)  # server HMAC
    assert tuple(beat) == ("ok (1)", "0.1.0")
    assert kiosk.outbox_pending == 0


def test_nothing_relies_on_session_state(
    pgbouncer_url: BouncerURL,
    api_cluster: PostgresCluster,
    store_url: str,
    services: Services,
    people: list[tuple[str, str]],
) -> None:
    """Two kiosk processes of one role share its single backend (max_user_connections=1),
    transaction by transaction, each call more often than psycopg's prepare threshold."""
    role = "kiosk_pgb_shared"
    url = pgbouncer_url(role)
    first, second = services(url, role, "first"), services(url, role, "second")
    admin = services(store_url, role, "admin")
    card, citizen = people[1]
    for accounts in (first, second):
        accounts.card_status(card)
        accounts.prove(card, citizen)
    expected = screens(admin, card)
    for _round in range(7):  # psycopg would prepare from the 6th run (threshold 5)
        for accounts in (first, second):
            assert screens(accounts, card) == expected
    for accounts in (first, second):
        driver = _driver(accounts.engine)
        assert driver.prepare_threshold is None
        with accounts.engine.connect() as connection:
            # READ COMMITTED, as the functions demand (PgBouncer leaves BEGIN alone), and
            # the timeouts PgBouncer set on the backend (it drops the kiosk's `options`).
            assert connection.execute(text("SHOW transaction_isolation")).scalar_one() == (
                "read committed"
            )
            timeout = connection.execute(
                text("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
            ).scalar_one()
            assert int(timeout) == int(BOUNCER_TIMEOUT * 1000)
            assert connection.execute(text("SELECT session_user")).scalar_one() == role
    with psycopg.connect(host=str(api_cluster.base), user="postgres", dbname=DATABASE) as pg:
        backends = pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (role,)
        ).fetchone()
    assert backends == (1,)  # two clients, one backend
    # What prepare_threshold=None avoids: with psycopg's default, the second client's
    # prepared statement collides with the first one's on the backend they share.
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    clients = [psycopg.connect(plain) for _ in range(2)]
    try:
        with pytest.raises(
            (psycopg.errors.DuplicatePreparedStatement, psycopg.errors.InvalidSqlStatementName)
        ):
            _take_turns(clients, card, rounds=7)
    finally:
        for client in clients:
            client.close()


def _take_turns(clients: list[psycopg.Connection[Any]], card: str, rounds: int) -> None:
    for _round in range(rounds):
        for client in clients:
            client.execute("SELECT kiosk_api.card_status(%s)", (card,)).fetchone()
            client.commit()


def test_a_kiosk_holds_one_connection_and_a_second_lane_waits_at_most_its_timeout(
    pgbouncer_url: BouncerURL, services: Services, people: list[tuple[str, str]]
) -> None:
    """The store lane and the card lane share the kiosk's one connection: the second waits
    for the first, never longer than store.timeout_seconds (pool_timeout)."""
    role = "kiosk_pgb_lanes"
    kiosk = services(pgbouncer_url(role), role, "kiosk", timeout=1.0)
    card, _citizen = people[2]
    kiosk.card_status(card)
    pool: Any = kiosk.engine.pool
    assert (pool.size(), pool._max_overflow, pool.timeout()) == (1, 0, 1.0)
    failed: list[tuple[float, BaseException]] = []

    def card_lane() -> None:
        started = time.monotonic()
        try:
            kiosk.card_status(card)
        except StoreUnavailable as error:
            failed.append((time.monotonic() - started, error))

    with kiosk.engine.connect():  # the store lane holds the connection
        lane = threading.Thread(target=card_lane)
        lane.start()
        lane.join(10)
    ((waited, error),) = failed
    assert 0.9 <= waited < 3.0, waited
    assert "TimeoutError" in str(error)
    # Released in time, the waiting lane is served.
    with kiosk.engine.connect():
        lane = threading.Thread(target=card_lane)
        lane.start()
        time.sleep(0.3)
    lane.join(10)
    assert len(failed) == 1


IN_TRANSACTION = ("active", "idle in transaction", "idle in transaction (aborted)")


def _fleet_backends(admin: psycopg.Connection[Any], roles: list[str]) -> tuple[set[int], int]:
    """The kiosk roles' backends on PostgreSQL, and how many are inside a transaction."""
    rows = admin.execute(
        "SELECT pid, state FROM pg_stat_activity WHERE usename = ANY(%s)", (roles,)
    ).fetchall()
    busy = sum(state in IN_TRANSACTION for _pid, state in rows)
    return {pid for pid, _state in rows}, busy


def _servers(console: psycopg.Connection[Any]) -> list[int]:
    """The backends PgBouncer holds for the store (its remote_pid), any pool."""
    cursor = console.execute("SHOW SERVERS")
    names = [column.name for column in cursor.description or ()]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [int(r["remote_pid"]) for r in rows if r["database"] == DATABASE]


def test_fifty_kiosks_at_once_share_at_most_max_db_connections_backends(
    api_pgbouncer: PgBouncer,
    owner: Engine,
    pgbouncer_url: BouncerURL,
    services: Services,
    people: list[tuple[str, str]],
) -> None:
    cap = api_pgbouncer.max_db_connections
    assert 4 * cap < FLEET
    roles = [f"fleet_kiosk_{n:04d}" for n in range(FLEET)]
    kiosks = [services(pgbouncer_url(role), role, role) for role in roles]
    admin = services(owner.url.render_as_string(hide_password=False), "fleet_admin", "admin")
    expected = {card: admin.summary(card, "320100") for card, _citizen in people}
    connected = threading.Barrier(FLEET + 1, timeout=120)
    errors: list[str] = []
    served: dict[str, Any] = {}

    def run(accounts: AccountService, card: str, citizen: str) -> None:
        try:
            try:
                accounts.record_heartbeat("ok (1)", "ready", 40_000)  # connect and log in
            finally:
                connected.wait()
            accounts.card_status(card)
            accounts.prove(card, citizen)
            for _screen in range(2):
                served[accounts.kiosk_id] = accounts.summary(card, "320100")
                time.sleep(0.05)  # someone reads the screen
                accounts.history(card, page=1, page_size=5)
                accounts.contributions(card)
                time.sleep(0.05)
                accounts.flagged_charges(card)
                accounts.family_bindings(card)
            accounts.record_query("print", "ok", card)
        except Exception as error:  # collected and asserted below
            errors.append(f"{accounts.kiosk_id}: {error!r}")

    peaks = {"held": 0, "busy": 0, "raw": 0, "servers": 0}
    over: list[int] = []
    samples = [0]
    done = threading.Event()

    def sample() -> None:
        with (
            psycopg.connect(
                host=str(api_pgbouncer.cluster.base),
                user="postgres",
                dbname=DATABASE,
                autocommit=True,
            ) as pg,
            api_pgbouncer.console() as console,
        ):
            while not done.is_set():
                pids, busy = _fleet_backends(pg, roles)
                servers = _servers(console)
                held = pids & set(servers)
                peaks["held"] = max(peaks["held"], len(held))
                peaks["busy"] = max(peaks["busy"], busy)
                peaks["raw"] = max(peaks["raw"], len(pids))
                peaks["servers"] = max(peaks["servers"], len(servers))
                samples[0] += 1
                if len(pids) > cap:
                    over.append(len(pids))
                time.sleep(0.005)

    threads = [
        threading.Thread(target=run, args=(accounts, *people[n]))
        for n, accounts in enumerate(kiosks)
    ]
    for thread in threads:
        thread.start()
    connected.wait()  # every kiosk connected and logged in
    clients = [c for c in api_pgbouncer.show("CLIENTS") if c["user"] in set(roles)]
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    for thread in threads:
        thread.join(180)
    elapsed = time.monotonic() - started
    done.set()
    sampler.join(10)

    assert errors == []
    assert len(clients) == FLEET  # fifty kiosks connected at once
    # Every kiosk read its own person, and the server wrote its rows under its own role.
    for n, role in enumerate(roles):
        assert served[role] == expected[people[n][0]], role
    with owner.connect() as connection:
        audited = dict(
            connection.execute(
                text(
                    "SELECT kiosk_id, count(*) FILTER (WHERE action = 'overview')"
                    " FROM audit_event WHERE kiosk_id LIKE 'fleet_kiosk_%' GROUP BY kiosk_id"
                )
            ).all()
        )
        beats = connection.execute(
            text("SELECT count(*) FROM kiosk_heartbeat WHERE kiosk_id LIKE 'fleet_kiosk_%'")
        ).scalar_one()
    assert audited == dict.fromkeys(roles, 2)
    assert beats == FLEET
    print(  # shown with -s, and with the failure if an assertion below fails
        f"\n{FLEET} kiosks through PgBouncer (max_db_connections={cap}) in {elapsed:.1f} s,"
        f" {samples[0]} samples: PgBouncer servers <= {peaks['servers']}, kiosk backends"
        f" in a transaction <= {peaks['busy']}, held by PgBouncer <= {peaks['held']},"
        f" pg_stat_activity <= {peaks['raw']} ({len(over)} samples over the cap)"
    )
    # The backends: PgBouncer never held more than max_db_connections (the auth_user's
    # included); PostgreSQL never ran more kiosk transactions at once, nor had more kiosk
    # backends that PgBouncer still held. An evicted backend stays in pg_stat_activity
    # for the moment it takes to exit, so the raw count may pass the cap by those (here
    # by one, in a few samples of some hundreds); it stays far from one per kiosk.
    assert samples[0] >= 20
    assert peaks["servers"] <= cap
    assert peaks["busy"] <= cap
    assert peaks["held"] <= cap
    assert peaks["raw"] <= 2 * cap

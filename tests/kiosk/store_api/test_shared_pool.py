"""The fleet through ONE PgBouncer pool (migration 0008, kiosk/store/pool_calls.py).

A real PgBouncer 1.18 logs every kiosk in to PostgreSQL as one pool role (`user=` on its
database): the screens still answer as the table path does, each kiosk's audit and
heartbeat rows land under that kiosk, and a kiosk's stolen login cannot act as another
kiosk, reach a kiosk_api function or a table past the wrappers, or claim a kiosk by
setting the caller itself; nor can a kiosk logging in directly.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import Engine, text

from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.pool_calls import pool_key
from kiosk.store.roles import KioskRoleError, grant_kiosk_role, grant_pool_role
from realparts.pgbouncer import HOST, PGBOUNCER, PgBouncer
from realparts.postgres import PG_USER, PostgresCluster
from tests.kiosk.store_api.conftest import BOUNCER_TIMEOUT, DATABASE, NOW, active_people
from tests.kiosk.store_api.test_kiosk_on_functions import screens

pytestmark = pytest.mark.integration
POOL_ROLE = "fleet_pool_login"
FLEET = 40


@pytest.fixture(scope="module")
def shared_bouncer(api_cluster: PostgresCluster, owner: Engine) -> Iterator[PgBouncer]:
    if not PGBOUNCER.exists():
        pytest.fail(f"{PGBOUNCER} missing: run scripts/setup.sh (Debian package pgbouncer)")
    grant_pool_role(owner, POOL_ROLE, BOUNCER_TIMEOUT)
    settings = {"max_db_connections": "4"}
    with PgBouncer(
        api_cluster, [DATABASE], timeout_seconds=BOUNCER_TIMEOUT, settings=settings,
        pool_user=POOL_ROLE,
    ) as bouncer:  # fmt: skip
        yield bouncer


Kiosk = Callable[[str], tuple[str, str]]


@pytest.fixture
def kiosk_login(shared_bouncer: PgBouncer, owner: Engine) -> Kiosk:
    """role -> (its shared-pool URL, its password), the role made by grant_kiosk_role."""

    def make(role: str) -> tuple[str, str]:
        password = secrets.token_urlsafe(18)
        grant_kiosk_role(owner, role, password)
        return f"{shared_bouncer.url(role, password)}?kiosk_pool=shared", password

    return make


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Callable[[str, str], AccountService]]:
    made: list[AccountService] = []

    def make(url: str, kiosk_id: str) -> AccountService:
        made.append(
            AccountService(
                make_engine(url, BOUNCER_TIMEOUT), kiosk_id, lambda: NOW,
                timeout_seconds=BOUNCER_TIMEOUT,
                outbox_path=tmp_path / f"{kiosk_id}.outbox.sqlite3",
            )
        )  # fmt: skip
        return made[-1]

    yield make
    for each in made:
        each.close()


def _audit(owner: Engine, kiosk: str) -> set[tuple[str, str]]:
    with owner.connect() as connection:
        rows = connection.execute(
            text("SELECT action, outcome FROM audit_event WHERE kiosk_id = :k"), {"k": kiosk}
        ).all()
    return {(str(action), str(outcome)) for action, outcome in rows}


def test_two_kiosks_on_one_pool_read_and_audit_as_themselves(
    kiosk_login: Kiosk, shared_bouncer: PgBouncer, owner: Engine, store_url: str,
    services: Callable[[str, str], AccountService],
) -> None:  # fmt: skip
    people = active_people(owner, 4)
    admin = services(store_url, "pool_admin")
    for role, (card, citizen) in zip(("kiosk_pool_a", "kiosk_pool_b"), people, strict=False):
        url, _ = kiosk_login(role)
        kiosk = services(url, role)
        kiosk.card_status(card)
        assert kiosk._fleet is True  # functions only, through the wrappers
        kiosk.prove(card, citizen)
        assert screens(kiosk, card) == screens(admin, card), card
        kiosk.record_query("print", "ok", card)
        kiosk.record_heartbeat("ok (1)", "ready", 40_000, version="0.1.0")
        assert {("card_status", "ok"), ("overview", "ok"), ("print", "ok")} <= _audit(owner, role)
        with owner.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT count(*) FROM kiosk_heartbeat WHERE kiosk_id = :k"), {"k": role}
                ).scalar_one()
                == 1
            )
    # One pool, as the pool role, for both kiosks (and PgBouncer's own, for auth_query).
    pools = [p for p in shared_bouncer.show("POOLS") if p["database"] == DATABASE]
    assert {p["user"] for p in pools} - {PG_USER} == {POOL_ROLE}
    assert not _audit(owner, POOL_ROLE)  # no row is the pool's own


def _rows(owner: Engine, kiosk: str) -> int:
    with owner.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM audit_event WHERE kiosk_id = :k"), {"k": kiosk}
            ).scalar_one()
        )


def _raw(bouncer: PgBouncer, role: str, password: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        f"postgresql://{role}:{quote(password, safe='')}@{HOST}:{bouncer.port}/{DATABASE}",
        autocommit=True, prepare_threshold=None,
    )  # fmt: skip


def test_a_stolen_login_on_the_pool_cannot_be_another_kiosk(
    kiosk_login: Kiosk, shared_bouncer: PgBouncer, owner: Engine
) -> None:
    card, _citizen = active_people(owner, 1)[0]
    _, thief_password = kiosk_login("kiosk_pool_thief")
    kiosk_login("kiosk_pool_victim")
    with _raw(shared_bouncer, "kiosk_pool_thief", thief_password) as thief:
        assert thief.execute("SELECT session_user").fetchone() == (POOL_ROLE,)
        own_key = pool_key("kiosk_pool_thief", thief_password)
        # Its own key works, as itself.
        assert thief.execute(
            "SELECT kiosk_pool.card_status(%s, %s, %s)", ("kiosk_pool_thief", own_key, card)
        ).fetchone() == ("active",)
        # Another kiosk's name with its own key, or with a guess: refused, nothing done.
        for key in (own_key, "0" * 64, ""):
            with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification):
                thief.execute(
                    "SELECT kiosk_pool.card_status(%s, %s, %s)", ("kiosk_pool_victim", key, card)
                )
        # Past the wrappers: no kiosk_api function, no table, even with the caller set.
        thief.execute("SELECT set_config('sscard.caller', 'kiosk_pool_victim', false)")
        for statement in (
            "SELECT kiosk_api.card_status('x')",
            "SELECT kiosk_api.caller()",
            "SELECT kiosk_api.record('print', 'ok', NULL, now()::timestamp, 'k1')",
            "SELECT count(*) FROM person",
            "SELECT count(*) FROM audit_event",
            "SELECT count(*) FROM kiosk_api.kiosk_key",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                thief.execute(statement)
    assert not _audit(owner, "kiosk_pool_victim")


def test_what_a_stolen_login_leaves_on_a_shared_backend_is_undone(
    kiosk_login: Kiosk, shared_bouncer: PgBouncer, owner: Engine,
    services: Callable[[str, str], AccountService],
) -> None:  # fmt: skip
    """The next transaction on a backend may be another kiosk's: a session's settings,
    locks and temp objects must not reach it (PgBouncer's reset after each transaction)."""
    people = active_people(owner, 6)
    _, password = kiosk_login("kiosk_pool_poisoner")
    url, _ = kiosk_login("kiosk_pool_honest")
    honest = services(url, "kiosk_pool_honest")
    with _raw(shared_bouncer, "kiosk_pool_poisoner", password) as poisoner:
        for statement in (
            "SET statement_timeout = 1",
            "SET search_path = pg_temp, public",
            "CREATE TEMP TABLE text (x int)",  # a type named text, first on that path
            "SELECT pg_advisory_lock(160004, 1)",
            "SET sscard.caller = 'kiosk_pool_honest'",
        ):
            poisoner.execute(statement)
        for card, citizen in people:  # LIFO: the next transactions reuse that backend
            honest.card_status(card)
            honest.prove(card, citizen)
            honest.summary(card)
            honest.history(card)
        assert poisoner.execute("SHOW statement_timeout").fetchone() == (
            f"{int(BOUNCER_TIMEOUT)}s",
        )
    assert ("overview", "ok") in _audit(owner, "kiosk_pool_honest")
    assert not _audit(owner, "kiosk_pool_poisoner")


def test_a_direct_login_cannot_claim_another_kiosk_by_the_caller_setting(
    api_cluster: PostgresCluster, owner: Engine
) -> None:
    card, _citizen = active_people(owner, 1)[0]
    grant_kiosk_role(owner, "kiosk_direct_claim")
    with psycopg.connect(
        host=str(api_cluster.base), user="kiosk_direct_claim", dbname=DATABASE, autocommit=True
    ) as kiosk:
        kiosk.execute("SELECT set_config('sscard.caller', 'kiosk_pool_a', false)")
        assert kiosk.execute("SELECT kiosk_api.card_status(%s)", (card,)).fetchone() == ("active",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            kiosk.execute("SELECT kiosk_pool.card_status('kiosk_pool_a', '', %s)", (card,))
    assert ("card_status", "ok") in _audit(owner, "kiosk_direct_claim")


def test_a_revoked_kiosks_key_opens_nothing(
    kiosk_login: Kiosk, shared_bouncer: PgBouncer, owner: Engine
) -> None:
    card, _citizen = active_people(owner, 1)[0]
    _, password = kiosk_login("kiosk_pool_revoked")
    _, other_password = kiosk_login("kiosk_pool_other")
    with owner.begin() as connection:
        connection.exec_driver_sql("REVOKE sscard_kiosk FROM kiosk_pool_revoked")
    with pytest.raises(psycopg.OperationalError):  # PgBouncer's auth_query knows it no more
        _raw(shared_bouncer, "kiosk_pool_revoked", password)
    # Its key (say, copied with its disk) through another kiosk's login: refused too.
    key = pool_key("kiosk_pool_revoked", password)
    with (
        _raw(shared_bouncer, "kiosk_pool_other", other_password) as other,
        pytest.raises(psycopg.errors.InvalidAuthorizationSpecification),
    ):
        other.execute(
            "SELECT kiosk_pool.card_status(%s, %s, %s)", ("kiosk_pool_revoked", key, card)
        )


def test_forty_kiosks_at_once_share_the_pools_four_backends(
    kiosk_login: Kiosk, shared_bouncer: PgBouncer, owner: Engine,
    services: Callable[[str, str], AccountService],
) -> None:  # fmt: skip
    people = active_people(owner, FLEET)
    kiosks = [
        services(kiosk_login(f"kiosk_pool_f{n}")[0], f"kiosk_pool_f{n}") for n in range(FLEET)
    ]
    failures: list[BaseException] = []
    start = threading.Barrier(FLEET)

    def session(kiosk: AccountService, card: str, citizen: str) -> None:
        try:
            start.wait(timeout=30)
            kiosk.card_status(card)
            kiosk.prove(card, citizen)
            kiosk.summary(card)
            kiosk.history(card)
        except BaseException as error:  # reported below, with the rest
            failures.append(error)

    threads = [
        threading.Thread(target=session, args=(k, card, citizen))
        for k, (card, citizen) in zip(kiosks, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    servers = [s for s in shared_bouncer.show("SERVERS") if s["database"] == DATABASE]
    assert 0 < len([s for s in servers if s["user"] == POOL_ROLE]) <= 4
    assert {s["user"] for s in servers} - {PG_USER} == {POOL_ROLE}
    for n in range(FLEET):
        assert ("overview", "ok") in _audit(owner, f"kiosk_pool_f{n}")


def test_kiosk_db_grant_pool_role_makes_a_login_that_reaches_only_the_wrappers(
    store_url: str, owner: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.commands.db import _grant_pool

    assert _grant_pool(store_url, 10.0, "pool_by_command") == 0
    assert "sscard_pool" in capsys.readouterr().out
    with owner.connect() as connection:
        member, tables, functions = connection.execute(
            text(
                "SELECT pg_has_role('pool_by_command', 'sscard_pool', 'MEMBER'),"
                " has_table_privilege('pool_by_command', 'person', 'SELECT'),"
                " has_function_privilege('pool_by_command', 'kiosk_api.card_status(text)',"
                " 'EXECUTE')"
            )
        ).one()
    assert (member, tables, functions) == (True, False, False)
    assert _grant_pool(store_url, 10.0, "no such; role") == 2  # a role name is checked


def test_every_kiosk_function_has_one_pinned_wrapper_only_the_pool_may_call(
    owner: Engine,
) -> None:
    with owner.connect() as connection:
        kiosk_functions = set(
            connection.execute(
                text(
                    "SELECT proname FROM pg_proc WHERE pronamespace = 'kiosk_api'::regnamespace"
                    " AND has_function_privilege('sscard_kiosk', oid, 'EXECUTE')"
                )
            ).scalars()
        )
        wrappers = connection.execute(
            text(
                "SELECT p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),"
                " has_function_privilege('sscard_pool', p.oid, 'EXECUTE'),"
                " has_function_privilege('sscard_kiosk', p.oid, 'EXECUTE'),"
                " EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)"
                " FROM pg_proc p WHERE p.pronamespace = 'kiosk_pool'::regnamespace"
            )
        ).all()
    assert len(kiosk_functions) > 15
    assert {w[0] for w in wrappers} == kiosk_functions | {"enter"}
    for name, definer, config, owner_name, pool_may, kiosk_may, public_may in wrappers:
        assert definer, name
        assert owner_name == "sscard_api", name
        assert "search_path=kiosk_api, public, pg_temp" in config, name
        assert (pool_may, kiosk_may, public_may) == (name != "enter", False, False), name


def test_a_pool_login_that_is_a_kiosk_too_is_only_itself(
    api_cluster: PostgresCluster, owner: Engine
) -> None:
    """Granted by hand both ways, the login still cannot claim a kiosk through the setting;
    grant-pool-role takes the kiosk membership away again."""
    card, _citizen = active_people(owner, 1)[0]
    grant_pool_role(owner, "pool_and_kiosk")
    claimed_before = _rows(owner, "kiosk_pool_a")
    with owner.begin() as connection:
        connection.exec_driver_sql("GRANT sscard_kiosk TO pool_and_kiosk")
    with psycopg.connect(
        host=str(api_cluster.base), user="pool_and_kiosk", dbname=DATABASE, autocommit=True
    ) as both:
        both.execute("SELECT set_config('sscard.caller', 'kiosk_pool_a', false)")
        assert both.execute("SELECT kiosk_api.card_status(%s)", (card,)).fetchone() == ("active",)
    assert ("card_status", "ok") in _audit(owner, "pool_and_kiosk")
    assert _rows(owner, "kiosk_pool_a") == claimed_before  # nothing in the claimed name
    done = grant_pool_role(owner, "pool_and_kiosk")
    assert 'REVOKE "sscard_kiosk" FROM pool_and_kiosk' in done
    with owner.connect() as connection:
        assert not connection.execute(
            text("SELECT pg_has_role('pool_and_kiosk', 'sscard_kiosk', 'MEMBER')")
        ).scalar_one()
    with owner.begin() as connection:
        connection.exec_driver_sql("CREATE ROLE pool_too_strong LOGIN BYPASSRLS")
    with pytest.raises(KioskRoleError, match="BYPASSRLS"):
        grant_pool_role(owner, "pool_too_strong")

"""PostgreSQL stopped mid-session, slow (a table lock held elsewhere), and restarted.

The person gets the service-unavailable screen within store.timeout_seconds and a little,
never a frozen screen; audit rows the store could not take wait in the outbox and reach
the store once it answers again; the next person is served as soon as it is back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from kiosk.session.view import Busy, ProblemKind, State
from realparts.postgres import PostgresCluster
from tests.faults.conftest import FaultKiosk, FaultKioskMaker

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 1.0
# The answer may take the deadline twice (a retry on a dead pooled connection) plus the
# audit row's own attempt and the hop back to the UI thread.
ANSWER_WITHIN_SECONDS = 3 * TIMEOUT_SECONDS + 1.5


def _pg_kiosk(make_fault_kiosk: FaultKioskMaker, url: str) -> FaultKiosk:
    return make_fault_kiosk(store_url=url, store_toml=f"timeout_seconds = {TIMEOUT_SECONDS}")


@contextmanager
def table_locked(cluster: PostgresCluster, table: str) -> Iterator[None]:
    """Another session holds ACCESS EXCLUSIVE on `table` (a migration, a long VACUUM FULL)."""
    with psycopg.connect(
        host=str(cluster.base), user="postgres", dbname="faults", connect_timeout=5
    ) as connection:
        connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        connection.execute("SELECT pg_sleep(0.1)")  # and it is busy, not just idle in a lock
        try:
            yield
        finally:
            connection.rollback()


def _service_unavailable_within(kiosk: FaultKiosk, started: float) -> None:
    kiosk.wait_for(State.SERVICE_UNAVAILABLE, timeout=int(ANSWER_WITHIN_SECONDS * 1000) + 2000)
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN_SECONDS, f"answered after {elapsed:.2f} s"
    kiosk.assert_problem_shown(ProblemKind.STORE_UNAVAILABLE)
    kiosk.assert_nobody_on_screen()


def _recovered_with_every_audit_row_stored(kiosk: FaultKiosk) -> None:
    kiosk.assert_no_audit_lost()
    kiosk.assert_ready_for_next_person()
    kiosk.assert_no_audit_lost()
    assert kiosk.parts.accounts.outbox_pending == 0, "the outbox was not flushed"
    assert kiosk.outbox_audit().total() == 0


def test_store_stopped_at_the_pin_pad(
    make_fault_kiosk: FaultKioskMaker, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    kiosk = _pg_kiosk(make_fault_kiosk, fault_pg_url)
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    fault_cluster.stop()
    started = time.monotonic()
    kiosk.type_pin("123456")
    _service_unavailable_within(kiosk, started)
    kiosk.drain()
    # While the store is down, the refused query's row waits in the outbox.
    assert kiosk.outbox_audit()[("summary", "store_unavailable")] == 1
    assert kiosk.parts.accounts.outbox_pending == kiosk.outbox_audit().total()
    fault_cluster.start()
    _recovered_with_every_audit_row_stored(kiosk)


def test_store_stopped_while_the_person_reads_the_overview(
    make_fault_kiosk: FaultKioskMaker, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    kiosk = _pg_kiosk(make_fault_kiosk, fault_pg_url)
    kiosk.at_overview()
    fault_cluster.stop()
    started = time.monotonic()
    kiosk.tap_text("nav.history")
    _service_unavailable_within(kiosk, started)
    fault_cluster.start()
    _recovered_with_every_audit_row_stored(kiosk)


def test_store_slow_behind_a_table_lock_answers_within_the_timeout(
    make_fault_kiosk: FaultKioskMaker, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    kiosk = _pg_kiosk(make_fault_kiosk, fault_pg_url)
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    with table_locked(fault_cluster, "account"):
        started = time.monotonic()
        kiosk.type_pin("123456")
        _service_unavailable_within(kiosk, started)
    _recovered_with_every_audit_row_stored(kiosk)


def test_store_slow_on_an_account_screen_then_the_card_is_pulled(
    make_fault_kiosk: FaultKioskMaker, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    kiosk = _pg_kiosk(make_fault_kiosk, fault_pg_url)
    kiosk.at_overview()
    with table_locked(fault_cluster, "contribution"):
        kiosk.tap_text("nav.contributions")
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.busy is Busy.LOADING)
        kiosk.qtbot.waitUntil(kiosk.window.busy_banner.isVisible)  # the wait is explained
        kiosk.remove()
        kiosk.wait_for(State.IDLE)  # at once: the card's removal does not wait for the store
        kiosk.drain()  # the hung query times out on the worker; its answer is dropped
        assert kiosk.session.view.state is State.IDLE
    _recovered_with_every_audit_row_stored(kiosk)


def test_store_restarted_between_people_serves_the_next_one(
    make_fault_kiosk: FaultKioskMaker, fault_pg_url: str, fault_cluster: PostgresCluster
) -> None:
    kiosk = _pg_kiosk(make_fault_kiosk, fault_pg_url)
    kiosk.at_overview()  # the pool now holds connections that the restart kills
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    fault_cluster.stop()
    fault_cluster.start()
    kiosk.at_overview()  # no service-unavailable for a store that is up again
    assert State.SERVICE_UNAVAILABLE not in kiosk.states_seen
    _recovered_with_every_audit_row_stored(kiosk)

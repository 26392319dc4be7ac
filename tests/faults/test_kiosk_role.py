"""The whole kiosk on the fleet PostgreSQL logged in as a kiosk role: functions only.

A real window, a real worker, the demo card: the PIN, the overview, a history page and a
receipt all come through kiosk_api (the role has no table rights), and the audit trail is
the server's, keyed by its own HMAC."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kiosk.session.view import State
from kiosk.store.engine import make_engine
from kiosk.store.roles import grant_kiosk_role
from realparts.postgres import PostgresCluster
from tests.faults.conftest import NEXT_PERSON, NEXT_PERSON_PIN, FaultKioskMaker

pytestmark = pytest.mark.integration
ROLE = "clinic_kiosk_0007"


def test_a_kiosk_role_serves_a_whole_session_through_the_functions(
    make_fault_kiosk: FaultKioskMaker, fault_cluster: PostgresCluster, fault_pg_url: str
) -> None:
    admin = make_engine(fault_pg_url, 10.0)
    try:
        grant_kiosk_role(admin, ROLE)
        url = fault_pg_url.replace("postgres@", f"{ROLE}@", 1)
        kiosk = make_fault_kiosk(store_url=url)
        kiosk.at_overview(NEXT_PERSON, NEXT_PERSON_PIN)
        assert kiosk.session.view.summary is not None
        assert kiosk.session.view.summary.balance > 0
        kiosk.tap_text("nav.history")
        kiosk.wait_for(State.HISTORY)
        assert kiosk.session.view.history is not None
        assert kiosk.session.view.history.entries
        kiosk.session.show(State.OVERVIEW)
        kiosk.wait_for(State.OVERVIEW)
        kiosk.tap_text("nav.print")
        kiosk.wait_for(State.TAKE_CARD, timeout=10_000)
        kiosk.remove()
        kiosk.wait_for(State.IDLE)
        kiosk.drain()
        with admin.connect() as connection:
            rows = connection.execute(
                text("SELECT action, outcome, card_ref FROM audit_event WHERE kiosk_id = :k"),
                {"k": ROLE},
            ).all()
    finally:
        admin.dispose()
    actions = {(action, outcome) for action, outcome, _ref in rows}
    assert {("card_status", "ok"), ("overview", "ok"), ("history_page", "ok")} <= actions
    assert ("print", "ok") in actions
    assert all(ref is None or len(ref) == 64 for _a, _o, ref in rows)


def test_a_kiosk_role_serves_the_next_person_after_the_store_restarted(
    make_fault_kiosk: FaultKioskMaker, fault_cluster: PostgresCluster, fault_pg_url: str
) -> None:
    admin = make_engine(fault_pg_url, 10.0)
    try:
        grant_kiosk_role(admin, ROLE)
    finally:
        admin.dispose()
    kiosk = make_fault_kiosk(store_url=fault_pg_url.replace("postgres@", f"{ROLE}@", 1))
    kiosk.at_overview(NEXT_PERSON, NEXT_PERSON_PIN)  # its one pooled connection now dies
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    fault_cluster.stop()
    fault_cluster.start()
    kiosk.at_overview(NEXT_PERSON, NEXT_PERSON_PIN)  # one retry on a fresh connection
    assert State.SERVICE_UNAVAILABLE not in kiosk.states_seen

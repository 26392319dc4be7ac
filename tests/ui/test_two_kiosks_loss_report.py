"""A card reported lost at kiosk A is refused at kiosk B on the next insertion, through real
parts: one throwaway PostgreSQL shared by two kiosk roles (kiosk_api functions only), and
kiosk B's window reading the card through pcscd + vpcd. Lifting it at B opens it again at A.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from card_reader.backends.pcsc import PcscBackend
from card_reader.simulator import build_card, profile
from kiosk.citizen_requests import CitizenRequests
from kiosk.services import AccountService
from kiosk.session.view import ProblemKind, State
from kiosk.store.demo import DEMO_SERVICE_PASSWORD
from kiosk.store.engine import make_engine
from kiosk.store.roles import grant_kiosk_role
from kiosk.store.seeding import create_store
from realparts.pcscd import VpcdReader
from realparts.postgres import PostgresCluster
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import NOW
from tests.ui.conftest import KioskUnderTest

pytestmark = pytest.mark.integration
DATABASE = "two_kiosks"


@pytest.fixture(scope="module")
def fleet_urls(
    postgres_cluster: PostgresCluster, postgres_database: Callable[[str], str]
) -> dict[str, str]:
    """The shared store, and a kiosk role's URL for each of kiosk A and B."""
    owner_url = postgres_database(DATABASE)
    create_store(owner_url, NOW, persons=0, years=2, seed=7)
    owner = make_engine(owner_url, 10.0)
    try:
        for role in ("kiosk_a", "kiosk_b"):
            grant_kiosk_role(owner, role)
    finally:
        owner.dispose()
    base = postgres_cluster.base
    return {
        role: f"postgresql+psycopg://{role}@/{DATABASE}?host={base}"
        for role in ("kiosk_a", "kiosk_b")
    }


@pytest.fixture
def kiosk_a(
    fleet_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Kiosk]:
    folder = tmp_path_factory.mktemp("kiosk-a")
    accounts = AccountService(
        make_engine(fleet_urls["kiosk_a"], 10.0),
        "kiosk_a",
        datetime.now,
        outbox_path=folder / "outbox.sqlite3",
        key_dir=folder,
    )
    yield Kiosk(accounts, services=CitizenRequests(accounts))
    accounts.close()


def test_reported_at_a_refused_at_b_lifted_at_b_open_at_a(
    kiosk_a: Kiosk,
    fleet_urls: dict[str, str],
    make_kiosk: Callable[..., KioskUnderTest],
    vpcd_reader: VpcdReader,
) -> None:
    li_kun = profile("li-kun")
    session_a = kiosk_a.session
    session_a.start_loss_report()
    session_a.loss_citizen_id(li_kun.citizen_id)
    session_a.loss_password(bytearray(DEMO_SERVICE_PASSWORD.encode("ascii")))
    assert kiosk_a.view.state is State.LOSS_REPORTED
    session_a.finish()

    kiosk_b = make_kiosk(store_url=fleet_urls["kiosk_b"], backend=PcscBackend("Virtual PCD"))
    kiosk_b.wait_for(State.IDLE)
    card = build_card(li_kun)
    vpcd_reader.insert(card)
    assert kiosk_b.wait_until(lambda: kiosk_b.session.view.problem is not None, 10_000)
    problem = kiosk_b.session.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.REPORTED_LOST
    assert kiosk_b.session.view.state is State.CARD_PROBLEM
    kiosk_b.tap_text("loss.found")
    kiosk_b.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk_b.type_pin(li_kun.pin)
    kiosk_b.wait_for(State.OVERVIEW, timeout=10_000)
    assert kiosk_b.session.view.loss_lifted
    kiosk_b.tap_text("button.finish")
    vpcd_reader.remove()
    kiosk_b.wait_for(State.IDLE, timeout=5000)

    kiosk_a.insert("li-kun")  # back at kiosk A, its own (virtual) reader
    assert kiosk_a.view.state is State.PIN_ENTRY
    kiosk_a.pin(li_kun.pin)
    assert kiosk_a.view.state is State.OVERVIEW

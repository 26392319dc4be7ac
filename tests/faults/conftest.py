"""The fault campaign's kiosk: a real window, real worker, real parts, and three checks.

After every fault a test asks the same three questions (issue 8):

- did the person see the right screen (`FaultKiosk.wait_for` + `problem_kind`)?
- was no audit record lost (`FaultKiosk.assert_no_audit_lost`: every row the session asked
  for is in the store's audit_event table or waiting in the local outbox)?
- is the kiosk back at the start screen, ready for the next person
  (`FaultKiosk.assert_ready_for_next_person`: card out, start screen, a good card reaches
  the overview)?

Each kiosk gets its own kiosk id, so audit rows are counted per test on a shared store.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text as sql

from card_reader.backends.base import ReaderBackend
from kiosk.config import KioskConfig
from kiosk.services import OUTBOX_NAME
from kiosk.session.view import ProblemKind, State
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store
from printing.dispatch import Printer
from realparts.config import rig_config
from realparts.pcscd import PcscdHarness, VpcdReader
from realparts.postgres import PG_BIN, PostgresCluster
from tests.session_kit import NOW, seed_demo_store
from tests.ui.conftest import ADMIN_PIN, KioskUnderTest

NEXT_PERSON = "zhang-wei"
NEXT_PERSON_PIN = "123456"
# The screens a person reaches from the overview by one tap, and the words on the button.
ACCOUNT_SCREENS = {
    State.HISTORY: "nav.history",
    State.CONTRIBUTIONS: "nav.contributions",
    State.ANNUAL: "nav.annual",
    State.FAMILY_AID: "nav.family_aid",
    State.FILINGS: "nav.filings",
    State.FLAGGED: "nav.flagged",
}


class FaultKiosk(KioskUnderTest):
    """KioskUnderTest with a card slot that may be pcscd's, and an audit spy (its clock's wall
    time can be jumped like an NTP step or an RTC fault: `clock.jump`).

    The spy wraps AccountService.record_query (every audit row goes through it, the session's
    own and the queries') and only counts: the real method still runs.
    """

    def __init__(
        self,
        qtbot: QtBot,
        config: KioskConfig,
        *,
        backend: ReaderBackend | None = None,
        printer: Printer | None = None,
        vpcd: VpcdReader | None = None,
        size: tuple[int, int] = (1280, 800),
    ) -> None:
        self.vpcd = vpcd
        super().__init__(qtbot, config, backend=backend, cards=vpcd, printer=printer, size=size)
        self.states_seen: list[State] = []
        self.session.subscribe(lambda view: self.states_seen.append(view.state))
        self.audited: list[tuple[str, str]] = []
        self._spy_on_audit()

    def _spy_on_audit(self) -> None:
        # The real AccountService (the parts may hold a stand-in that builds it on first use).
        accounts = getattr(self.parts.accounts, "service", self.parts.accounts)
        real = accounts.record_query

        def counted(
            action: str, outcome: str, card_number: str | None = None, reachable: bool = True
        ) -> None:
            self.audited.append((action, outcome))
            real(action, outcome, card_number, reachable)

        accounts.record_query = counted  # type: ignore[method-assign]

    # -- looking ---------------------------------------------------------------------------

    def wait_state(self, state: State, timeout: int = 5000) -> None:
        """The state, busy or not (wait_for also waits for the wait to end)."""
        self.qtbot.waitUntil(lambda: self.session.view.state is state, timeout=timeout)

    @property
    def problem_kind(self) -> ProblemKind | None:
        problem = self.session.view.problem
        return problem.kind if problem else None

    def assert_problem_shown(self, kind: ProblemKind) -> None:
        """The session holds `kind` and the screen shows its words to the person."""
        problem = self.session.view.problem
        assert problem is not None, f"no problem shown in {self.session.view.state}"
        assert problem.kind is kind
        shown = self.visible_texts()
        assert problem.message(self.session.view.language) in shown, shown

    def assert_nobody_on_screen(self, name_part: str = "张") -> None:
        """No personal data in the session's view nor anywhere in the widget tree."""
        assert not self.session.view.has_personal_data
        assert not any(name_part in t for t in self.texts() if "*" in t), self.texts()

    # -- the three checks --------------------------------------------------------------------

    def stored_audit(self) -> Counter[tuple[str, str]]:
        engine = make_engine(self.config.store_url(), timeout_seconds=5.0)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sql("SELECT action, outcome FROM audit_event WHERE kiosk_id = :k"),
                    {"k": self.config.kiosk.id},
                ).all()
        finally:
            engine.dispose()
        return Counter((str(a), str(o)) for a, o in rows)

    def outbox_audit(self) -> Counter[tuple[str, str]]:
        path = self.config.data_dir / OUTBOX_NAME
        if not path.exists():
            return Counter()
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT action, outcome FROM outbox WHERE kiosk_id = ?", (self.config.kiosk.id,)
            ).fetchall()
        return Counter((str(a), str(o)) for a, o in rows)

    def assert_no_audit_lost(self) -> None:
        """Every audit row the session asked for is in the store or waiting in the outbox."""
        self.drain()
        wanted = Counter(self.audited)
        stored, waiting = self.stored_audit(), self.outbox_audit()
        assert self.parts.accounts.outbox_pending == sum(waiting.values())
        missing = wanted - (stored + waiting)
        assert not missing, f"audit rows lost: {dict(missing)} (stored {dict(stored)})"
        assert sum(wanted.values()) > 0, "the session audited nothing: the test proves nothing"

    def assert_ready_for_next_person(self, timeout: int = 10_000) -> None:
        """Card out -> start screen with nobody on it -> a good card reaches the overview."""
        self.remove()
        self.wait_for(State.IDLE, timeout=timeout)
        self.assert_nobody_on_screen()
        self.insert(NEXT_PERSON)
        self.wait_for(State.PIN_ENTRY, timeout=timeout)
        self.type_pin(NEXT_PERSON_PIN)
        self.wait_for(State.OVERVIEW, timeout=timeout)
        assert self.session.view.summary is not None
        self.remove()
        self.wait_for(State.IDLE, timeout=timeout)

    # -- moving around -------------------------------------------------------------------------

    def at_overview(self, key: str = NEXT_PERSON, pin: str = NEXT_PERSON_PIN) -> None:
        self.signed_in(key, pin, timeout=10_000)


FaultKioskMaker = Callable[..., FaultKiosk]


@pytest.fixture(scope="session")
def fault_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_store(tmp_path_factory.mktemp("fault-store"))


@pytest.fixture
def make_fault_kiosk(
    qtbot: QtBot, tmp_path: Path, fault_sqlite_url: str
) -> Iterator[FaultKioskMaker]:
    """make(store_url=, printer_toml=, store_toml=, extra=, data_dir=, spool_dir=, **FaultKiosk)."""
    made: list[FaultKiosk] = []

    def make(
        *,
        store_url: str | None = None,
        printer_toml: str = "",
        store_toml: str = "",
        extra: str = "",
        data_dir: Path | None = None,
        spool_dir: Path | None = None,
        **options: Any,
    ) -> FaultKiosk:
        kiosk_id = f"fault-{uuid.uuid4().hex[:10]}"
        folder = data_dir or tmp_path / kiosk_id
        folder.mkdir(parents=True, exist_ok=True)
        config = rig_config(
            folder,
            store_url or fault_sqlite_url,
            kiosk_id=kiosk_id,
            store=store_toml,
            printer=printer_toml,
            spool_dir=spool_dir,
            admin_pin=ADMIN_PIN,
            extra=extra,
        )
        kiosk = FaultKiosk(qtbot, config, **options)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


# -- PostgreSQL: a cluster of the campaign's own, since tests stop and restart it ------------


@pytest.fixture(scope="session")
def fault_cluster() -> Iterator[PostgresCluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 server binaries missing in {PG_BIN}: bash scripts/setup.sh")
    with PostgresCluster(base=Path(tempfile.mkdtemp(prefix="kiosk-faults-pg-"))) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def fault_pg_seeded(fault_cluster: PostgresCluster) -> str:
    url = fault_cluster.create_database("faults")
    create_store(url, NOW, persons=0, years=2, seed=7)
    return url


@pytest.fixture
def fault_pg_url(fault_cluster: PostgresCluster, fault_pg_seeded: str) -> Iterator[str]:
    """The seeded PostgreSQL store, running again after each test whatever it did to it."""
    if not fault_cluster.running:
        fault_cluster.start()
    yield fault_pg_seeded
    if not fault_cluster.running:
        fault_cluster.start()


# -- pcscd: a reader that is unplugged is a pcscd that lists no reader -------------------------


class ReaderUnplugged:
    """The USB reader unplugged and plugged back in: the session's pcscd restarted without
    vpcd's reader and with it again (realparts/pcscd.py says why it takes a restart)."""

    def __init__(self, harness: PcscdHarness) -> None:
        self.harness = harness

    def unplug(self) -> None:
        self.harness.stop()
        self.harness.start(reader=False)

    def plug_back(self) -> None:
        self.harness.stop()
        self.harness.start()

    def cleanup(self) -> None:
        if not (self.harness.running and self.harness.reader_plugged):
            self.plug_back()


@pytest.fixture
def reader_unplugged(vpcd_reader: VpcdReader) -> Iterator[ReaderUnplugged]:
    unplugged = ReaderUnplugged(vpcd_reader.harness)
    yield unplugged
    unplugged.cleanup()

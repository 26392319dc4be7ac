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

import os
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text as sql

from card_reader.backends.base import ReaderBackend
from card_reader.backends.virtual import VirtualBackend
from card_reader.pcscd_harness import PcscdHarness, pcscd_binary
from card_reader.simulator.card import Faults, SimulatedCard
from kiosk.admin_pin import hash_admin_pin
from kiosk.config import KioskConfig, parse_config
from kiosk.services import OUTBOX_NAME
from kiosk.session.view import ProblemKind, State
from kiosk.store.engine import make_engine
from kiosk.store.pg_harness import PG_BIN, PostgresCluster
from kiosk.store.seeding import create_store
from printing.dispatch import Printer
from tests.realparts.pcscd import VpcdReader
from tests.session_kit import NOW, demo_card, seed_demo_store
from tests.ui.conftest import ADMIN_PIN, KioskUnderTest
from ui.i18n import text

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


class WallClock:
    """The wall clock the kiosk reads (`now`); a test can jump it like an NTP step or RTC fault."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.start + self.offset

    def jump(self, by: timedelta) -> None:
        self.offset += by


def fault_config(
    folder: Path,
    store_url: str,
    *,
    kiosk_id: str,
    printer: str = "",
    store: str = "",
    extra: str = "",
    spool_dir: Path | None = None,
) -> KioskConfig:
    """kiosk.toml for one faulted kiosk; `printer`/`store` add lines to those tables."""
    toml = f"""
[kiosk]
id = "{kiosk_id}"
location = "测试社区卫生服务中心"
data_dir = "{folder}"
fullscreen = false
[store]
url = "{store_url}"
{store}
[printer]
spool_dir = "{spool_dir or folder / "receipts"}"
{printer}
[admin]
pin_hash = "{hash_admin_pin(ADMIN_PIN)}"
{extra}
"""
    return parse_config(toml, folder / "kiosk.toml")


class FaultKiosk(KioskUnderTest):
    """KioskUnderTest with a wall clock to jump, a card slot that may be pcscd, and an audit spy.

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
        self.wall = WallClock()
        self.vpcd = vpcd
        super().__init__(qtbot, config, backend=backend, printer=printer, size=size, now=self.wall)
        self.states_seen: list[State] = []
        self.session.subscribe(lambda view: self.states_seen.append(view.state))
        self.audited: list[tuple[str, str]] = []
        self._spy_on_audit()
        self.card: SimulatedCard | None = None

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

    # -- the card: the virtual reader, or a simulated card served to pcscd through vpcd ---

    def insert(self, key: str, faults: Faults | None = None) -> None:
        self.card = demo_card(key, faults)
        if self.vpcd is not None:
            self.vpcd.insert(self.card)
        else:
            assert isinstance(self.backend, VirtualBackend)
            self.backend.insert(self.card)

    def remove(self) -> None:
        if self.vpcd is not None:
            self.vpcd.remove()
        else:
            assert isinstance(self.backend, VirtualBackend)
            self.backend.remove()

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

    def drain(self, timeout: int = 10_000) -> None:
        """Wait until the single worker has run everything queued before now."""
        done: list[bool] = []
        self.parts.worker.submit(lambda: None, lambda _r: done.append(True), lambda _e: None)
        self.qtbot.waitUntil(lambda: bool(done), timeout=timeout)

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

    def tap_text(self, key: str) -> None:
        self.tap(text(key, self.session.view.language))

    def at_overview(self, key: str = NEXT_PERSON, pin: str = NEXT_PERSON_PIN) -> None:
        self.insert(key)
        self.wait_for(State.PIN_ENTRY, timeout=10_000)
        self.type_pin(pin)
        self.wait_for(State.OVERVIEW)


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
        config = fault_config(
            folder, store_url or fault_sqlite_url, kiosk_id=kiosk_id,
            printer=printer_toml, store=store_toml, extra=extra, spool_dir=spool_dir,
        )  # fmt: skip
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
    cluster = PostgresCluster(base=Path(tempfile.mkdtemp(prefix="kiosk-faults-pg-")))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.cleanup()


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


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


class ReaderUnplugged:
    """pcscd running with no reader configured: what the kiosk sees when the USB reader goes.

    vpcd's reader is declared in reader.conf and pcscd 1.9 neither drops nor adds such a reader
    on a signal, so unplugging is pcscd restarted without it, and plugging back in is the
    session's pcscd started again with it (the harness writes the reader's conf each start).
    """

    def __init__(self, harness: PcscdHarness) -> None:
        self.harness = harness
        self.process: subprocess.Popen[bytes] | None = None
        self.empty_conf = Path(tempfile.mkdtemp(prefix="kiosk-no-reader-"))

    def unplug(self) -> None:
        self.harness.stop()
        self.harness.socket_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                "unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                'mount --bind "$1" /run && shift && exec "$@"', "sh",
                str(self.harness.run_dir), pcscd_binary(), "-f", "-c", str(self.empty_conf),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.harness.socket_path.exists, 10, "pcscd without a reader")

    def plug_back(self) -> None:
        self._stop_empty()
        self.harness.start()

    def _stop_empty(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=5)

    def cleanup(self) -> None:
        self._stop_empty()
        if not self.harness.running:
            self.harness.start()
        os.rmdir(self.empty_conf)


@pytest.fixture
def reader_unplugged(vpcd_reader: VpcdReader) -> Iterator[ReaderUnplugged]:
    unplugged = ReaderUnplugged(vpcd_reader.harness)
    yield unplugged
    unplugged.cleanup()

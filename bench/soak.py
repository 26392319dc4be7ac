"""soak section: thousands of complete sessions in one process, watching for leaks and errors.

`kiosk bench --soak N` (or `--only soak`, 10,000 sessions; --quick: 30). The production path
offscreen: virtual reader, `ThreadWorker` + `UiThreadBridge`, the `KioskWindow`, the demo
SQLite store seeded into a temp data_dir, receipts to its spool, a redacting log file as
`kiosk run` writes it. Each session inserts a demo card (four people in turn), sometimes
types a wrong PIN first, opens the overview and two account screens, prints a receipt every
10th time, ends, and takes the card out.

RSS, threads and open file descriptors are sampled after a warm-up (the caches, the worker
thread and the fonts are in place by then) and at the end. Afterwards the log, the spool's
file names, the receipt journal and the store's audit rows are searched for the demo
people's names, citizen IDs and card numbers: `personal_data_found` must be 0.
"""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.progress import Progress
from bench.soak_figures import checks, sessions_table
from bench.stats import summarise
from card_reader.simulator import profile
from kiosk.app import ensure_demo_store
from kiosk.config import KioskConfig
from kiosk.log import FORMAT, RedactingFilter, RedactingFormatter
from kiosk.session.view import ProblemKind, State
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from realparts.config import rig_config
from ui.rig import KioskRig

PEOPLE = ("zhang-wei", "wang-zhe", "li-kun", "long-name")
# Every demo card above is current on this day (wang-zhe's expires on 2026-12-31).
STORE_NOW = datetime(2026, 6, 1, 10, 30)
FULL_SESSIONS, QUICK_SESSIONS = 10_000, 30
# The script's own cycle: 4 people x 3 screen pairs, a wrong PIN every 7th and a receipt
# every 10th session repeat together every 420. The process figures start after one
# whole cycle (every path once); the RSS curve starts at CURVE_FROM, so what the first
# cycle adds stays in the figures.
WARM_UP_SESSIONS = 420
CURVE_FROM = 50
RECEIPT_EVERY = 10
WRONG_PIN_EVERY = 7
WRONG_PIN = "000000"  # no demo card has it
SCREEN_PAIRS = (
    (State.HISTORY, State.CONTRIBUTIONS),
    (State.ANNUAL, State.FAMILY_AID),
    (State.FILINGS, State.FLAGGED),
)
STEP_TIMEOUT_MS = 10_000
BOOL_REFS_FLOOR = 200
CURVE_POINTS = 10  # RSS samples between CURVE_FROM and the end


@dataclass(frozen=True)
class ProcessSample:
    rss_kb: int
    threads: int  # Python's view
    tasks: int  # the kernel's: Qt's and pcsc's threads too
    fds: int
    bool_refs: int  # references to True and False: a C extension that drops them crashes us
    # Live Python objects' memory blocks: growth here is objects kept, growth in RSS alone
    # is C-level (SQLite's page caches, Qt, the allocator's arenas).
    python_blocks: int
    thread_names: tuple[str, ...]

    @classmethod
    def now(cls) -> ProcessSample:
        gc.collect()  # compare live memory, not garbage waiting for the collector
        status = Path("/proc/self/status").read_text(encoding="ascii")
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return cls(
            rss_kb=rss,
            threads=threading.active_count(),
            tasks=len(os.listdir("/proc/self/task")),
            fds=len(os.listdir("/proc/self/fd")),
            bool_refs=sys.getrefcount(True) + sys.getrefcount(False),
            python_blocks=sys.getallocatedblocks(),
            thread_names=tuple(sorted(t.name for t in threading.enumerate())),
        )


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class KioskLog:
    """The root logger writing a redacting, rotating file as `kiosk run` does, for a while."""

    def __init__(self, config: KioskConfig) -> None:
        path = config.logging.file
        path.parent.mkdir(parents=True, exist_ok=True)
        self.folder = path.parent
        self.file = logging.handlers.RotatingFileHandler(
            path,
            maxBytes=config.logging.max_bytes,
            backupCount=config.logging.backup_count,
            encoding="utf-8",
        )
        self.file.setFormatter(RedactingFormatter(FORMAT))
        self.file.addFilter(RedactingFilter())
        self.errors = ErrorCount()
        self._root = logging.getLogger()
        self._level = self._root.level

    def __enter__(self) -> KioskLog:
        self._root.addHandler(self.file)
        self._root.addHandler(self.errors)
        self._root.setLevel(logging.INFO)
        return self

    def __exit__(self, *_: object) -> None:
        self._root.removeHandler(self.file)
        self._root.removeHandler(self.errors)
        self._root.setLevel(self._level)
        self.file.close()

    def text(self) -> str:
        return "".join(p.read_text(encoding="utf-8") for p in sorted(self.folder.glob("*.log*")))


class Soak:
    """One kiosk, many people; counts every session that missed a screen it should show."""

    def __init__(self, rig: KioskRig) -> None:
        self.rig = rig
        self.missed = 0
        self.wrong_pins = 0
        self.receipts = 0
        self.slips_refused = 0

    def _printed(self) -> bool:
        return self.rig.showing(State.TAKE_CARD) and self.rig.session.view.printed

    def _refused_slip(self) -> bool:
        problem = self.rig.session.view.problem
        return problem is not None and problem.kind is ProblemKind.SLIP_LIMIT

    def _expect(self, ready: Any) -> None:
        if not self.rig.wait_until(ready, STEP_TIMEOUT_MS):
            raise _Missed

    def session(self, number: int) -> None:
        card = profile(PEOPLE[number % len(PEOPLE)])
        session, rig = self.rig.session, self.rig
        try:
            rig.insert(card.key)
            self._expect(rig.pin_pad_ready)
            if number % WRONG_PIN_EVERY == WRONG_PIN_EVERY - 1:
                rig.type_pin(WRONG_PIN)
                self._expect(lambda: rig.pin_pad_ready() and session.view.pin_wrong)
                self.wrong_pins += 1
            rig.type_pin(card.pin)
            self._expect(rig.balance_shown)
            for state in SCREEN_PAIRS[number % len(SCREEN_PAIRS)]:
                session.show(state)
                self._expect(lambda state=state: rig.showing(state))
                session.show(State.OVERVIEW)
                self._expect(rig.balance_shown)
            if number % RECEIPT_EVERY == RECEIPT_EVERY - 1:
                session.print_receipt()
                # Four people print far past [printer] slips_per_card_per_day in one soak:
                # from then on the kiosk's polite refusal is the screen to expect.
                self._expect(lambda: self._printed() or self._refused_slip())
                if self._refused_slip():
                    self.slips_refused += 1
                    session.finish()
                    self._expect(lambda: rig.showing(State.TAKE_CARD))
                else:
                    self.receipts += 1
            else:
                session.finish()
                self._expect(lambda: rig.showing(State.TAKE_CARD))
        except _Missed:
            self.missed += 1
        rig.remove()
        if not rig.wait_until(lambda: rig.showing(State.IDLE), STEP_TIMEOUT_MS):
            self.missed += 1


class _Missed(Exception):
    """A screen the script expected did not come in time."""


def personal_data_found(config: KioskConfig, log_text: str) -> dict[str, int]:
    """How often a demo person's name, citizen ID or card number appears where none may."""
    needles = [
        str(getattr(profile(key), field))
        for key in PEOPLE
        for field in ("name", "citizen_id", "card_number")
    ]
    file_names = "\n".join(str(p.relative_to(config.data_dir)) for p in config.data_dir.rglob("*"))
    journal = config.data_dir / "receipt-journal.jsonl"
    engine = make_engine(config.store_url(), 10.0)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(TABLES["audit_event"])).all()
    finally:
        engine.dispose()
    places = {
        "log": log_text,
        "file_names": file_names,
        "journal": journal.read_text(encoding="utf-8") if journal.exists() else "",
        "audit_rows": "\n".join(repr(tuple(row)) for row in rows),
    }
    found = {where: sum(text.count(n) for n in needles) for where, text in places.items()}
    return found | {"audit_rows_searched": len(rows), "log_lines_searched": log_text.count("\n")}


@dataclass
class Driven:
    durations: list[float]
    seconds: float
    warm: ProcessSample
    end: ProcessSample
    stopped: str | None
    rss_curve: list[tuple[int, float]]  # (sessions done, RSS MB): does it level off?


def drive(soak: Soak, sessions: int, warm_up: int) -> Driven:
    """Run the sessions, sampling the process after the warm-up and at the end."""
    durations: list[float] = []
    warm: ProcessSample | None = None
    stopped = None
    curve: list[tuple[int, float]] = []
    start = min(CURVE_FROM, warm_up)
    every = max(1, (sessions - start) // CURVE_POINTS)
    progress = Progress("soak", sessions, "sessions")
    started = time.perf_counter()
    for number in range(sessions):
        if number == warm_up:
            warm = ProcessSample.now()
        if number >= start and (number - start) % every == 0:
            curve.append((number, round(ProcessSample.now().rss_kb / 1024, 1)))
        began = time.perf_counter()
        soak.session(number)
        durations.append((time.perf_counter() - began) * 1000)
        progress.update(number + 1, f"{soak.missed} missed")
        if sys.getrefcount(True) < BOOL_REFS_FLOOR:
            # Stop while a report can still be written: at zero the interpreter aborts.
            stopped = (
                f"stopped after {number + 1} sessions: a C extension drops a reference to "
                "True on every call (PySide6 6.12.0's Signal.emit does)"
            )
            break
    seconds = time.perf_counter() - started
    end = ProcessSample.now()
    curve.append((len(durations), round(end.rss_kb / 1024, 1)))
    return Driven(durations, seconds, warm or end, end, stopped, curve)


def run(
    config: KioskConfig, quick: bool, soak_sessions: int | None = None, **_: Any
) -> dict[str, Any]:
    del config
    sessions = soak_sessions or (QUICK_SESSIONS if quick else FULL_SESSIONS)
    warm_up = min(WARM_UP_SESSIONS, max(1, sessions // 3))
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-soak-") as folder:
        soak_config = rig_config(
            Path(folder),
            f"sqlite:///{folder}/accounts.sqlite3",
            kiosk_id="bench-kiosk",
            location="示范社区卫生服务中心",
            printer='kind = "spool"\npaper_roll_mm = 500000',  # a receipt every 10th session
        )
        ensure_demo_store(soak_config, STORE_NOW)
        with KioskLog(soak_config) as log:
            rig = KioskRig(soak_config, now=lambda: STORE_NOW)
            soak = Soak(rig)
            try:
                driven = drive(soak, sessions, warm_up)
            finally:
                rig.close()
            logged_errors = log.errors.count
        found = personal_data_found(soak_config, log.text())
        spooled = len(list(soak_config.printer.spool_dir.glob("*.pdf")))
    warm, end, done = driven.warm, driven.end, len(driven.durations)
    leaks = sum(v for k, v in found.items() if not k.endswith("_searched"))
    errors = logged_errors + soak.missed + (1 if driven.stopped else 0)
    bool_refs_lost = warm.bool_refs - end.bool_refs
    details: dict[str, Any] = {
        "sessions": done,
        "warm_up_sessions": warm_up,
        "sessions_per_second": round(done / driven.seconds, 1),
        "session_ms": summarise(driven.durations, 1),
        "errors": errors,
        "error_log_records": logged_errors,
        "missed_screens": soak.missed,
        "wrong_pins": soak.wrong_pins,
        "receipts": soak.receipts,
        "slips_refused_past_the_daily_limit": soak.slips_refused,
        "receipts_spooled": spooled,
        "rss_mb_after_warm_up": round(warm.rss_kb / 1024, 1),
        "rss_mb_end": round(end.rss_kb / 1024, 1),
        "rss_growth_mb": round((end.rss_kb - warm.rss_kb) / 1024, 2),
        "threads_after_warm_up": warm.threads,
        "threads_end": end.threads,
        "os_threads_after_warm_up": warm.tasks,
        "os_threads_end": end.tasks,
        "fds_after_warm_up": warm.fds,
        "fds_end": end.fds,
        "fds_growth": end.fds - warm.fds,
        "threads_started_after_warm_up": sorted(
            (Counter(end.thread_names) - Counter(warm.thread_names)).elements()
        ),
        "python_blocks_growth": end.python_blocks - warm.python_blocks,
        "rss_mb_by_sessions": driven.rss_curve,
        "bool_refs_lost_per_session": round(bool_refs_lost / max(1, done - warm_up), 2),
        "personal_data_found": leaks,
        "personal_data_search": found,
    }
    if driven.stopped:
        details["stopped"] = driven.stopped
    return checks(details) | {"tables": sessions_table(details), "details": details}

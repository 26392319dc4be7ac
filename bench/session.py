"""session section: card in to PIN pad, and PIN to painted balance, through the real parts.

A private pcscd with the vpcd reader serves simulated cards of random active card holders
of the cached city-scale store (1,000,000 people; --quick: 20,000, see bench/store.py); the
kiosk is `build_kiosk` + `KioskWindow` offscreen with the pcsc backend, the worker thread
and the UI bridge, and the PIN is typed on the PIN pad's own keys.

- `insert_to_pin_ms`: the card connects to vpcd until the PIN pad is painted. It includes
  pcscd noticing the card (it polls vpcd every 400 ms: `insert_to_card_event_ms`), so
  `card_event_to_pin_ms` (CardInserted on the monitor thread until the painted pad) is the
  part the kiosk itself owns.
- `pin_to_overview_ms`: OK pressed until the overview with the balance is painted; the goal
  is p95 under 150 ms plus `verify_apdu_ms`, the VERIFY APDU's own transmit time.
- `real_reader`: the same sessions with the simulator answering each APDU after 20 and after
  40 ms, as real contact cards do (loopback alone is 0.09 ms): `card_event_to_pin_ms`
  (goal at 40 ms: 150 ms), `apdus_before_pin_pad` (counted when the session publishes the
  PIN pad), `pin_to_overview_ms` (OK pressed once the read behind the PIN pad is done, as it
  is for anyone typing six digits) and `card_event_to_balance_ms` (the fastest balance: the
  whole read, VERIFY and the summary).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.figures import Figure
from bench.holders import PIN, Holder, card_holders, holder_card
from bench.session_figures import details, start_figure, step_figures
from bench.startup import bare_window_ms, reported_ms
from bench.store_cache import bench_cache, seeded_store
from card_reader.backends.pcsc import PcscBackend
from card_reader.backends.pcsc_connection import PcscConnection
from card_reader.events import CardInserted, ReaderEvent
from card_reader.simulator import SimulatedCard
from kiosk.config import KioskConfig
from kiosk.session.view import State, View
from realparts.config import rig_config
from realparts.pcscd import PcscdHarness, VpcdReader
from ui.rig import KioskRig

STEP_TIMEOUT_MS = 10_000
VERIFY = 0x20
REAL_READER_DELAYS_MS = (20, 40)
# A 2.00 bench card's whole read: SELECT, tries, SELECT EF05 + 7 records, SELECT EF06 + 2.
READ_APDUS = 13


@dataclass
class ApduLog:
    """What the session's card connections sent, filled on the worker thread."""

    apdus: int = 0
    transmit_ms: float = 0.0  # every APDU's own time, as the card (through pcscd) took it
    verify_ms: list[float] = field(default_factory=list)

    def clear(self) -> None:
        self.apdus = 0
        self.transmit_ms = 0.0
        self.verify_ms = []


class _TimedConnection:
    """A pcscd connection that counts APDUs and times each VERIFY that carries a PIN."""

    def __init__(self, inner: PcscConnection, log: ApduLog) -> None:
        self._inner = inner
        self._log = log
        self.atr = inner.atr

    def transmit(self, apdu: bytes) -> bytes:
        started = time.perf_counter()
        try:
            return self._inner.transmit(apdu)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self._log.apdus += 1
            self._log.transmit_ms += elapsed_ms
            if len(apdu) > 5 and apdu[1] == VERIFY:  # not the tries-left probe (no data)
                self._log.verify_ms.append(elapsed_ms)

    def disconnect(self) -> None:
        self._inner.disconnect()


class TimedPcscBackend(PcscBackend):
    """The production pcsc backend; its connections report to an ApduLog."""

    def __init__(self, name_pattern: str, log: ApduLog) -> None:
        super().__init__(name_pattern)
        self.log = log

    def connect(self, reader: str) -> _TimedConnection:  # type: ignore[override]
        return _TimedConnection(super().connect(reader), self.log)


def private_pcscd() -> PcscdHarness:
    """A private pcscd whose socket is the one libpcsclite already uses in this process.

    libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so after an earlier section's
    pcscd (card_read) a new one must listen on the same path to be reachable at all.
    """
    earlier = os.environ.get("PCSCLITE_CSOCK_NAME", "")
    if earlier.endswith("/run/pcscd/pcscd.comm"):
        base = Path(earlier).parents[2]
        if base.exists():
            raise RuntimeError(
                f"a private pcscd under {base} is still in use in this process: pass it as "
                "harness= to bench.session.run"
            )
        return PcscdHarness(base)
    return PcscdHarness()


@dataclass
class Samples:
    insert_to_pin: list[float] = field(default_factory=list)
    insert_to_event: list[float] = field(default_factory=list)
    event_to_pin: list[float] = field(default_factory=list)
    pin_to_overview: list[float] = field(default_factory=list)
    event_to_balance: list[float] = field(default_factory=list)
    verify: list[float] = field(default_factory=list)
    apdus_before_pin: list[int] = field(default_factory=list)
    # The card's own APDU time within each figure: its floor.
    transmit_before_pin: list[float] = field(default_factory=list)
    transmit_to_balance: list[float] = field(default_factory=list)
    failed: int = 0


class CardEvents:
    """When the last CardInserted reached the backend's subscribers (monitor thread)."""

    def __init__(self) -> None:
        self.inserted_at: float | None = None
        self.arrived = threading.Event()

    def __call__(self, event: ReaderEvent) -> None:
        if isinstance(event, CardInserted):
            self.inserted_at = time.perf_counter()
            self.arrived.set()

    def clear(self) -> None:
        self.inserted_at = None
        self.arrived.clear()


class SessionBench:
    """The kiosk on the pcsc backend, the two vpcd slots, and what each session measured."""

    def __init__(self, config: KioskConfig, harness: PcscdHarness, now: datetime) -> None:
        self.log = ApduLog()
        self.events = CardEvents()
        backend = TimedPcscBackend("Virtual PCD", self.log)
        self._unsubscribe = backend.subscribe(self.events)
        self.slots = VpcdReader(harness)
        self.rig = KioskRig(config, backend=backend, cards=self.slots, now=lambda: now)
        self.samples = Samples()
        self._apdus_at_pin_pad: tuple[int, float] | None = None  # APDUs, their ms
        self.rig.session.subscribe(self._on_view)

    def _on_view(self, view: View) -> None:
        # Published on the UI thread as the probe's result arrives, before the session
        # queues the rest of the read: the APDUs so far are exactly those before the pad.
        if view.state is State.PIN_ENTRY and self._apdus_at_pin_pad is None:
            self._apdus_at_pin_pad = (self.log.apdus, self.log.transmit_ms)

    def _forget_pin_pad(self) -> None:
        self._apdus_at_pin_pad = None

    def run(self, holders: list[Holder], apdu_delay_ms: float = 0.0) -> Samples:
        """With a real-reader delay, OK is pressed once the read is done, as it is for a
        person (six digits take seconds; the read behind the PIN pad ~0.5 s at 40 ms)."""
        rig = self.rig
        self.samples = Samples()
        rig.wait_until(lambda: rig.showing(State.IDLE), STEP_TIMEOUT_MS)
        for holder in holders:
            if not self._measured(holder_card(holder, apdu_delay_ms), apdu_delay_ms > 0):
                self.samples.failed += 1
            rig.session.finish()
            self.slots.remove()
            if not rig.wait_until(lambda: rig.showing(State.IDLE), STEP_TIMEOUT_MS):
                self.samples.failed += 1
        return self.samples

    def _measured(self, card: SimulatedCard, ok_after_read: bool = False) -> bool:
        """Card in, PIN pad, PIN, painted balance; False when a screen never came."""
        rig, log, events, samples = self.rig, self.log, self.events, self.samples
        log.clear()
        events.clear()
        self._forget_pin_pad()
        rig.insert(card)
        inserted_at = self.slots.inserted_at
        if not rig.wait_until(rig.pin_pad_ready, STEP_TIMEOUT_MS):
            return False
        rig.paint()
        pad_at = time.perf_counter()
        apdus = self._apdus_at_pin_pad
        rig.type_pin(PIN, confirm=False)
        if ok_after_read and not rig.wait_until(lambda: log.apdus >= READ_APDUS, STEP_TIMEOUT_MS):
            return False
        pressed_at = time.perf_counter()
        rig.confirm_pin()
        if not rig.wait_until(rig.balance_shown, STEP_TIMEOUT_MS):
            return False
        rig.paint()
        painted_at = time.perf_counter()
        if events.inserted_at is None or len(log.verify_ms) != 1 or apdus is None:
            return False
        samples.insert_to_pin.append((pad_at - inserted_at) * 1000)
        samples.insert_to_event.append((events.inserted_at - inserted_at) * 1000)
        samples.event_to_pin.append((pad_at - events.inserted_at) * 1000)
        samples.pin_to_overview.append((painted_at - pressed_at) * 1000)
        samples.event_to_balance.append((painted_at - events.inserted_at) * 1000)
        samples.verify.append(log.verify_ms[0])
        samples.apdus_before_pin.append(apdus[0])
        samples.transmit_before_pin.append(apdus[1])
        samples.transmit_to_balance.append(log.transmit_ms)
        return True

    def close(self) -> None:
        self.slots.remove()
        self._unsubscribe()
        self.rig.close()


def _start_to_attract(config_file: Path, runs: int) -> Figure:
    """`kiosk run --smoke` with this section's kiosk.toml (pcsc reader, the big store),
    each run beside a bare window's."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "ui.cli", "--config", str(config_file), "run", "--smoke"]
    kiosk, bare = [], []
    for _run in range(runs):
        kiosk.append(reported_ms(command, env))
        bare.append(bare_window_ms(env))
    return start_figure(kiosk, bare)


def run(
    config: KioskConfig, quick: bool, harness: PcscdHarness | None = None, **_: Any
) -> dict[str, Any]:
    """`harness`: a pcscd already running in this process (the tests' session fixture)."""
    del config
    persons = 20_000 if quick else 1_000_000
    count = 20 if quick else 200
    slow_count = 5 if quick else 50  # each real-reader session costs ~40x the APDU time
    cache = bench_cache()
    url = f"sqlite:///{cache / f'accounts-{persons}.sqlite3'}"
    now, info = seeded_store(url, cache / f"sqlite-{persons}.json", persons)
    holders = card_holders(url, now, count)
    own = harness is None
    pcscd = private_pcscd() if harness is None else harness
    if own:
        pcscd.start()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-session-") as folder:
        reader = '[reader]\nbackend = "pcsc"\nname_pattern = "Virtual PCD"\n'
        kiosk_config = rig_config(
            Path(folder),
            url,
            kiosk_id="bench-kiosk",
            location="示范社区卫生服务中心",
            printer='kind = "spool"\npaper_roll_mm = 500000',
            extra=reader,
        )
        try:
            bench = SessionBench(kiosk_config, pcscd, now)
            try:
                samples = bench.run(holders)
                real_reader = {
                    delay: bench.run(holders[:slow_count], delay) for delay in REAL_READER_DELAYS_MS
                }
            finally:
                bench.close()
            assert kiosk_config.source is not None
            start = _start_to_attract(kiosk_config.source, 3 if quick else 10)
        finally:
            if own:
                pcscd.cleanup()
    if not samples.pin_to_overview:
        raise RuntimeError(f"no session reached the overview ({samples.failed} failed)")
    figures: dict[str, Any] = dict(step_figures(samples))
    for delay, slow in real_reader.items():
        for name, figure in step_figures(slow, delay).items():
            figures[f"real_reader.{delay}ms.{name}"] = figure
    figures["startup_to_attract_ms"] = start
    return figures | {
        "details": {
            "persons": persons,
            "store": {"persons": info["persons"], "reused": info["reused"]},
            **details(samples),
            "real_reader": {f"{d}ms": details(slow, d) for d, slow in real_reader.items()},
        }
    }

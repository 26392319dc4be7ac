"""Reader faults through the real stack (pcscd + vpcd, nothing of PC/SC mocked): a card in
the wrong way round, a reader another program holds, a card the kiosk holds alone, pcscd
stopped (SIGSTOP) and continued, and a card reset by the end of its session."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from smartcard import scard

from card_reader import open_card
from card_reader.backends.pcsc import PcscBackend, wait_for_card
from card_reader.errors import (
    CardError,
    CardMuteError,
    CardNotRespondingError,
    NoReaderError,
    ReaderBusyError,
)
from card_reader.events import (
    CardInserted,
    CardMute,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderLost,
    ServiceLost,
)
from card_reader.health import HealthState
from card_reader.simulator import profile
from realparts.pcscd import VpcdReader
from tests.card_reader.waiting import wait_until

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SELECT_APP = bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF")
SELECT_EF06 = bytes.fromhex("00A4020002EF06")
READ_CITIZEN_ID = bytes.fromhex("00B2080014")  # EF06 tag 08, Le = 18 + 2
STALL_SECONDS = 3.0
CONNECT_SECONDS = 2.0


class Events:
    """Every event with when and on which thread it arrived; notices two emitting at once."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, ReaderEvent]] = []
        self.overlaps = 0
        self._emitting = threading.Lock()
        self._lock = threading.Lock()

    def __call__(self, event: ReaderEvent) -> None:
        if not self._emitting.acquire(blocking=False):
            self.overlaps += 1
            self._emitting.acquire()
        try:
            with self._lock:
                self.seen.append((time.monotonic(), threading.current_thread().name, event))
            time.sleep(0.002)  # widen the window in which a second emitter would be caught
        finally:
            self._emitting.release()

    def since(self, start: float) -> list[ReaderEvent]:
        with self._lock:
            return [event for at, _, event in self.seen if at >= start]

    def first(self, start: float, wanted: Callable[[ReaderEvent], bool]) -> float | None:
        with self._lock:
            return next((at for at, _, e in self.seen if at >= start and wanted(e)), None)

    def wait(self, start: float, wanted: Callable[[ReaderEvent], bool], timeout: float) -> float:
        """Seconds from `start` until an event `wanted` arrived (AssertionError if none)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.first(start, wanted)
            if at is not None:
                return at - start
            time.sleep(0.01)
        raise AssertionError(f"no such event within {timeout} s; seen: {self.since(start)}")

    def threads(self, start: float) -> set[str]:
        with self._lock:
            return {thread for at, thread, _ in self.seen if at >= start}


@contextmanager
def watched(
    stall_seconds: float = STALL_SECONDS, connect_seconds: float = CONNECT_SECONDS
) -> Iterator[tuple[PcscBackend, Events]]:
    backend = PcscBackend(
        "Virtual PCD", stall_seconds=stall_seconds, connect_seconds=connect_seconds
    )
    events = Events()
    backend.subscribe(events)
    try:
        events.wait(0.0, is_(ReaderAdded), timeout=5)  # the monitor has listed the readers
        yield backend, events
    finally:
        backend.close()


def is_(kind: type, reader: str | None = None) -> Callable[[ReaderEvent], bool]:
    return lambda e: isinstance(e, kind) and (reader is None or getattr(e, "reader", "") == reader)


def peer(mode: str, reader: str) -> subprocess.Popen[str]:
    """Another program using PC/SC: see tests/card_reader/pcsc_peer.py."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.card_reader.pcsc_peer", mode, reader],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def sw(answer: bytes) -> str:
    return answer[-2:].hex().upper()


# -- a card in the wrong way round ------------------------------------------------------------


def test_a_reversed_card_is_mute_once_then_removed_and_the_next_card_is_read(
    vpcd_reader: VpcdReader,
) -> None:
    with watched() as (backend, events):
        vpcd_reader.empty()  # so the insertion below is not delayed by the slot's rest
        reader = vpcd_reader.insert("reversed-card")
        start = time.monotonic()
        took = events.wait(start, is_(CardMute, reader), timeout=2.5)
        print(f"\nreversed card -> CardMute in {took:.2f} s")
        assert took < 2.0
        with pytest.raises(CardMuteError, match="no answer to reset"):
            backend.connect(reader)
        time.sleep(1.5)  # pcscd keeps polling the card: it is still one insertion
        assert [type(e) for e in events.since(start)] == [CardMute]
        assert backend.health().state is HealthState.OK

        removed = time.monotonic()
        vpcd_reader.remove()
        took = events.wait(removed, is_(CardRemoved, reader), timeout=2.5)
        print(f"reversed card out -> CardRemoved in {took:.2f} s")

        again = time.monotonic()
        good = vpcd_reader.insert("zhang-wei")
        events.wait(again, is_(CardInserted, good), timeout=3.0)
        connection = backend.connect(good)
        try:
            assert open_card(connection).read_identity().name == "张伟"
        finally:
            connection.disconnect()
        assert not [e for e in events.since(start) if isinstance(e, ServiceLost | ReaderLost)]


def test_a_late_subscriber_hears_of_the_mute_card_already_in(vpcd_reader: VpcdReader) -> None:
    with watched() as (backend, events):
        start = time.monotonic()
        reader = vpcd_reader.insert_reversed("pin-gated")
        events.wait(start, is_(CardMute, reader), timeout=2.5)
        late: list[ReaderEvent] = []
        backend.subscribe(late.append)
        assert CardMute(reader) in late
        assert not [e for e in late if isinstance(e, CardInserted)]


# -- who holds the reader ---------------------------------------------------------------------


def test_a_reader_held_by_another_program_is_busy_and_the_message_names_it(
    vpcd_reader: VpcdReader,
) -> None:
    reader = vpcd_reader.insert("zhang-wei")
    backend = PcscBackend("Virtual PCD")
    wait_for_card(backend, 5, reader)
    holder = peer("hold", reader)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(ReaderBusyError) as busy:
            backend.connect(reader)
        took = time.monotonic() - started
        print(f"\nReaderBusyError in {took * 1000:.0f} ms: {busy.value.operator_message}")
        assert busy.value.kind == "reader_busy"
        assert reader in busy.value.operator_message
        assert f"pid {holder.pid} (python" in busy.value.operator_message
        assert took < 1.0
    finally:
        holder.communicate("", timeout=10)  # closing its stdin lets it go
        backend.close()
    connection = backend.connect(reader)  # free again once the other program let go
    connection.disconnect()


def test_while_the_kiosk_holds_a_card_no_other_program_can_talk_to_it(
    vpcd_reader: VpcdReader,
) -> None:
    reader = vpcd_reader.insert("pin-gated")
    backend = PcscBackend("Virtual PCD")
    wait_for_card(backend, 5, reader)
    connection = backend.connect(reader)
    try:
        card = open_card(connection)
        pin = bytearray(profile("pin-gated").pin.encode())
        assert card.verify_pin(pin).ok
        other = peer("share", reader).communicate(timeout=10)[0].strip()
        assert other == f"{scard.SCARD_E_SHARING_VIOLATION & 0xFFFFFFFF:08X}"
    finally:
        connection.disconnect()
        backend.close()
    assert peer("share", reader).communicate(timeout=10)[0].strip() == "shared"


# -- the end of a session ---------------------------------------------------------------------


def test_after_disconnect_the_card_is_no_longer_verified(vpcd_reader: VpcdReader) -> None:
    reader = vpcd_reader.insert("pin-gated")
    backend = PcscBackend("Virtual PCD")
    wait_for_card(backend, 5, reader)
    connection = backend.connect(reader)
    card = open_card(connection)
    assert card.verify_pin(bytearray(profile("pin-gated").pin.encode())).ok
    assert card.read_holder().ssn == profile("pin-gated").citizen_id
    connection.disconnect()  # the session ends: SCARD_RESET_CARD
    backend.close()
    # A fresh backend, so a fresh PC/SC context: what any other program would get.
    fresh = PcscBackend("Virtual PCD").connect(reader)
    try:
        assert sw(fresh.transmit(SELECT_APP)) == "9000"
        assert sw(fresh.transmit(SELECT_EF06)) == "9000"
        assert sw(fresh.transmit(READ_CITIZEN_ID)) == "6982"  # the PIN is wanted again
    finally:
        fresh.disconnect()


# -- pcscd stopped and continued --------------------------------------------------------------


def _connect_within_bound(backend: PcscBackend, reader: str) -> tuple[float, CardError]:
    started = time.monotonic()
    with pytest.raises((NoReaderError, CardNotRespondingError)) as failed:
        backend.connect(reader)
    return time.monotonic() - started, failed.value


def test_pcscd_stopped_is_a_stall_reported_in_time_and_healed_after_it_continues(
    vpcd_reader: VpcdReader,
) -> None:
    harness = vpcd_reader.harness
    reader = vpcd_reader.insert("zhang-wei")
    with watched(STALL_SECONDS, CONNECT_SECONDS) as (backend, events):
        events.wait(0.0, is_(CardInserted, reader), timeout=5)
        assert backend.health().state is HealthState.OK
        first_monitor = {t for t in events.threads(0.0) if t.startswith("pcsc-monitor")}
        try:
            paused = time.monotonic()
            harness.pause()
            stalled = events.wait(paused, is_(ServiceLost), timeout=STALL_SECONDS + 1.5)
            lost = events.since(paused)
            reason = next(e.reason for e in lost if isinstance(e, ServiceLost))
            print(f"\npcscd stopped -> ServiceLost in {stalled:.2f} s: {reason}")
            assert stalled < STALL_SECONDS + 1.0
            assert "reader monitor stalled" in reason
            assert CardRemoved(reader) in lost
            assert ReaderLost(reader) in lost
            health = backend.health()
            assert health.state is HealthState.STALLED
            assert health.monitor_age_seconds > STALL_SECONDS
            assert "stalled" in health.detail
            took, error = _connect_within_bound(backend, reader)
            print(f"connect while stopped -> {type(error).__name__} in {took:.2f} s")
            assert took < CONNECT_SECONDS + 0.5
            assert backend.health().state is HealthState.STALLED  # no fresh context says "ok"
        finally:
            harness.resume()
        resumed = time.monotonic()
        back = events.wait(resumed, is_(ReaderAdded, reader), timeout=5)
        card = events.wait(resumed, is_(CardInserted, reader), timeout=5)
        print(f"pcscd continued -> ReaderAdded in {back:.2f} s, CardInserted in {card:.2f} s")
        assert card < 3.0
        health = backend.health()
        assert (health.state, reader in health.readers) == (HealthState.OK, True)
        assert health.monitor_age_seconds < 1.5
        connection = backend.connect(reader)
        try:
            assert open_card(connection).read_identity().name == "张伟"
        finally:
            connection.disconnect()
        # The stopped monitor, once its call came back, left without a word.
        assert not first_monitor & events.threads(paused + 0.001)
        wait_until(lambda: not _alive(first_monitor), timeout=5)
        assert events.overlaps == 0


def test_pcscd_killed_while_stopped_and_started_again_is_served_by_the_reconnect(
    vpcd_reader: VpcdReader,
) -> None:
    harness = vpcd_reader.harness
    with watched() as (backend, events):
        paused = time.monotonic()
        harness.pause()
        try:
            events.wait(paused, is_(ServiceLost), timeout=STALL_SECONDS + 1.5)
        finally:
            harness.kill()  # SIGKILL ends it although it is stopped
        # The replacement monitor's call fails at once now: it turns, and says why.
        wait_until(lambda: backend.health().state is HealthState.NO_SERVICE, timeout=3)
        assert backend.health().monitor_age_seconds < 1.0
        harness.start()
        started = time.monotonic()
        reader = vpcd_reader.insert("wang-zhe")
        took = events.wait(started, is_(CardInserted, reader), timeout=6)
        print(f"\nstopped, killed, started: CardInserted {took:.2f} s after the start")
        connection = backend.connect(reader)
        try:
            assert open_card(connection).read_identity().name == "王喆"
        finally:
            connection.disconnect()
        assert backend.health().state is HealthState.OK
        assert events.overlaps == 0


def test_a_healthy_monitor_turns_well_within_its_stall_bound(vpcd_reader: VpcdReader) -> None:
    reader = vpcd_reader.insert("zhang-wei")
    with watched() as (backend, events):
        events.wait(0.0, is_(CardInserted, reader), timeout=5)
        oldest = 0.0
        ends = time.monotonic() + 4
        while time.monotonic() < ends:
            oldest = max(oldest, backend.health().monitor_age_seconds)
            time.sleep(0.05)
        print(f"\nhealthy monitor: oldest turn seen {oldest:.2f} s")
        assert oldest < STALL_SECONDS / 2
        assert not [e for e in events.since(0.0) if isinstance(e, ServiceLost)]


def test_health_says_what_the_monitor_saw_without_asking_pcscd(vpcd_reader: VpcdReader) -> None:
    del vpcd_reader  # pcscd runs with its two readers, none named like this
    backend = PcscBackend("No Such Reader")
    assert backend.health().state is HealthState.NO_SERVICE  # nobody made it watch yet
    events = Events()
    backend.subscribe(events)
    try:
        events.wait(0.0, is_(ServiceLost), timeout=5)
        health = backend.health()
        assert (health.state, health.readers) == (HealthState.NO_READER, ())
        assert health.detail == "no matching reader"
    finally:
        backend.close()
    assert backend.health().state is HealthState.NO_SERVICE


def _alive(names: set[str]) -> bool:
    return any(t.name in names and t.is_alive() for t in threading.enumerate())

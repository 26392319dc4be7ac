"""PC/SC backend on pyscard's low-level `scard` API, for any CCID reader behind pcscd.

A monitor thread watches readers and cards with SCardGetStatusChange and survives pcscd
restarts (a dead context is replaced, readers are listed again). A stopped pcscd (SIGSTOP, a
hung daemon) is worse: every PC/SC call then blocks for ever and no error ever comes back.
So the monitor stamps each turn of its loop, and a watcher thread that never calls PC/SC
supersedes a monitor that has not turned for `stall_seconds`: it reports the readers lost
and starts a new monitor with a new context. Monitors are numbered (generations); one emits
only while it is the current generation, checked under the lock it emits under, so a
superseded monitor whose call returns at last releases its context and leaves in silence.

libpcsclite holds one process-wide lock while SCardEstablishContext waits for pcscd, so with
pcscd stopped a call that needs a new context blocks every other such call in the process:
no PC/SC call is made while holding the backend's lock, and connect, list_readers and
disconnect each run under a deadline.

Connections use their own context (a context blocked in SCardGetStatusChange must not be
shared) and hold the card exclusively: a card whose PIN was verified is the session's alone.
How one is closed while a command hangs in the card: pcsc_connection.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from smartcard import scard

from card_reader.backends.pcsc_clients import describe_pcsc_clients
from card_reader.backends.pcsc_connection import SERVICE_GONE, PcscConnection, error_text
from card_reader.deadline import call_with_deadline
from card_reader.errors import (
    CardCommunicationError,
    CardError,
    CardMuteError,
    CardNotRespondingError,
    NoCardError,
    NoReaderError,
    ReaderBusyError,
)
from card_reader.events import (
    CardInserted,
    CardMute,
    CardRemoved,
    EventCallback,
    ReaderAdded,
    ReaderEvent,
    ReaderLost,
    ServiceLost,
    Subscribers,
)
from card_reader.health import HealthState, ReaderHealth

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
DEFAULT_STALL_SECONDS = 3.0
DEFAULT_CONNECT_SECONDS = 5.0
CANCEL_SECONDS = 1.0
RECONNECT_PAUSE = 0.25  # between attempts to reach a pcscd that is not there
# What SCardConnect's failures mean to the session (a sharing violation is handled apart:
# its message names who else uses PC/SC).
_CONNECT_ERRORS: dict[int, type[CardError]] = {
    scard.SCARD_E_NO_SMARTCARD: NoCardError,
    scard.SCARD_W_REMOVED_CARD: NoCardError,
    scard.SCARD_E_UNKNOWN_READER: NoReaderError,
    scard.SCARD_E_READER_UNAVAILABLE: NoReaderError,
    # pcscd could not power the card up: it gave no ATR (reversed, or a mute chip).
    scard.SCARD_W_UNPOWERED_CARD: CardMuteError,
    scard.SCARD_W_UNRESPONSIVE_CARD: CardMuteError,
    **dict.fromkeys(SERVICE_GONE, NoReaderError),
}


def _pcscd_not_answering(message: str) -> NoReaderError:
    return NoReaderError(f"pcscd not answering: {message}")


class _Mute:
    """What the monitor remembers for a card that is present but gave no ATR."""

    def __repr__(self) -> str:
        return "MUTE"


MUTE = _Mute()
# Per reader: None (empty), MUTE, or the ATR of a card that answered reset.
_Slot = bytes | _Mute | None


def _slot(event_state: int, atr: list[int]) -> _Slot:
    if not event_state & scard.SCARD_STATE_PRESENT:
        return None
    if event_state & scard.SCARD_STATE_MUTE:  # pcscd's power-up failed: no ATR
        return MUTE
    return bytes(atr)


class _Abandoned(Exception):
    """A connect finished after its caller had given up; nobody reads this."""


class _ConnectAttempt:
    """One bounded connect. A connection that arrives after its caller gave up is closed at
    once: left open, an EXCLUSIVE connection would hold the card against the kiosk itself."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.has_context = False
        self._lock = threading.Lock()
        self._abandoned = False
        self._made: PcscConnection | None = None

    @property
    def abandoned(self) -> bool:
        with self._lock:
            return self._abandoned

    def deliver(self, connection: PcscConnection) -> PcscConnection:
        with self._lock:
            if not self._abandoned:
                self._made = connection
                return connection
        _close_quietly(connection)
        raise _Abandoned

    def overrun(self, message: str) -> CardError:
        """The error for a connect past its deadline (called by call_with_deadline)."""
        with self._lock:
            self._abandoned = True
            late, self._made = self._made, None
        if late is not None:  # made in the very moment the deadline passed
            threading.Thread(target=_close_quietly, args=(late,), daemon=True).start()
        if not self.has_context:
            return _pcscd_not_answering(message)
        return CardNotRespondingError(message)


def _close_quietly(connection: PcscConnection) -> None:
    try:
        connection.disconnect()
    except CardError as error:
        log.debug("closing an abandoned connection: %s", error.operator_message)


@dataclass
class _Loop:
    """One monitor generation's own PC/SC context and the states it last saw."""

    generation: int
    context: int | None = None
    states: dict[str, int] = field(default_factory=dict)


class _Superseded(Exception):
    """This monitor is no longer the current generation: it must leave without a word."""


class _ServiceGone(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PcscBackend:
    """Readers whose name contains `name_pattern` (all readers when it is empty).

    `wait_ms` bounds each SCardGetStatusChange (so a healthy monitor turns at least that
    often); a monitor silent for `stall_seconds` is replaced; `connect_seconds` bounds
    connect, list_readers and each connection's disconnect."""

    def __init__(
        self,
        name_pattern: str = "",
        wait_ms: int = 1000,
        *,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        connect_seconds: float = DEFAULT_CONNECT_SECONDS,
    ) -> None:
        self.name_pattern = name_pattern
        self.wait_ms = wait_ms
        self.stall_seconds = stall_seconds
        self.connect_seconds = connect_seconds
        self._subscribers = Subscribers()
        # Held for every change of what we report and while emitting it: one thread emits
        # at a time. Never held across a PC/SC call.
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._context: int | None = None  # the current monitor's, for close() to cancel
        self._turned_at = time.monotonic()
        self._stalled: str | None = None  # why the monitor was replaced, until one turns
        # What we last reported, so new subscribers hear the current state.
        self._readers: dict[str, _Slot] = {}
        # Why there is no reader to use (pcscd unreachable, none plugged in), once reported.
        self._missing: str | None = None
        self._missing_state = HealthState.NO_SERVICE

    # -- one-shot queries -------------------------------------------------------------

    def _matching(self, readers: list[str]) -> list[str]:
        return [r for r in readers if self.name_pattern in r]

    def list_readers(self) -> list[str]:
        """A fresh listing from pcscd (NoReaderError within `connect_seconds` if it does
        not answer); health() tells what the monitor sees without asking pcscd."""
        return call_with_deadline(
            self._list_now, None, self.connect_seconds, "list readers", _pcscd_not_answering
        )

    def _list_now(self, _: None) -> list[str]:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"pcscd not reachable: {error_text(hresult)}")
        try:
            hresult, readers = scard.SCardListReaders(context, [])
            if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                return []
            if hresult != scard.SCARD_S_SUCCESS:
                raise NoReaderError(f"list readers: {error_text(hresult)}")
            return self._matching(list(readers))
        finally:
            scard.SCardReleaseContext(context)

    def connect(self, reader: str) -> PcscConnection:
        """The card in `reader`, held exclusively until disconnect(). Within
        `connect_seconds` or NoReaderError (pcscd not answering) / CardNotRespondingError;
        ReaderBusyError when another program holds the reader."""
        attempt = _ConnectAttempt(reader)
        what = f"connect to {reader}"
        try:
            return call_with_deadline(
                self._connect_now, attempt, self.connect_seconds, what, attempt.overrun
            )
        except CardNotRespondingError as error:
            # pcscd answered but the connect did not: a hung driver, or another program
            # holding the reader inside a transaction (pcscd waits for its end).
            hint = f"another program may hold the reader; {describe_pcsc_clients()}"
            raise CardNotRespondingError(f"{error.operator_message} ({hint})") from None

    def _connect_now(self, attempt: _ConnectAttempt) -> PcscConnection:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"pcscd not reachable: {error_text(hresult)}")
        attempt.has_context = True
        if attempt.abandoned:  # pcscd answered, but too late for the caller
            scard.SCardReleaseContext(context)
            raise _Abandoned
        hresult, card, protocol = scard.SCardConnect(
            context,
            attempt.reader,
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(context)
            raise _connect_error(attempt.reader, hresult)
        hresult, _name, _state, _protocol, atr = scard.SCardStatus(card)
        atr_bytes = bytes(atr) if hresult == scard.SCARD_S_SUCCESS else b""
        connection = PcscConnection(context, card, protocol, atr_bytes, self.connect_seconds)
        return attempt.deliver(connection)

    def health(self) -> ReaderHealth:
        """What the monitor last saw and how long since its loop last turned. Never calls
        PC/SC; waits at most a second for a subscriber callback that is running."""
        if not self._lock.acquire(timeout=1.0):
            age = time.monotonic() - self._turned_at
            detail = "reader monitor busy delivering an event for over 1 s"
            return ReaderHealth(HealthState.STALLED, (), age, detail)
        try:
            return self._health_now()
        finally:
            self._lock.release()

    def _health_now(self) -> ReaderHealth:
        if self._stop.is_set():
            return ReaderHealth(HealthState.NO_SERVICE, (), 0.0, "reader monitor closed")
        if self._thread is None:
            return ReaderHealth(HealthState.NO_SERVICE, (), 0.0, "reader monitor not started")
        age = time.monotonic() - self._turned_at
        readers = tuple(self._readers)
        if self._stalled is not None or age > self.stall_seconds:
            detail = self._stalled or f"reader monitor has not turned for {age:.1f} s"
            return ReaderHealth(HealthState.STALLED, readers, age, detail)
        if readers:
            return ReaderHealth(HealthState.OK, readers, age, f"{len(readers)} reader(s)")
        if self._missing is not None:
            return ReaderHealth(self._missing_state, (), age, self._missing)
        return ReaderHealth(HealthState.NO_READER, (), age, "no reader listed yet")

    # -- events -------------------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        # Under the lock: the monitor cannot emit between this replay and the next event.
        with self._lock:
            unsubscribe = self._subscribers.add(callback)
            if self._thread is None and not self._stop.is_set():
                self._turned_at = time.monotonic()  # the first turn gets its full bound
                self._start_monitor()
                threading.Thread(
                    target=self._watch_monitor, name="pcsc-watcher", daemon=True
                ).start()
            if self._missing is not None and not self._readers:
                callback(ServiceLost(self._missing))
            for reader, slot in self._readers.items():
                callback(ReaderAdded(reader))
                if slot is MUTE:
                    callback(CardMute(reader))
                elif isinstance(slot, bytes):
                    callback(CardInserted(reader, slot))
        return unsubscribe

    def _emit(self, event: ReaderEvent) -> None:
        self._subscribers.emit(event)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._generation += 1  # every monitor is superseded: none emits after close
            thread, context = self._thread, self._context
            stuck = self._stalled is not None or self._age() > self.stall_seconds
        if context is not None:
            _cancel_quietly(context)
        if thread is not None and not stuck and thread is not threading.current_thread():
            thread.join(timeout=3)
        self._subscribers.clear()

    def _age(self) -> float:
        return time.monotonic() - self._turned_at

    # -- the monitor ------------------------------------------------------------------

    def _start_monitor(self) -> None:
        """A monitor of the current generation, on a thread of its own (lock held)."""
        loop = _Loop(self._generation)
        self._context = None
        self._thread = threading.Thread(
            target=self._monitor, args=(loop,), name=f"pcsc-monitor-{loop.generation}", daemon=True
        )
        self._thread.start()

    @contextmanager
    def _current(self, loop: _Loop) -> Iterator[None]:
        """Hold the lock to report a change, if `loop` is still the current monitor."""
        with self._lock:
            if loop.generation != self._generation:
                raise _Superseded
            yield

    def _monitor(self, loop: _Loop) -> None:
        try:
            while not self._stop.is_set():
                self._turn(loop)
                self._turned(loop)
        except _Superseded:
            log.info("reader monitor %d superseded: releasing its context", loop.generation)
        except Exception:  # a bug: the watcher sees this monitor stop turning and replaces it
            log.exception("reader monitor %d failed", loop.generation)
        finally:
            if loop.context is not None:
                scard.SCardReleaseContext(loop.context)

    def _turned(self, loop: _Loop) -> None:
        with self._current(loop):
            self._turned_at = time.monotonic()
            if self._stalled is not None:
                log.info("reader monitor %d turns again", loop.generation)
                self._stalled = None

    def _turn(self, loop: _Loop) -> None:
        if loop.context is None and not self._establish(loop):
            self._stop.wait(RECONNECT_PAUSE)
            return
        try:
            loop.states = self._watch_once(loop)
        except _ServiceGone as gone:
            self._drop_context(loop, gone.reason)

    def _establish(self, loop: _Loop) -> bool:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == scard.SCARD_S_SUCCESS:
            loop.context, loop.states = context, {}  # released on exit, superseded or not
        with self._current(loop):
            if hresult == scard.SCARD_S_SUCCESS:
                self._context = context
                return True
            self._report_missing(f"pcscd not reachable: {error_text(hresult)}")
        return False

    def _drop_context(self, loop: _Loop, reason: str) -> None:
        log.warning("pcscd connection lost (%s); reconnecting", reason)
        context, loop.context, loop.states = loop.context, None, {}
        if context is not None:
            scard.SCardReleaseContext(context)
        with self._current(loop):
            self._context = None
            for reader in list(self._readers):
                self._forget_reader(reader)
            self._missing, self._missing_state = reason, HealthState.NO_SERVICE
            self._emit(ServiceLost(reason))
        self._stop.wait(RECONNECT_PAUSE)

    def _report_missing(self, reason: str, state: HealthState = HealthState.NO_SERVICE) -> None:
        """Say once that there is nothing to read cards with, so the kiosk does not invite
        a card it cannot read (a reader that vanished is reported by _forget_reader).
        The reason is kept up to date for health() (lock held)."""
        if self._readers:
            return
        first = self._missing is None
        self._missing, self._missing_state = reason, state
        if first:
            log.warning("no card reader: %s", reason)
            self._emit(ServiceLost(reason))

    def _forget_reader(self, reader: str) -> None:
        if self._readers.pop(reader, None) is not None:
            self._emit(CardRemoved(reader))
        self._emit(ReaderLost(reader))

    def _watch_once(self, loop: _Loop) -> dict[str, int]:
        context = loop.context
        assert context is not None
        hresult, listed = scard.SCardListReaders(context, [])
        if hresult in SERVICE_GONE:
            raise _ServiceGone(error_text(hresult))
        readers = [] if hresult != scard.SCARD_S_SUCCESS else self._matching(list(listed))
        with self._current(loop):
            self._sync_readers(readers)
        watched = [(r, loop.states.get(r, scard.SCARD_STATE_UNAWARE)) for r in readers]
        pnp = loop.states.get(PNP_NOTIFICATION, scard.SCARD_STATE_UNAWARE)
        watched.append((PNP_NOTIFICATION, pnp))
        hresult, new_states = scard.SCardGetStatusChange(context, self.wait_ms, watched)
        if hresult in SERVICE_GONE:
            raise _ServiceGone(error_text(hresult))
        if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
            return loop.states
        if hresult != scard.SCARD_S_SUCCESS:
            # e.g. a reader vanished between listing and waiting: list again shortly.
            self._stop.wait(0.05)
            return {}
        with self._current(loop):
            return self._apply_states(new_states)

    def _sync_readers(self, readers: list[str]) -> None:
        for reader in [r for r in self._readers if r not in readers]:
            self._forget_reader(reader)
        if not readers:
            self._report_missing("no matching reader", HealthState.NO_READER)
        for reader in readers:
            if reader not in self._readers:
                self._readers[reader] = None
                self._missing = None
                self._emit(ReaderAdded(reader))

    def _apply_states(self, new_states: list[tuple[str, int, list[int]]]) -> dict[str, int]:
        result: dict[str, int] = {}
        for reader, event_state, atr in new_states:
            result[reader] = event_state & ~scard.SCARD_STATE_CHANGED
            if reader != PNP_NOTIFICATION and reader in self._readers:
                self._card_now(reader, _slot(event_state, atr))
        return result

    def _card_now(self, reader: str, new: _Slot) -> None:
        """Report how the card in `reader` changed: in, out, or in without an ATR."""
        old = self._readers[reader]
        if type(old) is type(new):
            return
        self._readers[reader] = new
        # A card that had answered leaves (or stops answering reset: its session must end);
        # a mute card leaves as an ordinary removal.
        if isinstance(old, bytes) or (old is MUTE and new is None):
            self._emit(CardRemoved(reader))
        if new is MUTE:
            log.warning("card in %s gives no ATR (reversed, or a mute chip)", reader)
            self._emit(CardMute(reader))
        elif isinstance(new, bytes):
            self._emit(CardInserted(reader, new))

    # -- the watcher --------------------------------------------------------------------

    def _watch_monitor(self) -> None:
        """Supersede a monitor that has not turned for `stall_seconds`. Makes no PC/SC
        call: with pcscd stopped it would block here too."""
        period = min(0.25, self.stall_seconds / 4)
        while not self._stop.wait(period):
            with self._lock:
                age = self._age()
                if self._stalled is None and age > self.stall_seconds and not self._stop.is_set():
                    self._supersede(age)

    def _supersede(self, age: float) -> None:
        """Report the readers lost and start a new monitor with a new context (lock held).
        Once: a replacement that cannot get through either is not replaced again until it
        has turned, so stuck threads do not pile up while pcscd stays stopped."""
        reason = f"reader monitor stalled: no answer from pcscd for {age:.1f} s"
        log.warning("%s; starting a new monitor with a new context", reason)
        self._generation += 1
        self._stalled = reason
        for reader in list(self._readers):
            self._forget_reader(reader)
        self._missing, self._missing_state = reason, HealthState.STALLED
        self._emit(ServiceLost(reason))
        self._start_monitor()


def _connect_error(reader: str, hresult: int) -> CardError:
    text = f"connect to {reader}: {error_text(hresult)}"
    if hresult == scard.SCARD_E_SHARING_VIOLATION:
        return ReaderBusyError(f"{text}: held by another program; {describe_pcsc_clients()}")
    if hresult in (scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD):
        text += ": the card gives no answer to reset (reversed, or a mute chip)"
    return _CONNECT_ERRORS.get(hresult, CardCommunicationError)(text)


def _cancel_quietly(context: int) -> None:
    """Wake the monitor's SCardGetStatusChange; bounded, since it blocks on a stopped pcscd."""
    try:
        call_with_deadline(scard.SCardCancel, context, CANCEL_SECONDS, "cancel")
    except CardError as error:
        log.debug("cancel: %s", error.operator_message)


def wait_for_card(
    backend: PcscBackend, timeout_seconds: float, reader_hint: str = ""
) -> tuple[str, bytes]:
    """Block until a card is in a matching reader; NoReaderError / NoCardError on timeout."""
    found: list[tuple[str, bytes]] = []
    seen_reader = threading.Event()
    arrived = threading.Event()

    def on_event(event: ReaderEvent) -> None:
        if isinstance(event, ReaderAdded):
            seen_reader.set()
        if isinstance(event, CardInserted) and reader_hint in event.reader:
            found.append((event.reader, event.atr))
            arrived.set()

    unsubscribe = backend.subscribe(on_event)
    try:
        deadline = time.monotonic() + timeout_seconds
        arrived.wait(max(0.0, deadline - time.monotonic()))
    finally:
        unsubscribe()
    if found:
        return found[0]
    if not seen_reader.is_set():
        raise NoReaderError("no card reader found")
    raise NoCardError("no card inserted")

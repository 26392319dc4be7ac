"""PC/SC backend on pyscard's low-level `scard` API, for any CCID reader behind pcscd.

One monitor thread watches readers and cards with SCardGetStatusChange and survives pcscd
restarts (a dead context is replaced, readers are listed again). Connections use their own
context, since a PC/SC context blocked in SCardGetStatusChange must not be shared.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from smartcard import scard

from card_reader.errors import (
    CardCommunicationError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
)
from card_reader.events import (
    CardInserted,
    CardRemoved,
    EventCallback,
    ReaderAdded,
    ReaderEvent,
    ReaderLost,
    ServiceLost,
    Subscribers,
)

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
# The card or reader is gone: the session must treat all of these as "card removed".
_CARD_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
}
# pcscd itself is gone or restarted: the context is dead and must be established again.
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_F_COMM_ERROR,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_SERVICE_STOPPED,
}


def _error_text(hresult: int) -> str:
    return f"{hresult & 0xFFFFFFFF:08X} ({scard.SCardGetErrorMessage(hresult)})"


class PcscConnection:
    def __init__(self, context: int, card: int, protocol: int, atr: bytes) -> None:
        self._context = context
        self._card = card
        self._protocol = protocol
        self.atr = atr

    def transmit(self, apdu: bytes) -> bytes:
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult == scard.SCARD_S_SUCCESS:
            if not response:
                # A card always ends with a status word; an empty answer means the reader
                # lost it (vpcd reports a vanished card this way, some CCID readers too).
                raise CardRemovedError("transmit: empty response, card gone or mute")
            return bytes(response)
        if hresult in _CARD_GONE or hresult in _SERVICE_GONE:
            raise CardRemovedError(f"transmit: {_error_text(hresult)}")
        raise CardCommunicationError(f"transmit: {_error_text(hresult)}")

    def disconnect(self) -> None:
        scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
        scard.SCardReleaseContext(self._context)


class PcscBackend:
    """Readers whose name contains `name_pattern` (all readers when it is empty)."""

    def __init__(self, name_pattern: str = "", wait_ms: int = 1000) -> None:
        self.name_pattern = name_pattern
        self.wait_ms = wait_ms
        self._subscribers = Subscribers()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: int | None = None
        # What we last reported, so new subscribers hear the current state.
        self._readers: dict[str, bytes | None] = {}
        # Why there is no reader to use (pcscd unreachable, none plugged in), once reported.
        self._missing: str | None = None

    # -- one-shot queries -------------------------------------------------------------

    def _matching(self, readers: list[str]) -> list[str]:
        return [r for r in readers if self.name_pattern in r]

    def list_readers(self) -> list[str]:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"pcscd not reachable: {_error_text(hresult)}")
        try:
            hresult, readers = scard.SCardListReaders(context, [])
            if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                return []
            if hresult != scard.SCARD_S_SUCCESS:
                raise NoReaderError(f"list readers: {_error_text(hresult)}")
            return self._matching(list(readers))
        finally:
            scard.SCardReleaseContext(context)

    def connect(self, reader: str) -> PcscConnection:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise NoReaderError(f"pcscd not reachable: {_error_text(hresult)}")
        hresult, card, protocol = scard.SCardConnect(
            context,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(context)
            if hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
                raise NoCardError(f"connect: {_error_text(hresult)}")
            if hresult in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
                raise NoReaderError(f"connect: {_error_text(hresult)}")
            raise CardCommunicationError(f"connect: {_error_text(hresult)}")
        hresult, _name, _state, _protocol, atr = scard.SCardStatus(card)
        atr_bytes = bytes(atr) if hresult == scard.SCARD_S_SUCCESS else b""
        return PcscConnection(context, card, protocol, atr_bytes)

    # -- events -------------------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        unsubscribe = self._subscribers.add(callback)
        with self._lock:
            known = dict(self._readers)
            missing = self._missing
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._monitor, name="pcsc-monitor", daemon=True
                )
                self._thread.start()
        if missing is not None and not known:
            callback(ServiceLost(missing))
        for reader, atr in known.items():
            callback(ReaderAdded(reader))
            if atr is not None:
                callback(CardInserted(reader, atr))
        return unsubscribe

    def _emit(self, event: ReaderEvent) -> None:
        self._subscribers.emit(event)

    def close(self) -> None:
        self._stop.set()
        context = self._context
        if context is not None:
            scard.SCardCancel(context)
        if self._thread is not None:
            self._thread.join(timeout=3)
        self._subscribers.clear()

    def _monitor(self) -> None:
        states: dict[str, int] = {}
        while not self._stop.is_set():
            if self._context is None:
                hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if hresult != scard.SCARD_S_SUCCESS:
                    self._report_missing(f"pcscd not reachable: {_error_text(hresult)}")
                    self._stop.wait(0.25)
                    continue
                self._context, states = context, {}
            try:
                states = self._watch_once(self._context, states)
            except _ServiceGone as gone:
                self._drop_context(gone.reason)
                states = {}

    def _drop_context(self, reason: str) -> None:
        log.warning("pcscd connection lost (%s); reconnecting", reason)
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
        self._context = None
        for reader in list(self._readers):
            self._forget_reader(reader)
        self._missing = reason
        self._emit(ServiceLost(reason))
        self._stop.wait(0.25)

    def _report_missing(self, reason: str) -> None:
        """Say once that there is nothing to read cards with, so the kiosk does not invite
        a card it cannot read (a reader that vanished is reported by _forget_reader)."""
        if self._missing is None and not self._readers:
            self._missing = reason
            log.warning("no card reader: %s", reason)
            self._emit(ServiceLost(reason))

    def _forget_reader(self, reader: str) -> None:
        atr = self._readers.pop(reader, None)
        if atr is not None:
            self._emit(CardRemoved(reader))
        self._emit(ReaderLost(reader))

    def _watch_once(self, context: int, states: dict[str, int]) -> dict[str, int]:
        hresult, listed = scard.SCardListReaders(context, [])
        if hresult in _SERVICE_GONE:
            raise _ServiceGone(_error_text(hresult))
        readers = [] if hresult != scard.SCARD_S_SUCCESS else self._matching(list(listed))
        for reader in [r for r in self._readers if r not in readers]:
            self._forget_reader(reader)
        if not readers:
            self._report_missing("no matching reader")
        for reader in readers:
            if reader not in self._readers:
                self._readers[reader] = None
                self._missing = None
                self._emit(ReaderAdded(reader))
        watched = [(r, states.get(r, scard.SCARD_STATE_UNAWARE)) for r in readers]
        watched.append((PNP_NOTIFICATION, states.get(PNP_NOTIFICATION, scard.SCARD_STATE_UNAWARE)))
        hresult, new_states = scard.SCardGetStatusChange(context, self.wait_ms, watched)
        if hresult in _SERVICE_GONE:
            raise _ServiceGone(_error_text(hresult))
        if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
            return states
        if hresult != scard.SCARD_S_SUCCESS:
            # e.g. a reader vanished between listing and waiting: list again shortly.
            self._stop.wait(0.05)
            return {}
        result: dict[str, int] = {}
        for reader, event_state, atr in new_states:
            result[reader] = event_state & ~scard.SCARD_STATE_CHANGED
            if reader == PNP_NOTIFICATION or reader not in self._readers:
                continue
            present = bool(event_state & scard.SCARD_STATE_PRESENT) and not (
                event_state & scard.SCARD_STATE_MUTE
            )
            was_present = self._readers[reader] is not None
            if present and not was_present:
                self._readers[reader] = bytes(atr)
                self._emit(CardInserted(reader, bytes(atr)))
            elif not present and was_present:
                self._readers[reader] = None
                self._emit(CardRemoved(reader))
        return result


class _ServiceGone(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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

"""The seam every backend implements; SSCard only ever sees `CardConnection.transmit`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from card_reader.events import EventCallback
from card_reader.health import ReaderHealth


class CardConnection(Protocol):
    atr: bytes

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU, return response data + SW1 SW2.

        Raises CardRemovedError when the card left the reader, CardCommunicationError on other
        reader failures."""
        ...

    def disconnect(self) -> None: ...


class ReaderBackend(Protocol):
    def list_readers(self) -> list[str]: ...

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Deliver reader and card events to `callback` (on the backend's thread, and once
        for the current state right away); returns a function that unsubscribes."""
        ...

    def connect(self, reader: str) -> CardConnection:
        """Hold the card in `reader` for this session alone. CardError kinds: NoCardError,
        NoReaderError, CardMuteError, ReaderBusyError (another program holds it),
        CardNotRespondingError (no answer within the backend's bound)."""
        ...

    def health(self) -> ReaderHealth:
        """What the reader monitor last saw and how long ago it last turned; answered from
        memory, never by a fresh call into the reader stack (that could hang, or answer
        "ok" while the monitor itself is stuck)."""
        ...

    def close(self) -> None: ...

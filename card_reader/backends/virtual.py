"""In-process backend driving simulated cards: unit tests and the demo's operator panel."""

from __future__ import annotations

from collections.abc import Callable

from card_reader.errors import CardMuteError, CardRemovedError, NoCardError, NoReaderError
from card_reader.events import (
    CardInserted,
    CardMute,
    CardRemoved,
    EventCallback,
    ReaderAdded,
    ReaderEvent,
    Subscribers,
)
from card_reader.health import HealthState, ReaderHealth
from card_reader.simulator.card import CardPulled, SimulatedCard

VIRTUAL_READER = "Virtual Reader 0"


class VirtualConnection:
    def __init__(self, backend: VirtualBackend, card: SimulatedCard) -> None:
        self._backend = backend
        self._card = card
        self.atr = card.atr

    def transmit(self, apdu: bytes) -> bytes:
        if self._backend.card is not self._card:
            raise CardRemovedError("virtual card removed")
        try:
            return self._card.process(apdu)
        except CardPulled as error:
            if not self._card.present:  # pulled; a reset (a disconnect) leaves it in
                self._backend.remove_if(self._card)
            raise CardRemovedError(str(error)) from None

    def disconnect(self) -> None:
        """As SCardDisconnect(SCARD_RESET_CARD) does: the card is reset, so whatever was
        verified on it is not any more."""
        self._card.reset()


class VirtualBackend:
    def __init__(self, reader: str = VIRTUAL_READER) -> None:
        self.reader = reader
        self.card: SimulatedCard | None = None
        self._subscribers = Subscribers()

    def list_readers(self) -> list[str]:
        return [self.reader]

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        unsubscribe = self._subscribers.add(callback)
        card = self.card
        callback(ReaderAdded(self.reader))
        if card is not None:
            callback(self._arrival(card))
        return unsubscribe

    def health(self) -> ReaderHealth:
        """Always there: the virtual reader has no service or monitor to lose."""
        return ReaderHealth(HealthState.OK, (self.reader,), 0.0, "virtual reader")

    def _arrival(self, card: SimulatedCard) -> CardInserted | CardMute:
        """What a reader reports for `card`: a card that gives no ATR is a mute card."""
        if card.faults.no_atr:
            return CardMute(self.reader)
        return CardInserted(self.reader, card.atr)

    def _emit(self, event: ReaderEvent) -> None:
        self._subscribers.emit(event)

    def insert(self, card: SimulatedCard) -> None:
        """Put `card` in the reader (taking out any card already there)."""
        if self.card is not None:
            self.remove()
        card.reset()
        self.card = card
        self._emit(self._arrival(card))

    def remove(self) -> None:
        card = self.card
        if card is None:
            return
        self.card = None
        card.pull()  # wakes a transmit blocked on a mute card (it raises CardRemovedError)
        self._emit(CardRemoved(self.reader))

    def remove_if(self, card: SimulatedCard) -> None:
        """Remove `card` if it is still the one in the reader (not a card inserted since)."""
        if self.card is card:
            self.remove()

    def connect(self, reader: str) -> VirtualConnection:
        if reader != self.reader:
            raise NoReaderError(f"no virtual reader {reader!r}")
        if self.card is None:
            raise NoCardError("no card in the virtual reader")
        if self.card.faults.no_atr:  # as pcscd answers SCARD_W_UNPOWERED_CARD
            raise CardMuteError("the card gives no answer to reset (no ATR)")
        return VirtualConnection(self, self.card)

    def close(self) -> None:
        self._subscribers.clear()

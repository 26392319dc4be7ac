"""The session's CardPort over a reader backend: connect, talk SSSE with a deadline, close."""

from __future__ import annotations

import logging
import threading

from card_reader import open_card
from card_reader.backends.base import CardConnection, ReaderBackend
from card_reader.errors import CardError, PinRequiredError
from card_reader.identity import CardFacts
from card_reader.sscard import CardProbe, PinResult, SSCard

log = logging.getLogger(__name__)


class ReaderCard:
    """One inserted card (kiosk.session.ports.OpenCard)."""

    def __init__(self, connection: CardConnection, deadline_seconds: float) -> None:
        self._connection = connection
        self._card: SSCard = open_card(connection, deadline_seconds=deadline_seconds)

    def probe(self) -> CardProbe:
        return self._card.probe()

    def read_facts(self) -> CardFacts:
        return self._card.read_facts()

    def read_holder_if_open(self) -> str | None:
        """The citizen ID from EF06, or None while the card keeps it behind the PIN (also
        after a good VERIFY on a card that wants more than the PIN: a 3.00 card with a
        PSAM; the fleet store then cannot match the card, the embedded one still serves)."""
        try:
            return self._card.read_holder().ssn
        except PinRequiredError:
            if self._card.pin_verified:
                log.warning("personal file still locked after a good VERIFY (PSAM card?)")
            return None

    def verify_pin(self, pin: bytearray) -> PinResult:
        return self._card.verify_pin(pin)

    def change_pin(self, old: bytearray, new: bytearray) -> PinResult:
        return self._card.change_pin(old, new)

    def close(self) -> None:
        """Disconnect with a reset, so a verified PIN ends with the session. A card whose
        driver call is still stuck is closed from a thread of its own: the worker lane never
        waits on a backend for it (PC/SC defers the release to the stuck call itself)."""
        if self._card.channel.mute:
            threading.Thread(target=self._disconnect, name="card-reaper", daemon=True).start()
            return
        self._disconnect()

    def _disconnect(self) -> None:
        try:
            self._connection.disconnect()
        except CardError as error:
            log.debug("closing the card: %s", error.operator_message)


class ReaderCards:
    """kiosk.session.ports.CardPort for `backend`, every command bounded by `deadline`."""

    def __init__(self, backend: ReaderBackend, deadline_seconds: float) -> None:
        self._backend = backend
        self._deadline = deadline_seconds

    def open(self, reader: str) -> ReaderCard:
        return ReaderCard(self._backend.connect(reader), self._deadline)

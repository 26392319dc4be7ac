"""One card held over PC/SC, and what pcsc-lite's answer codes mean to the session.

libpcsclite keeps a mutex per context, held for the whole of an SCardTransmit, and every
other call on that context (SCardDisconnect, SCardReleaseContext, SCardStatus) waits for it
while holding the library's one process-wide lock. A transmit that hangs in a mute card
(pcsc-lite puts no bound on it) and a disconnect from another thread therefore stop every
PC/SC call in the process: the reader monitor, listings, the next card's connect. Worse,
pyscard frees SCardListReaders' answer while holding the GIL, so a monitor caught there
freezes Python itself. So a connection never lets a second call in beside a transmit: a
disconnect during one only marks the connection closed, and the transmit's own thread
releases the card when the driver gives the call back (the card pulled, a reader timeout).
A transmit that never returns keeps its handle; nothing waits for it.
"""

from __future__ import annotations

import logging
import threading

from smartcard import scard

from card_reader.deadline import call_with_deadline
from card_reader.errors import CardCommunicationError, CardNotRespondingError, CardRemovedError

log = logging.getLogger(__name__)

# The card or reader is gone: the session must treat all of these as "card removed".
CARD_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
}
# pcscd itself is gone or restarted: the context is dead and must be established again.
SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_F_COMM_ERROR,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_SERVICE_STOPPED,
}


def error_text(hresult: int) -> str:
    return f"{hresult & 0xFFFFFFFF:08X} ({scard.SCardGetErrorMessage(hresult)})"


class PcscConnection:
    """The card behind `card`, on a context of its own (`context`), held until disconnect;
    `close_seconds` bounds the disconnect (the backend's connect bound)."""

    def __init__(
        self,
        context: int,
        card: int,
        protocol: int,
        atr: bytes,
        close_seconds: float,
    ) -> None:
        self._context = context
        self._card = card
        self._protocol = protocol
        self.atr = atr
        self._close_seconds = close_seconds
        self._lock = threading.Lock()  # guards the two flags; never held across PC/SC
        self._closed = False
        self._transmitting = False

    def transmit(self, apdu: bytes) -> bytes:
        with self._lock:
            if self._closed:
                raise CardRemovedError("transmit: the connection is closed")
            if self._transmitting:  # a second call on the handle would stop all of PC/SC
                raise CardNotRespondingError("an earlier command on this card never returned")
            self._transmitting = True
        try:
            hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        finally:
            if self._transmit_ended():
                log.info("a card command returned after its session closed: releasing the card")
                self._release(None)
        if hresult == scard.SCARD_S_SUCCESS:
            if not response:
                # A card always ends with a status word; an empty answer means the reader
                # lost it (vpcd reports a vanished card this way, some CCID readers too).
                raise CardRemovedError("transmit: empty response, card gone or mute")
            return bytes(response)
        if hresult in CARD_GONE or hresult in SERVICE_GONE:
            raise CardRemovedError(f"transmit: {error_text(hresult)}")
        raise CardCommunicationError(f"transmit: {error_text(hresult)}")

    def _transmit_ended(self) -> bool:
        """Whether disconnect() came while the driver had the call: ours to release."""
        with self._lock:
            self._transmitting = False
            return self._closed

    def disconnect(self) -> None:
        """Reset the card, so what was verified on it ends with the session, and let it go.

        Bounded (CardNotRespondingError): SCardDisconnect never returns while pcscd is
        stopped. During a transmit it returns at once and the transmit releases the card.
        A second call does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._transmitting:
                log.info("card disconnect deferred: a command is still in the reader driver")
                return
        call_with_deadline(self._release, None, self._close_seconds, "disconnect")

    def _release(self, _: None) -> None:
        hresult = scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
        if hresult != scard.SCARD_S_SUCCESS:
            log.debug("disconnect: %s", error_text(hresult))
        scard.SCardReleaseContext(self._context)

"""Serve a simulated card to vsmartcard's vpcd driver, so a real pcscd sees a real card.

vpcd (inside pcscd) listens on TCP; a virtual card connects to it ("inserted") and answers
its messages until it disconnects ("removed"). Framing: a 2-byte big-endian length, then
the payload; a 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 ATR).
One send per response with TCP_NODELAY and TCP_QUICKACK re-armed after every recv keeps an
APDU under a millisecond (without them Nagle meets a delayed ACK: ~44 ms per APDU).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading

from card_reader.simulator.card import CardPulled, SimulatedCard

log = logging.getLogger(__name__)

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4
# A card that gives no ATR (inserted the wrong way round, a dead chip) cannot be told to
# vpcd as "nothing": an empty answer makes vpcd drop the connection (the card is gone), and
# silence blocks pcscd's reader thread for ever. One byte more than any ATR can have
# (pcsc-lite's MAX_ATR_SIZE is 33) does it: vpcd's presence poll still sees a card, but its
# power-up fails ("Not enough memory for ATR"), and pcscd reports the card PRESENT | MUTE,
# as it does for a real card that does not answer reset (checked with pcsc-lite 1.9.9).
NO_ATR_STANDIN = bytes(34)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return bytes(data)


class VirtualCardSlot:
    """One vpcd slot (host:port). `insert(card)` connects, `remove()` disconnects."""

    def __init__(self, host: str = "127.0.0.1", port: int = 35963) -> None:
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.card: SimulatedCard | None = None
        self.served = 0

    def insert(self, card: SimulatedCard, timeout: float = 5.0) -> None:
        self.remove()
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        card.reset()
        self._sock, self.card = sock, card
        self._thread = threading.Thread(
            target=self._serve, args=(sock, card), name=f"vpcd-{self.port}", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        sock, thread, card = self._sock, self._thread, self.card
        self._sock = self._thread = self.card = None
        if card is not None:
            card.pull()  # a mute card's `process` would otherwise hold the thread forever
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def _serve(self, sock: socket.socket, card: SimulatedCard) -> None:
        try:
            while True:
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                message = _recv_exact(sock, int.from_bytes(header, "big"))
                if message is None:
                    return
                reply = self._answer(card, message)
                if reply is not None:
                    sock.sendall(len(reply).to_bytes(2, "big") + reply)
                    self.served += 1
        except CardPulled:
            log.debug("simulated card pulled on port %d", self.port)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return  # removed: the socket was closed under us

    @staticmethod
    def _answer(card: SimulatedCard, message: bytes) -> bytes | None:
        if len(message) == 1:
            if message[0] == GET_ATR:
                return NO_ATR_STANDIN if card.faults.no_atr else card.atr
            if message[0] in (POWER_OFF, POWER_ON, RESET):
                if message[0] != POWER_OFF:
                    card.reset()
                return None
            return None
        return card.process(message)

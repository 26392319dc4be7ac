"""A faithful SSSE card: file system, TLV records, a PIN counter, T=0 behaviour and faults.

It answers raw APDU bytes with raw response bytes, exactly what a card in a reader does, so
the same simulator sits behind the in-process virtual backend and behind pcscd via vpcd.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass, field

SW_OK = b"\x90\x00"


def sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


class Transport(enum.StrEnum):
    PLAIN = "plain"  # data comes back directly; a short Le gets 6Cxx
    T0_61XX = "t0_61xx"  # every data response is announced with 61xx first
    WRONG_LE_6CXX = "wrong_le_6cxx"  # any Le but the exact one gets 6Cxx


class CardPulled(Exception):
    """The card left the reader in the middle of an exchange (fault injection)."""


@dataclass
class Faults:
    pull_after: int | None = None  # the card vanishes when asked for APDU number N (0-based)
    delay_seconds: float = 0.0  # added to every APDU
    corrupt_at: int | None = None  # APDU number whose response is cut short
    get_response_chunk: int | None = (
        None  # T=0: hand out GET RESPONSE data this many bytes at a time
    )


@dataclass
class CardFiles:
    """The SSSE application's elementary files: FID -> {record tag -> value}."""

    records: dict[bytes, dict[int, bytes]]
    aid: bytes
    fci: bool = True


@dataclass
class SimulatedCard:
    files: CardFiles | None  # None: not an SSSE card at all
    pin: str = "123456"
    tries_left: int = 3
    atr: bytes = bytes.fromhex("3B6D000000863B0000000000000000")
    transport: Transport = Transport.PLAIN
    accepted_ef_p1: frozenset[int] = frozenset({0x00, 0x02})
    faults: Faults = field(default_factory=Faults)
    max_tries: int = 3
    apdus_seen: int = 0
    _app_selected: bool = False
    _ef: bytes | None = None
    _pending: bytes = b""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Power cycle: the selection and pending data go, the PIN counter stays."""
        with self._lock:
            self._app_selected, self._ef, self._pending = False, None, b""

    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            index = self.apdus_seen
            self.apdus_seen += 1
            if self.faults.pull_after is not None and index >= self.faults.pull_after:
                raise CardPulled(f"card pulled at APDU {index}")
            if self.faults.delay_seconds:
                time.sleep(self.faults.delay_seconds)
            response = self._answer(bytes(apdu))
            if self.faults.corrupt_at == index:
                response = response[:1]
            return response

    def _answer(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        data, le = _split_body(body)
        if data is None:
            return sw(0x6700)
        if cla not in (0x00, 0x80):
            return sw(0x6E00)
        if ins != 0xC0:
            self._pending = b""
        if ins == 0xA4:
            return self._select(p1, data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        if ins == 0xC0:
            return self._get_response(le)
        if ins == 0x20:
            return self._verify(data)
        return sw(0x6D00)

    def _select(self, p1: int, data: bytes) -> bytes:
        if self.files is None:
            return sw(0x6A82)
        if p1 == 0x04:
            if data != self.files.aid:
                return sw(0x6A82)
            self._app_selected, self._ef = True, None
            if not self.files.fci:
                return SW_OK
            fci = bytes([0x6F, len(self.files.aid) + 2, 0x84, len(self.files.aid)]) + self.files.aid
            return self._data(fci, None, announce_only=True)
        if p1 in (0x00, 0x02):
            if not self._app_selected or data not in self.files.records:
                return sw(0x6A82)
            if p1 not in self.accepted_ef_p1:
                return sw(0x6A86)
            self._ef = data
            return SW_OK
        return sw(0x6A86)

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        if self.files is None or self._ef is None:
            return sw(0x6986)
        records = self.files.records[self._ef]
        if p2 == 0x00:
            value = records.get(p1)
            tag = p1
        elif p2 == 0x04 and 1 <= p1 <= len(records):
            tag, value = list(records.items())[p1 - 1]
        else:
            return sw(0x6A86)
        if value is None:
            return sw(0x6A83)
        return self._data(bytes([tag, len(value)]) + value, le)

    def _data(self, payload: bytes, le: int | None, announce_only: bool = False) -> bytes:
        """Hand `payload` out the way this card's transport does."""
        if self.transport is Transport.T0_61XX:
            self._pending = payload
            return sw(0x6100 | len(payload))
        if announce_only:
            return payload + SW_OK
        if self.transport is Transport.WRONG_LE_6CXX and le != len(payload):
            return sw(0x6C00 | len(payload))
        if le is not None and le != 0 and le < len(payload):
            return sw(0x6C00 | len(payload))
        return payload + SW_OK

    def _get_response(self, le: int | None) -> bytes:
        if not self._pending:
            return sw(0x6985)
        waiting = len(self._pending)
        if le is None or (le != 0 and le > waiting):
            return sw(0x6C00 | waiting)
        size = waiting if le == 0 else le
        if self.faults.get_response_chunk:
            size = min(size, self.faults.get_response_chunk)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        if self._pending:
            return chunk + sw(0x6100 | len(self._pending))
        return chunk + SW_OK

    def _verify(self, data: bytes) -> bytes:
        if self.files is None or not self._app_selected:
            return sw(0x6985)
        if self.tries_left == 0:
            return sw(0x6983)
        if not data:
            return sw(0x63C0 | self.tries_left)
        if data == _packed(self.pin):
            self.tries_left = self.max_tries
            return SW_OK
        self.tries_left -= 1
        return sw(0x63C0 | self.tries_left)


def _split_body(body: bytes) -> tuple[bytes | None, int | None]:
    """(data, Le) of a short APDU body; data None when the length byte is inconsistent."""
    if not body:
        return b"", None
    if len(body) == 1:
        return b"", body[0]
    lc = body[0]
    if len(body) == 1 + lc:
        return body[1:], None
    if len(body) == 2 + lc:
        return body[1 : 1 + lc], body[-1]
    return None, None


def _packed(pin: str) -> bytes:
    digits = pin + ("F" if len(pin) % 2 else "")
    return bytes.fromhex(digits)

"""A faithful SSSE card: file system, TLV records, a PIN counter, T=0 behaviour and faults.

It answers raw APDU bytes with raw response bytes, exactly what a card in a reader does, so
the same simulator sits behind the in-process virtual backend and behind pcscd via vpcd.
Where the card profile leaves the status word open, ISO 7816-4's is used (see each handler).
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from card_reader.simulator.encoding import build_atr, tlv
from card_reader.simulator.pin import (
    SW_OK,
    PinCounter,
    change_data_length_ok,
    split_change_data,
)

OK = SW_OK.to_bytes(2, "big")
# 3B 6D 00 00 + 13 historical bytes, as the typical 2.00 card (T=0 only, so no TCK).
DEFAULT_ATR = build_atr(bytes.fromhex("00863B00000000005120009000"))
MF = bytes.fromhex("3F00")


def sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


class Transport(enum.StrEnum):
    PLAIN = "plain"  # data comes back directly; only a too-short Le gets 6Cxx
    T0_61XX = "t0_61xx"  # every data response is announced with 61xx first
    # A strict T=0 card: a case-2 command (READ RECORD, GET RESPONSE) must carry the exact
    # Le or gets 6Cxx; a case-4 command (SELECT with FCI) answers 61xx.
    WRONG_LE_6CXX = "wrong_le_6cxx"


class CardPulled(Exception):
    """The card left the reader in the middle of an exchange (fault injection)."""


@dataclass
class Faults:
    pull_after: int | None = None  # the card vanishes when asked for APDU number N (0-based)
    delay_seconds: float = 0.0  # added to every APDU (a real reader costs 5-40 ms)
    corrupt_at: int | None = None  # APDU number whose response is cut short
    get_response_chunk: int | None = None  # T=0: hand out GET RESPONSE data N bytes at a time
    mute_after: int | None = None  # from APDU number N on the card never answers
    # The chip gives no answer to reset (the card is in the wrong way round, or the chip is
    # dead): a reader sees a card but no ATR, and nothing can be sent to it.
    no_atr: bool = False


@dataclass
class CardFiles:
    """The SSSE application's elementary files: FID -> {record tag -> value}."""

    records: dict[bytes, dict[int, bytes]]
    aid: bytes
    fci: bool = True  # SELECT of the application returns an FCI (else 9000 only)
    pin_protected: frozenset[bytes] = frozenset()  # EFs READ RECORD opens only after VERIFY


@dataclass(frozen=True)
class Command:
    """A parsed short command APDU; `le` is Ne (Le = 00 means 256), None when absent."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None


def parse_command(apdu: bytes) -> Command | None:
    """The command in `apdu`, or None when its length bytes disagree with its size."""
    if len(apdu) < 4:
        return None
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    data, le = b"", None
    if len(body) == 1:
        le = body[0] or 256
    elif body:
        lc = body[0]
        if lc == 0:  # short APDUs only: Lc = 00 would be an extended length
            return None
        if len(body) == 1 + lc:
            data = body[1:]
        elif len(body) == 2 + lc:
            data, le = body[1:-1], body[-1] or 256
        else:
            return None
    return Command(cla, ins, p1, p2, data, le)


@dataclass
class _Session:
    """What a power cycle forgets."""

    app_selected: bool = False
    ef: bytes | None = None
    pending: bytes = b""  # data announced with 61xx, waiting for GET RESPONSE
    verified: bool = False  # the PIN was presented successfully since power-on


class SimulatedCard:
    """One card: answers `process(apdu)` as the real card would, faults included."""

    def __init__(
        self,
        files: CardFiles | None,  # None: not an SSSE card at all
        *,
        atr: bytes = DEFAULT_ATR,
        pin: str = "123456",
        max_tries: int = 3,
        tries_left: int | None = None,  # None: max_tries
        transport: Transport = Transport.PLAIN,
        accepted_ef_p1: frozenset[int] = frozenset({0x00, 0x02}),
        tries_probe: bool = True,  # `00 20 00 00` without data answers 63Cx (else 6700)
        faults: Faults | None = None,
    ) -> None:
        self.files = files
        self.atr = atr
        self.transport = transport
        self.accepted_ef_p1 = accepted_ef_p1
        self.tries_probe = tries_probe
        self.faults = faults or Faults()
        self.apdus_seen = 0
        self._pin = PinCounter(pin, max_tries, tries_left)
        self._session = _Session()
        self._present = True
        self._generation = 0  # bumped by pull and reset: wakes a waiting command
        self._wake = threading.Condition()
        self._dispatch: dict[tuple[int, int], Callable[[Command], bytes]] = {
            (0x00, 0xA4): self._select,
            (0x00, 0xB2): self._read_record,
            (0x00, 0xC0): self._get_response,
            (0x00, 0x20): self._verify,
            (0x00, 0x84): self._get_challenge,
            (0x80, 0x5E): self._change_pin,  # proprietary class: CHANGE PIN
        }

    @property
    def tries_left(self) -> int:
        return self._pin.tries_left

    @tries_left.setter
    def tries_left(self, value: int) -> None:
        self._pin.tries_left = value

    @property
    def max_tries(self) -> int:
        return self._pin.max_tries

    @property
    def pin(self) -> str:
        return self._pin.pin

    def reset(self) -> None:
        """Power cycle: selection, pending data and the verified PIN go; the counter stays.

        A command still waiting (a mute card) is aborted with CardPulled."""
        with self._wake:
            self._session = _Session()
            self._present = True
            self._generation += 1
            self._wake.notify_all()

    @property
    def present(self) -> bool:
        """In the reader (a reset keeps it there; `pull` takes it out)."""
        return self._present

    def pull(self) -> None:
        """The card leaves the reader: any `process` waiting (mute, delay) raises CardPulled."""
        with self._wake:
            self._present = False
            self._generation += 1
            self._wake.notify_all()

    def process(self, apdu: bytes) -> bytes:
        with self._wake:
            index, generation = self.apdus_seen, self._generation
            self.apdus_seen += 1
            faults = self.faults
            if not self._present:
                raise CardPulled(f"no card: it was pulled before APDU {index}")
            if faults.pull_after is not None and index >= faults.pull_after:
                self._present = False  # it left the reader
                raise CardPulled(f"card pulled at APDU {index}")

            def interrupted() -> bool:
                return self._generation != generation

            if faults.mute_after is not None and index >= faults.mute_after:
                # Never answer: wait (not spin) until the card is pulled or powered off.
                self._wake.wait_for(interrupted)
                raise CardPulled(f"mute card pulled while APDU {index} waited")
            if faults.delay_seconds > 0 and self._wake.wait_for(
                interrupted, timeout=faults.delay_seconds
            ):
                raise CardPulled(f"card pulled during APDU {index}")
            response = self._answer(bytes(apdu))
            if faults.corrupt_at == index:
                response = response[:1]
            return response

    def _answer(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return sw(0x6700)
        if apdu[0] not in (0x00, 0x80):
            return sw(0x6E00)
        handler = self._dispatch.get((apdu[0], apdu[1]))
        if handler is None:
            # An instruction this card has, but under the other class, is a class error.
            known = any(ins == apdu[1] for _, ins in self._dispatch)
            return sw(0x6E00 if known else 0x6D00)
        command = parse_command(apdu)
        if command is None:
            return sw(0x6700)
        if command.ins != 0xC0:
            self._session.pending = b""  # 61xx data lives only until the next command
        return handler(command)

    # --- responses -------------------------------------------------------------------------

    def _reply(self, payload: bytes, le: int | None, *, case4: bool) -> bytes:
        """Hand `payload` out the way this card's transport does."""
        if self.transport is Transport.T0_61XX or (
            self.transport is Transport.WRONG_LE_6CXX and case4
        ):
            self._session.pending = payload
            return sw(0x6100 | (len(payload) & 0xFF))
        if self.transport is Transport.WRONG_LE_6CXX and le != len(payload):
            return sw(0x6C00 | len(payload))
        if case4 and le is None:
            return OK  # no Le: no data asked for (ISO 7816-4: Ne = 0)
        if le is None or le < len(payload):
            return sw(0x6C00 | len(payload))
        return payload + OK

    def _get_response(self, command: Command) -> bytes:
        if command.p1 or command.p2:
            return sw(0x6A86)
        waiting = self._session.pending
        if not waiting:
            return sw(0x6985)  # nothing announced: conditions of use not satisfied
        le = command.le
        if self.transport is Transport.WRONG_LE_6CXX:
            if le != len(waiting):
                return sw(0x6C00 | len(waiting))
        elif le is None or (le != 256 and le > len(waiting)):
            return sw(0x6C00 | len(waiting))
        size = min(le, len(waiting))
        if self.faults.get_response_chunk:
            size = min(size, self.faults.get_response_chunk)
        chunk, rest = waiting[:size], waiting[size:]
        self._session.pending = rest
        return chunk + (sw(0x6100 | (len(rest) & 0xFF)) if rest else OK)

    # --- file system -----------------------------------------------------------------------

    def _select(self, command: Command) -> bytes:
        if command.p2 not in (0x00, 0x0C):  # 00: return FCI, 0C: no response data
            return sw(0x6A86)
        if command.p1 == 0x04:
            return self._select_application(command)
        if command.p1 in (0x00, 0x02):
            if command.p1 not in self.accepted_ef_p1:
                return sw(0x6A86)
            return self._select_file(command)
        return sw(0x6A86)

    def _select_application(self, command: Command) -> bytes:
        if self.files is None or command.data != self.files.aid:
            return sw(0x6A82)
        self._session.app_selected, self._session.ef = True, None
        if not self.files.fci or command.p2 == 0x0C:
            return OK
        aid = self.files.aid
        return self._reply(tlv(0x6F, tlv(0x84, aid)), command.le, case4=True)

    def _select_file(self, command: Command) -> bytes:
        if command.p1 == 0x00 and command.data in (b"", MF):
            self._session.app_selected, self._session.ef = False, None
            return OK
        if len(command.data) != 2:
            return sw(0x6700)
        if self.files is None or not self._session.app_selected:
            return sw(0x6A82)
        if command.data not in self.files.records:
            return sw(0x6A82)
        self._session.ef = command.data
        return OK

    def _read_record(self, command: Command) -> bytes:
        if self.files is None or self._session.ef is None:
            return sw(0x6986)  # ISO 7816-4: command not allowed (no current EF)
        if self._session.ef in self.files.pin_protected and not self._session.verified:
            return sw(0x6982)
        records = self.files.records[self._session.ef]
        if command.p1 == 0x00:
            return sw(0x6A86)
        if command.p2 == 0x00:  # P1 is a record identifier: the SSSE tag
            tag, value = command.p1, records.get(command.p1)
        elif command.p2 == 0x04:  # P1 is a record number, in file order
            numbered = list(records.items())
            if command.p1 > len(numbered):
                return sw(0x6A83)
            tag, value = numbered[command.p1 - 1]
        else:
            return sw(0x6A86)
        if value is None:
            return sw(0x6A83)
        return self._reply(tlv(tag, value), command.le, case4=False)

    # --- security --------------------------------------------------------------------------

    def _verify(self, command: Command) -> bytes:
        if command.p1 or command.p2:
            return sw(0x6A86)
        if self.files is None or not self._session.app_selected:
            return sw(0x6985)  # the PIN belongs to the application: select it first
        if not command.data:
            if not self.tries_probe:
                return sw(0x6700)  # this card needs the PIN in the data field
            if self._pin.blocked:
                return sw(0x6983)
            # ISO 7816-4: an empty VERIFY answers 9000 when verification is not required.
            return OK if self._session.verified else sw(self._pin.remaining())
        result = self._pin.present(command.data)
        self._session.verified = result == SW_OK
        return sw(result)

    def _change_pin(self, command: Command) -> bytes:
        """CHANGE PIN `80 5E 01 00 Lc old || FF || new`, both packed BCD (card-profile.md).

        A malformed command spends no try: 6700 when no old || FF || new can be that long,
        6A80 (ISO 7816-4: incorrect data field) when its content is not two PINs. A wrong old
        PIN counts down like VERIFY; a right one leaves the card verified, as VERIFY does."""
        if (command.p1, command.p2) == (0x00, 0x00):
            return sw(0x6982)  # PIN reload: needs the issuer's MAC, never given here
        if (command.p1, command.p2) != (0x01, 0x00):
            return sw(0x6A86)
        if self.files is None or not self._session.app_selected:
            return sw(0x6985)  # the PIN belongs to the application: select it first
        if not change_data_length_ok(command.data):
            return sw(0x6700)
        pins = split_change_data(command.data)
        if pins is None:
            return sw(0x6A80)
        result = self._pin.change(*pins)
        self._session.verified = result == SW_OK
        return sw(result)

    def _get_challenge(self, command: Command) -> bytes:
        if command.p1 or command.p2:
            return sw(0x6A86)
        if command.le not in (4, 8):
            return sw(0x6700)
        return self._reply(os.urandom(command.le), command.le, case4=False)

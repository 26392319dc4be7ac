"""ISO 7816-4 command/response APDUs, status words, and the T=0 61xx / 6Cxx dance.

pyscard's PC/SC layer hands us raw bytes; GET RESPONSE after `61xx` and the resend with the
right Le after `6Cxx` are ours to do, here, once, for every backend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from card_reader.deadline import call_with_deadline
from card_reader.errors import CardCommunicationError, CardNotRespondingError

log = logging.getLogger(__name__)

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_REFERENCE_DATA_INVALID = 0x6984
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_SM_DATA_INCORRECT = 0x6988
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_WRONG_P1P2 = 0x6A86
SW_DATA_NOT_FOUND = 0x6A88
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_APPLICATION_BLOCKED = 0x9303

STATUS_MEANINGS: dict[int, str] = {
    SW_OK: "ok",
    SW_WRONG_LENGTH: "wrong length",
    SW_SECURITY_NOT_SATISFIED: "security status not satisfied (PIN first)",
    SW_PIN_BLOCKED: "PIN blocked",
    SW_REFERENCE_DATA_INVALID: "reference data invalid",
    SW_CONDITIONS_NOT_SATISFIED: "conditions of use not satisfied",
    SW_SM_DATA_INCORRECT: "secure messaging data incorrect",
    SW_FILE_NOT_FOUND: "file or application not found",
    SW_RECORD_NOT_FOUND: "record not found",
    SW_WRONG_P1P2: "wrong P1/P2",
    SW_DATA_NOT_FOUND: "referenced data not found",
    SW_INS_NOT_SUPPORTED: "instruction not supported",
    SW_CLA_NOT_SUPPORTED: "class not supported",
    SW_APPLICATION_BLOCKED: "application blocked",
}

INS_VERIFY = 0x20
INS_CHANGE_PIN = 0x5E
INS_GET_RESPONSE = 0xC0
# Enough for any record this profile has; a card that keeps answering 61xx is broken.
MAX_CHAINED_RESPONSES = 16
# A real card answers these commands in 5-40 ms; one that takes seconds is not coming back.
DEFAULT_APDU_DEADLINE_SECONDS = 5.0


def describe_status(sw: int) -> str:
    if sw in STATUS_MEANINGS:
        return STATUS_MEANINGS[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return f"{sw2} bytes waiting"
    if sw1 == 0x6C:
        return f"wrong Le, use {sw2}"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    return "unknown status"


@dataclass(frozen=True)
class Command:
    """A short command APDU. `le` None means no Le field (case 1/3)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def to_bytes(self) -> bytes:
        if len(self.data) > 255:
            raise ValueError("extended APDUs are not used by this profile")
        raw = bytes([self.cla, self.ins, self.p1, self.p2])
        if self.data:
            raw += bytes([len(self.data)]) + self.data
        if self.le is not None:
            raw += bytes([self.le & 0xFF])
        return raw

    def with_le(self, le: int) -> Command:
        return Command(self.cla, self.ins, self.p1, self.p2, self.data, le)

    def redacted_hex(self) -> str:
        """The APDU as hex for logs, with VERIFY / CHANGE PIN data (PINs) replaced."""
        head = bytes([self.cla, self.ins, self.p1, self.p2]).hex(" ").upper()
        if self.ins in (INS_VERIFY, INS_CHANGE_PIN) and self.data:
            return f"{head} {len(self.data):02X} <PIN {len(self.data)} bytes>"
        rest = self.to_bytes()[4:]
        return f"{head} {rest.hex(' ').upper()}".rstrip()


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise CardCommunicationError(f"response of {len(raw)} bytes has no status word")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def check(self, what: str) -> bytes:
        """The data, or a CardCommunicationError naming the status word."""
        if not self.ok:
            raise CardCommunicationError(f"{what}: {self.sw:04X} ({describe_status(self.sw)})")
        return self.data


Transmit = Callable[[bytes], bytes]


@dataclass
class ApduChannel:
    """Sends commands through one backend transmit function and counts what went over.

    Every transmit has a deadline: a card that never answers gives CardNotRespondingError,
    and so does every later command on this channel (its driver call is still stuck).
    `deadline_seconds=None` calls `transmit_raw` on the caller's thread, for transmits that
    are plain functions and cannot hang (the fuzz tests' random answers).
    """

    transmit_raw: Transmit
    apdu_count: int = 0
    transmit_seconds: float = 0.0
    trace: list[str] = field(default_factory=list)
    keep_trace: bool = False
    deadline_seconds: float | None = DEFAULT_APDU_DEADLINE_SECONDS
    mute: bool = False

    def _exchange(self, command: Command) -> Response:
        if self.mute:
            raise CardNotRespondingError("an earlier command on this card never returned")
        raw = command.to_bytes()
        started = time.perf_counter()
        try:
            if self.deadline_seconds is None:
                answer = self.transmit_raw(raw)
            else:
                answer = call_with_deadline(
                    self.transmit_raw, raw, self.deadline_seconds, f"INS {command.ins:02X}"
                )
        except CardNotRespondingError:
            self.mute = True
            raise
        finally:
            self.transmit_seconds += time.perf_counter() - started
            self.apdu_count += 1
        response = Response.from_bytes(answer)
        # Formatting the trace costs as much as a loopback APDU: only when someone reads it.
        if self.keep_trace or log.isEnabledFor(logging.DEBUG):
            line = f"> {command.redacted_hex()}  < {response.sw:04X} ({len(response.data)} bytes)"
            if self.keep_trace:
                self.trace.append(line)
            log.debug("%s", line)
        return response

    def send(self, command: Command, want_data: bool = True) -> Response:
        """Send `command`; resend on 6Cxx, collect 61xx with GET RESPONSE when data is wanted.

        With `want_data` False (a SELECT whose FCI we ignore), 61xx already means success and
        costs no further APDU.
        """
        response = self._exchange(command)
        if response.sw >> 8 == 0x6C:
            response = self._exchange(command.with_le(response.sw & 0xFF))
        if response.sw >> 8 != 0x61:
            return response
        if not want_data:
            return Response(response.data, SW_OK)
        collected = bytearray(response.data)
        for _ in range(MAX_CHAINED_RESPONSES):
            waiting = response.sw & 0xFF
            response = self._exchange(Command(0x00, INS_GET_RESPONSE, 0, 0, le=waiting))
            if response.sw >> 8 == 0x6C:
                response = self._exchange(
                    Command(0x00, INS_GET_RESPONSE, 0, 0, le=response.sw & 0xFF)
                )
            collected += response.data
            if response.sw >> 8 != 0x61:
                return Response(bytes(collected), response.sw)
        raise CardCommunicationError("card kept answering 61xx to GET RESPONSE")

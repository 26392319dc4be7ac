"""The SSSE social-security card profile: select, read the identity, verify the PIN.

Reads only what the kiosk needs, in as few APDUs as the card allows (each costs 5-40 ms on a
real reader): sex and birth date come from the citizen ID (GB 11643 encodes both), the region
from the issuer code, and no file is selected twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from card_reader.apdu import (
    SW_APPLICATION_BLOCKED,
    SW_FILE_NOT_FOUND,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_RECORD_NOT_FOUND,
    SW_WRONG_P1P2,
    ApduChannel,
    Command,
    describe_status,
)
from card_reader.errors import (
    ApplicationBlockedError,
    CardCommunicationError,
    CardDataDamagedError,
    NotSSSECardError,
)
from card_reader.identity import (
    CardIdentity,
    birth_date_from_citizen_id,
    checked_citizen_id,
    decode_ascii,
    decode_bcd,
    decode_date,
    decode_name,
    sex_from_citizen_id,
)

# "sx1.sh." + GBK "社会保障"
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
EF05 = bytes.fromhex("EF05")
EF06 = bytes.fromhex("EF06")

# Record tags and their value lengths (card-profile.md).
TAG_CARD_TYPE, LEN_CARD_TYPE = 0x02, 1
TAG_SPEC_VERSION, LEN_SPEC_VERSION = 0x03, 4
TAG_ISSUER, LEN_ISSUER = 0x04, 6
TAG_ISSUE_DATE, LEN_DATE = 0x05, 4
TAG_EXPIRY_DATE = 0x06
TAG_CARD_NUMBER, LEN_CARD_NUMBER = 0x07, 9
TAG_CITIZEN_ID, LEN_CITIZEN_ID = 0x08, 18
TAG_NAME, LEN_NAME = 0x09, 30
TAG_NAME_EXTENSION, LEN_NAME_EXTENSION = 0x4E, 20

_NOT_THERE = {SW_FILE_NOT_FOUND, SW_WRONG_P1P2, 0x6D00, 0x6E00, 0x6A81, 0x6999}


class PinStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class PinResult:
    status: PinStatus
    tries_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is PinStatus.OK


def pack_pin(pin: bytearray | str) -> bytearray:
    """'888888' -> 88 88 88; an odd number of digits is padded with F."""
    digits = pin.decode("ascii") if isinstance(pin, bytearray) else pin
    if not (digits.isdigit() and 4 <= len(digits) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    if len(digits) % 2:
        digits += "F"
    return bytearray.fromhex(digits)


class SSCard:
    """One SSSE card behind an ApduChannel. Not thread-safe: use it from one worker."""

    def __init__(self, channel: ApduChannel, atr: bytes = b"") -> None:
        self.channel = channel
        self.atr = atr
        self._selected_ef: bytes | None = None
        self._ef_p1: int = 0x00
        self._application_selected = False

    def select_application(self) -> None:
        if self._application_selected:
            return
        response = self.channel.send(Command(0x00, 0xA4, 0x04, 0x00, SSSE_AID), want_data=False)
        if response.sw == SW_APPLICATION_BLOCKED:
            raise ApplicationBlockedError("SSSE application blocked (9303)")
        if response.sw != SW_OK:
            raise NotSSSECardError(
                f"SELECT SSSE application: {response.sw:04X} ({describe_status(response.sw)})"
            )
        self._application_selected = True
        self._selected_ef = None

    def _select_ef(self, fid: bytes) -> None:
        if self._selected_ef == fid:
            return
        # Some cards want P1=00, others P1=02: remember what worked for the next file.
        for p1 in (self._ef_p1, 0x02 if self._ef_p1 == 0x00 else 0x00):
            response = self.channel.send(Command(0x00, 0xA4, p1, 0x00, fid), want_data=False)
            if response.sw == SW_OK:
                self._ef_p1, self._selected_ef = p1, fid
                return
            if response.sw not in _NOT_THERE:
                break
        raise NotSSSECardError(f"SELECT {fid.hex().upper()}: {response.sw:04X}")

    def _read_record(self, tag: int, length: int, required: bool = True) -> bytes | None:
        response = self.channel.send(Command(0x00, 0xB2, tag, 0x00, le=length + 2))
        if response.sw in (SW_RECORD_NOT_FOUND, 0x6A88) and not required:
            return None
        if response.sw != SW_OK:
            raise CardDataDamagedError(
                f"READ RECORD {tag:02X}: {response.sw:04X} ({describe_status(response.sw)})"
            )
        data = response.data
        if len(data) < 2 or data[0] != tag or data[1] != len(data) - 2:
            raise CardDataDamagedError(f"READ RECORD {tag:02X}: malformed TLV ({len(data)} bytes)")
        return data[2:]

    def read_identity(self) -> CardIdentity:
        """The identity, in 11 APDUs on a 2.00 card (12 for a name longer than 15 characters)."""
        self.select_application()
        self._select_ef(EF05)
        card_type = decode_ascii(self._need(TAG_CARD_TYPE, LEN_CARD_TYPE), "card type")
        version = decode_ascii(self._need(TAG_SPEC_VERSION, LEN_SPEC_VERSION), "spec version")
        issuer = decode_bcd(self._need(TAG_ISSUER, LEN_ISSUER), "issuer code")
        issue_date = decode_date(self._need(TAG_ISSUE_DATE, LEN_DATE), "issue date")
        expiry_date = decode_date(self._need(TAG_EXPIRY_DATE, LEN_DATE), "expiry date")
        card_number = decode_ascii(self._need(TAG_CARD_NUMBER, LEN_CARD_NUMBER), "card number")
        self._select_ef(EF06)
        citizen_id = checked_citizen_id(self._need(TAG_CITIZEN_ID, LEN_CITIZEN_ID))
        name_raw = self._need(TAG_NAME, LEN_NAME)
        if version >= "2.00" and len(name_raw) == LEN_NAME and name_raw[-1] not in (0, 0x20):
            # A full name record on a 2.00/3.00 card may continue in the 4E extension.
            extension = self._read_record(TAG_NAME_EXTENSION, LEN_NAME_EXTENSION, required=False)
            name_raw += extension or b""
        return CardIdentity(
            card_number=card_number,
            ssn=citizen_id,
            name=decode_name(name_raw),
            sex=sex_from_citizen_id(citizen_id),
            birth_date=birth_date_from_citizen_id(citizen_id),
            issue_date=issue_date,
            expiry_date=expiry_date,
            spec_version=version,
            card_type=card_type,
            region_code=issuer[:6],
            issuer_code=issuer,
            atr=self.atr.hex().upper(),
        )

    def _need(self, tag: int, length: int) -> bytes:
        value = self._read_record(tag, length)
        assert value is not None  # required records raise instead of returning None
        return value

    def verify_pin(self, pin: bytearray | str) -> PinResult:
        """VERIFY the PIN. A bytearray PIN is zeroed once the APDU is built."""
        self.select_application()
        packed = pack_pin(pin)
        try:
            command = Command(0x00, 0x20, 0x00, 0x00, bytes(packed))
        finally:
            packed[:] = b"\x00" * len(packed)
            if isinstance(pin, bytearray):
                pin[:] = b"\x00" * len(pin)
        return self._pin_result(self.channel.send(command).sw)

    def pin_tries_left(self) -> int | None:
        """Tries left without spending one, or None when the card does not say."""
        self.select_application()
        sw = self.channel.send(Command(0x00, 0x20, 0x00, 0x00)).sw
        if sw == SW_PIN_BLOCKED:
            return 0
        if sw >> 4 == 0x63C:
            return sw & 0x0F
        return None

    @staticmethod
    def _pin_result(sw: int) -> PinResult:
        if sw == SW_OK:
            return PinResult(PinStatus.OK)
        if sw >> 4 == 0x63C:
            tries = sw & 0x0F
            return PinResult(PinStatus.BLOCKED if tries == 0 else PinStatus.WRONG, tries)
        if sw == SW_PIN_BLOCKED:
            return PinResult(PinStatus.BLOCKED, 0)
        raise CardCommunicationError(f"VERIFY: {sw:04X} ({describe_status(sw)})")

"""The SSSE social-security card profile: select, probe the PIN, read the card and the person.

Each APDU costs 5-40 ms on a real reader, so the read is split by what the person waits for:
`probe()` (SELECT the application and ask the PIN tries: 2 APDUs) is all the PIN pad needs;
`read_facts()` (EF05) and `read_holder()` (EF06) follow while the person types. Some cards
keep EF06 behind the PIN (6982 until a good VERIFY): `read_holder()` then raises
PinRequiredError and succeeds after `verify_pin()`. Sex and birth date come from the citizen
ID (GB 11643 encodes both), what was read is kept, and no file is selected twice in a row.
`change_pin()` sends CHANGE PIN (`80 5E 01 00`, old || FF || new) and answers as
`verify_pin()` does.
"""

from __future__ import annotations

import logging

from card_reader.apdu import (
    INS_CHANGE_PIN,
    SW_APPLICATION_BLOCKED,
    SW_CLA_NOT_SUPPORTED,
    SW_DATA_NOT_FOUND,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_RECORD_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_LENGTH,
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
    PinRequiredError,
)
from card_reader.identity import (
    PADDING,
    CardFacts,
    CardIdentity,
    CardProbe,
    Holder,
    PinResult,
    PinStatus,
    birth_date_from_citizen_id,
    checked_citizen_id,
    decode_ascii,
    decode_bcd,
    decode_expiry,
    decode_issue_date,
    decode_name,
    decode_region,
    region_from_issuer,
    sex_from_citizen_id,
)

log = logging.getLogger(__name__)

# "sx1.sh." + GBK "社会保障"
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
MF = bytes.fromhex("3F00")
EF05 = bytes.fromhex("EF05")
EF06 = bytes.fromhex("EF06")

# Record tags and their value lengths (card-profile.md).
TAG_CARD_ID, LEN_CARD_ID = 0x01, 16
TAG_CARD_TYPE, LEN_CARD_TYPE = 0x02, 1
TAG_SPEC_VERSION, LEN_SPEC_VERSION = 0x03, 4
TAG_ISSUER, LEN_ISSUER = 0x04, 6
TAG_ISSUE_DATE, LEN_DATE = 0x05, 4
TAG_EXPIRY_DATE = 0x06
TAG_CARD_NUMBER, LEN_CARD_NUMBER = 0x07, 9
TAG_CITIZEN_ID, LEN_CITIZEN_ID = 0x08, 18
TAG_NAME, LEN_NAME = 0x09, 30
TAG_NAME_EXTENSION, LEN_NAME_EXTENSION = 0x4E, 20
# Where each tag sits when a card only reads records by number (`00 B2 <n> 04`).
_RECORD_ORDER = {EF05: (0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07),
                 EF06: (0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x4E)}  # fmt: skip
MAX_RECORDS_SCANNED = 16
# A name record this full may go on in the 4E extension: a character that did not fit
# leaves at most three bytes of padding (a four-byte GB 18030 character).
NAME_EXTENSION_THRESHOLD = LEN_NAME - 3

SW_END_OF_RECORD = 0x6282  # fewer bytes than Le: the data is there
SW_FILE_INVALIDATED = 0x6283
SW_WRONG_PARAMETERS = 0x6B00
_NOT_THERE = {SW_FILE_NOT_FOUND, SW_WRONG_P1P2, SW_INS_NOT_SUPPORTED, SW_CLA_NOT_SUPPORTED,
              0x6A81, 0x6A87, 0x6999, SW_WRONG_LENGTH, SW_WRONG_PARAMETERS}  # fmt: skip
_ABSENT = {SW_RECORD_NOT_FOUND, SW_DATA_NOT_FOUND}


PIN_DIGITS = b"0123456789"
SHORTEST_PIN, LONGEST_PIN = 4, 12
CHANGE_PIN_SEPARATOR = 0xFF  # between the old and the new PIN in CHANGE PIN's data


def pack_pin(pin: bytearray | str) -> bytearray:
    """'888888' -> 88 88 88; an odd number of digits is padded with F. ValueError unless the
    PIN is 4 to 12 ASCII digits.

    A bytearray is packed nibble by nibble: no str or bytes copy of it (which could not be
    zeroed) is made."""
    digits = pin if isinstance(pin, bytearray) else pin.encode("ascii", "replace")
    if not SHORTEST_PIN <= len(digits) <= LONGEST_PIN or any(d not in PIN_DIGITS for d in digits):
        raise ValueError("a PIN is 4 to 12 digits")
    packed = bytearray((len(digits) + 1) // 2)
    for position, digit in enumerate(digits):
        nibble = digit - PIN_DIGITS[0]
        packed[position // 2] |= nibble if position % 2 else nibble << 4
    if len(digits) % 2:
        packed[-1] |= 0x0F
    return packed


def pin_change_data(old: bytearray | str, new: bytearray | str) -> bytearray:
    """CHANGE PIN's data field: old || FF || new, each packed as VERIFY packs a PIN
    (ValueError as pack_pin). The packed halves are zeroed here; the caller zeroes the result."""
    halves: list[bytearray] = []
    try:
        halves.append(pack_pin(old))
        halves.append(pack_pin(new))
        packed_old, packed_new = halves
        # Filled in place: concatenation would leave unzeroed temporaries behind.
        data = bytearray(len(packed_old) + 1 + len(packed_new))
        data[: len(packed_old)] = packed_old
        data[len(packed_old)] = CHANGE_PIN_SEPARATOR
        data[len(packed_old) + 1 :] = packed_new
        return data
    finally:
        for half in halves:
            zero(half)


def zero(buffer: bytearray) -> None:
    """Overwrite `buffer` in place (same length: no reallocation leaves a copy behind)."""
    buffer[:] = bytes(len(buffer))


class SSCard:
    """One SSSE card behind an ApduChannel. Not thread-safe: use it from one worker."""

    def __init__(self, channel: ApduChannel, atr: bytes = b"") -> None:
        self.channel = channel
        self.atr = atr
        self._selected_ef: bytes | None = None
        self._ef_p1: int = 0x00
        self._application_selected = False
        self._by_number = False  # this card answers 6A86 to READ RECORD by tag
        self._facts: CardFacts | None = None
        self._holder: Holder | None = None
        self.pin_verified = False

    # -- the application and the PIN ------------------------------------------------

    def select_application(self) -> None:
        if self._application_selected:
            return
        select = Command(0x00, 0xA4, 0x04, 0x00, SSSE_AID)
        response = self.channel.send(select, want_data=False)
        if response.sw == SW_WRONG_LENGTH:  # a card that wants SELECT as case 4 (Le=00)
            response = self.channel.send(select.with_le(0), want_data=False)
        if response.sw == SW_FILE_NOT_FOUND:
            # Some cards find a DF by name only from the master file: select it, then retry.
            self.channel.send(Command(0x00, 0xA4, 0x00, 0x00, MF), want_data=False)
            response = self.channel.send(select, want_data=False)
        if response.sw in (SW_APPLICATION_BLOCKED, SW_FILE_INVALIDATED):
            raise ApplicationBlockedError(f"SSSE application blocked ({response.sw:04X})")
        if response.sw != SW_OK:
            raise NotSSSECardError(
                f"SELECT SSSE application: {response.sw:04X} ({describe_status(response.sw)})"
            )
        self._application_selected = True
        self._selected_ef = None

    def probe(self) -> CardProbe:
        """SELECT the application and ask the tries left: all the PIN pad needs."""
        self.select_application()
        return CardProbe(self.pin_tries_left())

    def pin_tries_left(self) -> int | None:
        """Tries left without spending one, or None when the card does not say."""
        self.select_application()
        sw = self.channel.send(Command(0x00, 0x20, 0x00, 0x00)).sw
        if sw == SW_PIN_BLOCKED:
            return 0
        if sw >> 4 == 0x63C:
            return sw & 0x0F
        return None

    def verify_pin(self, pin: bytearray | str) -> PinResult:
        """VERIFY the PIN. A bytearray PIN is zeroed once the APDU is built (or refused)."""
        self.select_application()
        packed = bytearray()
        try:
            packed = pack_pin(pin)
            command = Command(0x00, 0x20, 0x00, 0x00, bytes(packed))
        finally:
            zero(packed)
            if isinstance(pin, bytearray):
                zero(pin)
        result = self._pin_result(self.channel.send(command).sw)
        self.pin_verified = result.ok
        return result

    def change_pin(self, old: bytearray | str, new: bytearray | str) -> PinResult:
        """CHANGE PIN to `new`, proving `old`: the result as verify_pin's (a wrong old PIN
        spends one of the same tries). Both PINs are checked before any APDU goes out
        (ValueError, as pack_pin); bytearray PINs, and every buffer built from them, are
        zeroed once the APDU is built. Nothing keeps or logs either PIN."""
        command = self._change_pin_command(old, new)
        self.select_application()
        # A case-3 command: no data wanted, and 61xx already says it was done.
        result = self._pin_result(self.channel.send(command, want_data=False).sw, "CHANGE PIN")
        self.pin_verified = result.ok  # a right old PIN leaves the card verified
        return result

    @staticmethod
    def _change_pin_command(old: bytearray | str, new: bytearray | str) -> Command:
        data = bytearray()
        try:
            data = pin_change_data(old, new)
            return Command(0x80, INS_CHANGE_PIN, 0x01, 0x00, bytes(data))
        finally:
            zero(data)
            for pin in (old, new):
                if isinstance(pin, bytearray):
                    zero(pin)

    @staticmethod
    def _pin_result(sw: int, command: str = "VERIFY") -> PinResult:
        if sw == SW_OK:
            return PinResult(PinStatus.OK)
        if sw >> 4 == 0x63C:
            tries = sw & 0x0F
            return PinResult(PinStatus.BLOCKED if tries == 0 else PinStatus.WRONG, tries)
        if sw == SW_PIN_BLOCKED:
            return PinResult(PinStatus.BLOCKED, 0)
        raise CardCommunicationError(f"{command}: {sw:04X} ({describe_status(sw)})")

    # -- the records ----------------------------------------------------------------

    def read_facts(self) -> CardFacts:
        """EF05: the card identification code, type, version, issuer, dates, card number."""
        if self._facts is not None:
            return self._facts
        self.select_application()
        self._select_ef(EF05)
        card_id = self._read_record(TAG_CARD_ID, LEN_CARD_ID, required=False)
        card_type = decode_ascii(self._need(TAG_CARD_TYPE, LEN_CARD_TYPE), "card type")
        version = decode_ascii(self._need(TAG_SPEC_VERSION, LEN_SPEC_VERSION), "spec version")
        issuer = decode_bcd(self._need(TAG_ISSUER, LEN_ISSUER), "issuer code")
        self._facts = CardFacts(
            card_id=card_id.hex().upper() if card_id else "",
            region_code=decode_region(card_id) if card_id else region_from_issuer(issuer),
            card_type=card_type,
            spec_version=version,
            issuer_code=issuer,
            issue_date=decode_issue_date(self._need(TAG_ISSUE_DATE, LEN_DATE)),
            expiry_date=decode_expiry(self._need(TAG_EXPIRY_DATE, LEN_DATE)),
            card_number=decode_ascii(self._need(TAG_CARD_NUMBER, LEN_CARD_NUMBER), "card number"),
            atr=self.atr.hex().upper(),
        )
        return self._facts

    def read_holder(self) -> Holder:
        """EF06: citizen ID and name. PinRequiredError while this card wants the PIN first."""
        if self._holder is not None:
            return self._holder
        version = self.read_facts().spec_version
        self._select_ef(EF06)
        citizen_id = checked_citizen_id(self._need(TAG_CITIZEN_ID, LEN_CITIZEN_ID))
        name_raw = self._need(TAG_NAME, LEN_NAME)
        if version >= "2.00" and len(name_raw.rstrip(PADDING)) >= NAME_EXTENSION_THRESHOLD:
            # A full name record on a 2.00/3.00 card may continue in the 4E extension.
            extension = self._read_record(TAG_NAME_EXTENSION, LEN_NAME_EXTENSION, required=False)
            if extension and extension.rstrip(PADDING):
                name_raw = name_raw.rstrip(PADDING) + extension
        self._holder = Holder(
            ssn=citizen_id,
            name=decode_name(name_raw),
            sex=sex_from_citizen_id(citizen_id),
            birth_date=birth_date_from_citizen_id(citizen_id),
        )
        return self._holder

    def read_identity(self) -> CardIdentity:
        """Everything: 11-13 APDUs on a 2.00 card. PinRequiredError on a PIN-gated card
        before `verify_pin()`."""
        facts = self.read_facts()
        return CardIdentity.of(facts, self.read_holder())

    def forget(self) -> None:
        """Drop what was read (the person's data) from memory; the card stays selected."""
        self._facts = self._holder = None

    def _select_ef(self, fid: bytes) -> None:
        if self._selected_ef == fid:
            return
        # Some cards want P1=00, others P1=02: remember what worked for the next file.
        for p1 in (self._ef_p1, 0x02 if self._ef_p1 == 0x00 else 0x00):
            response = self.channel.send(Command(0x00, 0xA4, p1, 0x00, fid), want_data=False)
            if response.sw == SW_OK:
                self._ef_p1, self._selected_ef = p1, fid
                return
            if response.sw == SW_SECURITY_NOT_SATISFIED:
                raise PinRequiredError(f"SELECT {fid.hex().upper()}: 6982")
            if response.sw not in _NOT_THERE:
                break
        raise NotSSSECardError(f"SELECT {fid.hex().upper()}: {response.sw:04X}")

    def _read_record(self, tag: int, length: int, required: bool = True) -> bytes | None:
        if self._by_number:
            return self._read_by_number(tag, required)
        response = self.channel.send(Command(0x00, 0xB2, tag, 0x00, le=length + 2))
        if response.sw == SW_WRONG_LENGTH:  # a card that wants Le=00 ("all of it") instead
            response = self.channel.send(Command(0x00, 0xB2, tag, 0x00, le=0))
        if response.sw == SW_WRONG_P1P2:  # this card reads records by number only
            self._by_number = True
            return self._read_by_number(tag, required)
        return self._record_value(tag, response.data, response.sw, required)

    def _read_by_number(self, tag: int, required: bool) -> bytes | None:
        """`00 B2 <n> 04`: the record where the profile puts `tag`, else look for it."""
        assert self._selected_ef is not None
        order = _RECORD_ORDER.get(self._selected_ef, ())
        first = order.index(tag) + 1 if tag in order else 1
        numbers = [first, *(n for n in range(1, MAX_RECORDS_SCANNED + 1) if n != first)]
        for number in numbers:
            response = self.channel.send(Command(0x00, 0xB2, number, 0x04, le=0))
            if response.sw in _ABSENT:
                break
            if response.sw == SW_SECURITY_NOT_SATISFIED or response.data[:1] == bytes([tag]):
                return self._record_value(tag, response.data, response.sw, required)
        return self._record_value(tag, b"", SW_RECORD_NOT_FOUND, required)

    @staticmethod
    def _record_value(tag: int, data: bytes, sw: int, required: bool) -> bytes | None:
        if sw in _ABSENT and not required:
            return None
        if sw == SW_SECURITY_NOT_SATISFIED:
            raise PinRequiredError(f"READ RECORD {tag:02X}: 6982 (security status)")
        if sw not in (SW_OK, SW_END_OF_RECORD):
            raise CardDataDamagedError(f"READ RECORD {tag:02X}: {sw:04X} ({describe_status(sw)})")
        if len(data) < 2 or data[0] != tag or data[1] != len(data) - 2:
            raise CardDataDamagedError(f"READ RECORD {tag:02X}: malformed TLV ({len(data)} bytes)")
        return data[2:]

    def _need(self, tag: int, length: int) -> bytes:
        value = self._read_record(tag, length)
        assert value is not None  # required records raise instead of returning None
        return value


# The PIN and probe results live in card_reader.identity (plain values the session may use);
# they are part of this module's interface too.
__all__ = ["CardProbe", "PinResult", "PinStatus", "SSCard", "pack_pin", "pin_change_data"]

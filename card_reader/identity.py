"""The person and card as the card tells them, and the decoding rules for its records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from card_reader.errors import CardDataDamagedError

CITIZEN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CITIZEN_ID_CHECK = "10X98765432"
# Trailing padding of text records: 0x00 or 0x20 per the profile; some issuers use 0xFF,
# which is never the last byte of a GB 18030 or ASCII character.
PADDING = b"\x00\x20\xff"


@dataclass(frozen=True)
class CardFacts:
    """EF05, the card's own file: readable without the PIN on every card version."""

    card_id: str  # the 16-byte card identification code (tag 01), as hex
    region_code: str  # GB/T 2260, the first three bytes of the card identification code
    card_type: str
    spec_version: str
    issuer_code: str  # the issuing organisation (156 + region + organisation on most cards)
    issue_date: date | None  # None: the card leaves it unset (zeros)
    expiry_date: date  # date.max on a card issued without an expiry date
    card_number: str
    atr: str = ""

    def expired(self, today: date) -> bool:
        return today > self.expiry_date

    def __repr__(self) -> str:
        return f"CardFacts(spec_version={self.spec_version!r}, card_type={self.card_type!r})"


@dataclass(frozen=True)
class Holder:
    """EF06, the person: on some cards only readable after a good VERIFY."""

    ssn: str  # citizen ID (社会保障号码 = 公民身份号码)
    name: str
    sex: str  # "male" / "female"
    birth_date: date

    def __repr__(self) -> str:
        return "Holder(<personal data>)"


@dataclass(frozen=True)
class CardIdentity:
    card_number: str
    ssn: str  # citizen ID (社会保障号码 = 公民身份号码)
    name: str
    sex: str  # "male" / "female"
    birth_date: date
    issue_date: date | None
    expiry_date: date
    spec_version: str
    card_type: str
    region_code: str
    issuer_code: str
    atr: str = ""
    card_id: str = ""

    @classmethod
    def of(cls, facts: CardFacts, holder: Holder) -> CardIdentity:
        return cls(
            card_number=facts.card_number,
            ssn=holder.ssn,
            name=holder.name,
            sex=holder.sex,
            birth_date=holder.birth_date,
            issue_date=facts.issue_date,
            expiry_date=facts.expiry_date,
            spec_version=facts.spec_version,
            card_type=facts.card_type,
            region_code=facts.region_code,
            issuer_code=facts.issuer_code,
            atr=facts.atr,
            card_id=facts.card_id,
        )

    def expired(self, today: date) -> bool:
        return today > self.expiry_date

    def __repr__(self) -> str:
        # Never let personal data slip into a log through a repr.
        return f"CardIdentity(spec_version={self.spec_version!r}, card_type={self.card_type!r})"


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


@dataclass(frozen=True)
class CardProbe:
    """What the first two APDUs prove: an SSSE card, and how many PIN tries it has left."""

    tries_left: int | None  # None: this card does not say before a VERIFY

    @property
    def pin_blocked(self) -> bool:
        return self.tries_left == 0


def citizen_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, CITIZEN_ID_WEIGHTS, strict=True))
    return CITIZEN_ID_CHECK[total % 11]


def citizen_id_valid(citizen_id: str) -> bool:
    """GB 11643: 17 digits, then the check character over them."""
    if len(citizen_id) != 18 or not citizen_id[:17].isdigit():
        return False
    return citizen_id[17].upper() == citizen_id_check_char(citizen_id[:17])


def decode_bcd(raw: bytes, what: str) -> str:
    """Packed BCD digits; trailing F nibbles are padding (an odd number of digits)."""
    digits = raw.hex().upper().rstrip("F")
    if not digits.isdigit():
        raise CardDataDamagedError(f"{what}: not BCD")
    return digits


def decode_region(card_id: bytes) -> str:
    """The GB/T 2260 region: the first three bytes (BCD) of the card identification code."""
    if len(card_id) < 3:
        raise CardDataDamagedError(f"card identification code: {len(card_id)} bytes")
    region = card_id[:3].hex().upper()
    if not region.isdigit():
        raise CardDataDamagedError("card identification code: region is not BCD")
    return region


def region_from_issuer(issuer_code: str) -> str:
    """The region for a card without a card identification code (tag 01): the issuer code
    is 156 + region + organisation on the cards seen, the bare region on older ones."""
    if issuer_code.startswith("156") and len(issuer_code) >= 9:
        return issuer_code[3:9]
    if len(issuer_code) < 6:
        raise CardDataDamagedError("issuer code: too short to name a region")
    return issuer_code[:6]


def decode_date(raw: bytes, what: str) -> date:
    digits = decode_bcd(raw, what)
    if len(digits) != 8:
        raise CardDataDamagedError(f"{what}: {len(raw)} bytes, expected 4")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise CardDataDamagedError(f"{what}: not a calendar date") from None


def decode_ascii(raw: bytes, what: str) -> str:
    try:
        text = raw.rstrip(PADDING).decode("ascii")
    except UnicodeDecodeError:
        raise CardDataDamagedError(f"{what}: not ASCII") from None
    if not text.isprintable():
        raise CardDataDamagedError(f"{what}: control characters")
    return text


def decode_issue_date(raw: bytes) -> date | None:
    """The issue date, or None on a card that leaves it unset (all zeros or all F): not a
    reason to turn the card away, nothing in the kiosk depends on it."""
    if raw.strip(b"\x00") == b"" or raw.strip(b"\xff") == b"":
        return None
    return decode_date(raw, "issue date")


def decode_expiry(raw: bytes) -> date:
    """The expiry date; all zeros or all F (a card issued for life) is no expiry at all."""
    if raw.strip(b"\x00") == b"" or raw.strip(b"\xff") == b"":
        return date.max
    return decode_date(raw, "expiry date")


def decode_name(raw: bytes) -> str:
    """GB 18030, a superset of GBK (堃 喆 玥 镕) that also has the four-byte characters some
    names need (𠮷); trailing 0x00/0x20 trimmed."""
    try:
        name = raw.rstrip(PADDING).decode("gb18030")
    except UnicodeDecodeError:
        raise CardDataDamagedError("name: bytes that are not GB 18030") from None
    if not name or not name.isprintable():
        raise CardDataDamagedError("name: empty or control characters")
    return name


def sex_from_citizen_id(citizen_id: str) -> str:
    """The 17th digit is odd for men and even for women (GB 11643)."""
    return "male" if int(citizen_id[16]) % 2 else "female"


def birth_date_from_citizen_id(citizen_id: str) -> date:
    try:
        return date(int(citizen_id[6:10]), int(citizen_id[10:12]), int(citizen_id[12:14]))
    except ValueError:
        raise CardDataDamagedError("citizen ID: birth date is not a calendar date") from None


def checked_citizen_id(raw: bytes) -> str:
    citizen_id = decode_ascii(raw, "citizen ID").upper()
    if not citizen_id_valid(citizen_id):
        raise CardDataDamagedError("citizen ID: checksum (GB 11643) does not match")
    return citizen_id

"""Byte encodings of the SSSE card: BCD, packed PINs, GB 18030 names, TLV records and ATRs.

Pure functions, so the card and the profile builder share one definition of every format of
the card profile (the team's card-profile.md: record table, PIN format, ATR rules).
"""

from __future__ import annotations

from datetime import date

NAME_RECORD = 30  # EF06 tag 09: the name, padded
NAME_EXTENSION = 20  # EF06 tag 4E: the rest of a long name (2.00/3.00 cards)
MAX_SHORT_LENGTH = 0x7F  # a one-byte BER length: every SSSE record fits


def bcd(digits: str, size: int) -> bytes:
    """`digits` as packed BCD in exactly `size` bytes (two digits a byte)."""
    if not digits.isdigit() or not digits.isascii() or len(digits) != 2 * size:
        raise ValueError(f"{digits!r} is not {2 * size} decimal digits")
    return bytes.fromhex(digits)


def bcd_date(iso: str) -> bytes:
    """An ISO date as BCD YYYYMMDD (4 bytes)."""
    return bcd(date.fromisoformat(iso).strftime("%Y%m%d"), 4)


def ascii_field(text: str, size: int) -> bytes:
    raw = text.encode("ascii")
    if len(raw) != size:
        raise ValueError(f"{text!r} is not {size} ASCII characters")
    return raw


def packed_pin(pin: str) -> bytes:
    """A PIN as the card compares it: packed BCD, an odd length padded with F."""
    if not pin.isascii() or not pin.isdigit():
        raise ValueError("a PIN is decimal digits")
    return bytes.fromhex(pin + ("F" if len(pin) % 2 else ""))


def unpacked_pin(data: bytes, shortest: int = 4, longest: int = 12) -> str | None:
    """The digits of a packed-BCD PIN, or None when `data` is not one (bad nibble, length)."""
    digits = data.hex().upper()
    if digits.endswith("F"):
        digits = digits[:-1]  # only the last nibble may be padding
    if not digits.isdigit() or not shortest <= len(digits) <= longest:
        return None
    return digits


def split_name(name: str, extension_allowed: bool, pad: bytes) -> tuple[bytes, bytes | None]:
    """(the 30-byte tag 09 record, the 20-byte tag 4E record or None) for `name` in GB 18030.

    Whole characters only: a 2-byte or 4-byte GB 18030 sequence is never split between the
    records. Without an extension (1.00 cards) a long name is cut at a character boundary,
    as those cards did."""
    head, tail = bytearray(), bytearray()
    for char in name:
        encoded = char.encode("gb18030")
        if not tail and len(head) + len(encoded) <= NAME_RECORD:
            head += encoded
        else:
            tail += encoded
    if len(tail) > NAME_EXTENSION:
        raise ValueError(f"name {name!r} does not fit in {NAME_RECORD + NAME_EXTENSION} bytes")
    record = bytes(head).ljust(NAME_RECORD, pad)
    if not extension_allowed:
        return record, None
    return record, bytes(tail).ljust(NAME_EXTENSION, pad) if tail else None


def tlv(tag: int, value: bytes) -> bytes:
    """One record as READ RECORD returns it: tag, one length byte, value."""
    if len(value) > MAX_SHORT_LENGTH:
        raise ValueError(f"record {tag:02X} is {len(value)} bytes, more than a short length")
    return bytes([tag, len(value)]) + value


def build_atr(historical: bytes, protocols: tuple[int, ...] = (0,)) -> bytes:
    """A well-formed direct-convention ATR (ISO 7816-3) with TB1 = TC1 = 00.

    T0's low nibble counts the historical bytes; one TDi per protocol after the first names
    it; a TCK closes the ATR when any protocol other than T=0 is offered."""
    if not 0 < len(historical) <= 15:
        raise ValueError("an ATR carries 1 to 15 historical bytes")
    if not protocols or any(not 0 <= p <= 14 for p in protocols):
        raise ValueError(f"bad protocol list {protocols!r}")
    if protocols == (0,):
        # TB1 and TC1 present, no TD1: T=0 implicitly, as on the typical `3B 6D 00 00`.
        return bytes([0x3B, 0x60 | len(historical), 0x00, 0x00]) + historical
    body = bytearray([0xE0 | len(historical), 0x00, 0x00])  # TB1, TC1 and TD1 follow
    for i, protocol in enumerate(protocols):
        more = 0x80 if i + 1 < len(protocols) else 0x00  # TD(i+1) present
        body.append(more | protocol)
    body += historical
    tck = 0
    for byte in body:
        tck ^= byte
    return bytes([0x3B]) + bytes(body) + bytes([tck])


def atr_problems(atr: bytes) -> list[str]:
    """What is wrong with `atr` per ISO 7816-3 (empty when well formed)."""
    if len(atr) < 2 or atr[0] not in (0x3B, 0x3F):
        return ["no TS/T0"]
    historical = atr[1] & 0x0F
    position, y, protocols = 2, atr[1] >> 4, set[int]()
    while True:
        position += bin(y & 0x07).count("1")  # TA, TB, TC
        if not y & 0x08:
            break
        if position >= len(atr):
            return ["truncated in the interface bytes"]
        y, protocol = atr[position] >> 4, atr[position] & 0x0F
        protocols.add(protocol)
        position += 1
    needs_tck = bool(protocols - {0})
    expected = position + historical + (1 if needs_tck else 0)
    if len(atr) != expected:
        return [f"{len(atr)} bytes where T0 and the TDi announce {expected}"]
    if needs_tck:
        check = 0
        for byte in atr[1:]:
            check ^= byte
        if check:
            return ["wrong TCK"]
    return []

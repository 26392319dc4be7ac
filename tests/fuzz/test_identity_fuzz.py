"""Fuzzing the record decoders: any bytes decode or raise CardDataDamagedError, and what
a well-formed card holds always decodes back to what was written."""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from card_reader.errors import CardDataDamagedError
from card_reader.identity import (
    PADDING,
    birth_date_from_citizen_id,
    checked_citizen_id,
    citizen_id_check_char,
    citizen_id_valid,
    decode_ascii,
    decode_bcd,
    decode_date,
    decode_name,
)
from tests.fuzz.settings import FUZZ

any_bytes = st.binary(max_size=64)


@FUZZ
@given(any_bytes)
def test_bcd_is_digits_or_damaged(raw: bytes) -> None:
    nibbles = raw.hex().upper()
    try:
        digits = decode_bcd(raw, "field")
    except CardDataDamagedError:
        # An empty field is damaged too, and so is any non-digit but trailing F padding.
        assert not nibbles.rstrip("F").isdigit()
        return
    assert digits.isdigit()
    # The digits, then only the F nibbles that pad an odd number of digits.
    assert nibbles == digits + "F" * (len(nibbles) - len(digits))


@FUZZ
@given(any_bytes)
def test_dates_are_calendar_dates_or_damaged(raw: bytes) -> None:
    try:
        day = decode_date(raw, "date")
    except CardDataDamagedError:
        return
    assert len(raw) == 4
    assert raw.hex() == day.strftime("%Y%m%d").zfill(8)


@FUZZ
@given(st.dates(min_value=date(1, 1, 1)))
def test_every_calendar_date_round_trips(day: date) -> None:
    raw = bytes.fromhex(f"{day.year:04d}{day.month:02d}{day.day:02d}")
    assert decode_date(raw, "date") == day


@FUZZ
@given(any_bytes)
def test_ascii_fields_are_printable_or_damaged(raw: bytes) -> None:
    try:
        text = decode_ascii(raw, "field")
    except CardDataDamagedError:
        return
    assert text.isprintable()
    assert text.isascii()


@FUZZ
@given(any_bytes)
def test_names_are_printable_gb18030_or_damaged(raw: bytes) -> None:
    try:
        name = decode_name(raw)
    except CardDataDamagedError:
        return
    assert name
    assert name.isprintable()
    assert name.encode("gb18030") == raw.rstrip(PADDING)  # 0x00, 0x20 or 0xFF padding


@FUZZ
@given(st.text(st.characters(codec="gbk", categories=["Lo", "Lu", "Ll"]), min_size=1, max_size=15))
def test_any_gbk_name_padded_to_30_bytes_reads_back(name: str) -> None:
    raw = name.encode("gbk")
    assume(len(raw) <= 30)
    assert decode_name(raw.ljust(30, b"\x00")) == name


@FUZZ
@given(any_bytes)
def test_citizen_ids_pass_the_checksum_or_are_damaged(raw: bytes) -> None:
    try:
        citizen_id = checked_citizen_id(raw)
    except CardDataDamagedError:
        return
    assert citizen_id_valid(citizen_id)
    assert len(citizen_id) == 18


@FUZZ
@given(st.text("0123456789", min_size=17, max_size=17))
def test_every_17_digits_with_their_check_character_are_accepted(first17: str) -> None:
    citizen_id = first17 + citizen_id_check_char(first17)
    assert checked_citizen_id(citizen_id.lower().encode("ascii")) == citizen_id
    wrong = next(c for c in "0123456789X" if c != citizen_id[17])
    assert not citizen_id_valid(first17 + wrong)
    with contextlib.suppress(CardDataDamagedError):  # 17 random digits: maybe no real date
        birth_date_from_citizen_id(citizen_id)

"""Fuzzing card_reader.apdu: response parsing, command encoding and the T=0 61xx/6Cxx dance.

Whatever a card (or a broken reader) answers, the channel returns a Response or raises
CardCommunicationError, and it stops asking after a bounded number of exchanges.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from card_reader.apdu import (
    INS_GET_RESPONSE,
    INS_VERIFY,
    MAX_CHAINED_RESPONSES,
    SW_OK,
    ApduChannel,
    Command,
    Response,
    describe_status,
)
from card_reader.errors import CardCommunicationError
from card_reader.sscard import pack_pin
from tests.fuzz.settings import FUZZ

# Each send: the command, a 6Cxx resend, then per GET RESPONSE at most one 6Cxx resend.
MAX_EXCHANGES = 2 + 2 * MAX_CHAINED_RESPONSES
byte = st.integers(min_value=0, max_value=255)
status_word = st.integers(min_value=0, max_value=0xFFFF)
# Answers weighted towards the status words that drive the chaining logic.
chaining_sw = st.one_of(
    st.integers(0x6100, 0x61FF), st.integers(0x6C00, 0x6CFF), st.just(SW_OK), status_word
)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_parse_to_a_response_or_a_typed_error(raw: bytes) -> None:
    try:
        response = Response.from_bytes(raw)
    except CardCommunicationError:
        assert len(raw) < 2
        return
    assert response.data + response.sw.to_bytes(2, "big") == raw
    assert response.ok == (raw[-2:] == b"\x90\x00")


@FUZZ
@given(status_word)
def test_every_status_word_has_words(sw: int) -> None:
    assert describe_status(sw)
    response = Response(b"", sw)
    if sw == SW_OK:
        assert response.check("READ") == b""
    else:
        with pytest.raises(CardCommunicationError, match=f"{sw:04X}"):
            response.check("READ")


@FUZZ
@given(st.tuples(byte, byte, byte, byte), st.binary(max_size=255), st.one_of(st.none(), byte))
def test_commands_encode_as_short_apdus(
    header: tuple[int, int, int, int], data: bytes, le: int | None
) -> None:
    cla, ins, p1, p2 = header
    raw = Command(cla, ins, p1, p2, data, le).to_bytes()
    assert raw[:4] == bytes([cla, ins, p1, p2])
    body = raw[4:]
    if data:
        assert body[0] == len(data)
        assert body[1 : 1 + len(data)] == data
        body = body[1 + len(data) :]
    assert body == (b"" if le is None else bytes([le]))


@FUZZ
@given(st.text("0123456789", min_size=4, max_size=12))
def test_a_verify_apdu_never_shows_its_pin_in_the_trace(pin: str) -> None:
    packed = bytes(pack_pin(pin))
    shown = Command(0x00, INS_VERIFY, 0x00, 0x00, packed).redacted_hex()
    head, tail = shown[:14], shown[14:]  # "00 20 00 00 Lc"
    assert head == f"00 20 00 00 {len(packed):02X}"
    assert tail == f" <PIN {len(packed)} bytes>"
    assert pin not in shown


@FUZZ
@given(st.lists(st.tuples(st.binary(max_size=40), chaining_sw), max_size=60), st.booleans())
def test_the_channel_stops_after_a_bounded_number_of_exchanges(
    answers: list[tuple[bytes, int]], want_data: bool
) -> None:
    queue = [data + sw.to_bytes(2, "big") for data, sw in answers]

    def transmit(apdu: bytes) -> bytes:
        assert len(apdu) >= 4
        return queue.pop(0) if queue else b"\x61\x10"  # a card that never stops chaining

    channel = ApduChannel(transmit)
    try:
        response = channel.send(Command(0x00, 0xB2, 0x07, 0x00, le=11), want_data)
    except CardCommunicationError:
        assert channel.apdu_count <= MAX_EXCHANGES
        return
    assert channel.apdu_count <= MAX_EXCHANGES
    assert response.sw >> 8 != 0x61  # a 61xx is always followed up or taken as success


@FUZZ
@given(
    st.binary(max_size=600),
    st.integers(min_value=1, max_value=255),
    st.booleans(),
)
def test_chained_data_arrives_whole_and_in_order(
    payload: bytes, chunk: int, wrong_le: bool
) -> None:
    """A T=0 card hands out `payload` `chunk` bytes at a time behind 61xx (and maybe 6Cxx)."""
    pending = bytearray(payload)
    sent: list[bytes] = []

    def announce() -> bytes:
        return bytes([0x61, min(len(pending), 255) % 256]) if pending else b"\x90\x00"

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        if apdu[1] != INS_GET_RESPONSE:
            return announce()
        asked = apdu[4] or 256
        size = min(chunk, len(pending))
        if wrong_le and asked != size:
            return bytes([0x6C, size])
        part = bytes(pending[:size])
        del pending[:size]
        return part + announce()

    channel = ApduChannel(transmit)
    rounds_needed = -(-len(payload) // chunk)
    try:
        response = channel.send(Command(0x00, 0xB2, 0x09, 0x00, le=0))
    except CardCommunicationError:
        assert rounds_needed > MAX_CHAINED_RESPONSES
        return
    assert response.sw == SW_OK
    assert response.data == payload

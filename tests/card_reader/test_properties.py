"""Random and truncated card answers: only typed card errors may come out of the parsers."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from card_reader.apdu import ApduChannel
from card_reader.errors import CardError
from card_reader.identity import decode_date, decode_name
from card_reader.simulator import build_card, profile
from card_reader.sscard import SSCard

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40))
def test_random_responses_give_an_identity_or_a_typed_error(answers: list[bytes]) -> None:
    queue = list(answers)

    def transmit(apdu: bytes) -> bytes:
        return queue.pop(0) if queue else b"\x6a\x82"

    card = SSCard(ApduChannel(transmit))
    try:
        card.read_identity()
        card.verify_pin("123456")
        card.pin_tries_left()
    except CardError:
        pass


@SETTINGS
@given(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=40))
def test_truncated_real_responses_give_typed_errors(position: int, keep: int) -> None:
    card = build_card(profile("long-name"))
    count = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal count
        answer = card.process(apdu)
        count += 1
        return answer[:keep] if count - 1 == position else answer

    try:
        identity = SSCard(ApduChannel(transmit)).read_identity()
    except CardError:
        return
    assert identity.card_number == "D65010004"


@SETTINGS
@given(st.binary(max_size=50))
def test_any_name_bytes_decode_or_are_reported_damaged(raw: bytes) -> None:
    try:
        name = decode_name(raw)
    except CardError:
        return
    assert name
    assert name.isprintable()


@SETTINGS
@given(st.binary(min_size=0, max_size=6))
def test_any_date_bytes_decode_or_are_reported_damaged(raw: bytes) -> None:
    with contextlib.suppress(CardError):
        decode_date(raw, "date")

"""Fuzzing SSCard with whatever a card might answer: the reader code returns an identity or
raises a CardError subclass. Never another exception, never an endless exchange."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from card_reader.apdu import ApduChannel
from card_reader.errors import CardError, PinRequiredError
from card_reader.simulator import build_card, profile
from card_reader.sscard import SSCard
from tests.fuzz.settings import FUZZ

# probe + read_identity + verify_pin + read_holder send about 16 commands; each may chain.
APDU_LIMIT = 16 * 34
PROFILES = ["zhang-wei", "wang-zhe", "li-kun", "long-name", "not-ssse", "blocked-pin"]


class Runaway(Exception):
    """The card code kept talking: the test fails with this, it is not a CardError."""


def _exercise(card: SSCard) -> None:
    """What a session does with a card; only CardError may come out."""
    try:
        card.probe()
        facts = card.read_facts()
        assert facts.card_number
        assert facts.region_code.isdigit()
        try:
            assert card.read_holder().ssn
        except PinRequiredError:
            if card.verify_pin(bytearray(b"123456")).ok:
                card.read_holder()
        card.verify_pin(bytearray(b"123456"))
    except CardError:
        pass


@FUZZ
@given(st.data())
def test_random_answers_to_every_command(data: st.DataObject) -> None:
    sent = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        if sent > APDU_LIMIT:
            raise Runaway(f"{sent} APDUs")
        data_part = data.draw(st.binary(max_size=48), label="data")
        sw = data.draw(
            st.sampled_from([0x9000, 0x6A82, 0x6A83, 0x6982, 0x6983, 0x9303, 0x63C2, 0x63C0])
            | st.integers(0x6100, 0x61FF)
            | st.integers(0x6C00, 0x6CFF)
            | st.integers(0, 0xFFFF),
            label="sw",
        )
        short = data.draw(st.integers(0, 3), label="cut") == 0
        answer = data_part + sw.to_bytes(2, "big")
        return answer[: data.draw(st.integers(0, 2))] if short else answer

    # No deadline: hypothesis draws must happen on the test's own thread.
    _exercise(SSCard(ApduChannel(transmit, deadline_seconds=None)))


mutation = st.one_of(
    st.just(("keep", 0, 0)),
    st.tuples(st.just("cut"), st.integers(0, 60), st.just(0)),
    st.tuples(st.just("flip"), st.integers(0, 60), st.integers(1, 255)),
    st.tuples(st.just("sw"), st.integers(0, 0xFFFF), st.just(0)),
    st.tuples(st.just("grow"), st.integers(1, 40), st.integers(0, 255)),
)


def _mutate(answer: bytes, how: tuple[str, int, int]) -> bytes:
    kind, a, b = how
    if kind == "cut":
        return answer[:a]
    if kind == "flip" and answer:
        index = a % len(answer)
        return answer[:index] + bytes([answer[index] ^ b]) + answer[index + 1 :]
    if kind == "sw":
        return answer[:-2] + a.to_bytes(2, "big")
    if kind == "grow":
        return answer[:-2] + bytes([b]) * a + answer[-2:]
    return answer


@FUZZ
@given(
    st.sampled_from(PROFILES),
    st.lists(st.one_of(st.just(("keep", 0, 0)), mutation), min_size=1, max_size=16),
)
def test_a_real_card_with_damaged_answers(key: str, mutations: list[tuple[str, int, int]]) -> None:
    """The simulator's true answers, some cut, flipped, re-statused or padded."""
    simulated = build_card(profile(key))
    plan = iter(mutations)
    sent = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        if sent > APDU_LIMIT:
            raise Runaway(f"{sent} APDUs")
        return _mutate(simulated.process(apdu), next(plan, ("keep", 0, 0)))

    _exercise(SSCard(ApduChannel(transmit), atr=simulated.atr))


@FUZZ
@given(st.integers(0x6100, 0x61FF))
def test_a_card_that_always_says_more_is_waiting_is_given_up_on(sw: int) -> None:
    sent = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        if sent > APDU_LIMIT:
            raise Runaway(f"{sent} APDUs")
        return b"\x01" * 4 + sw.to_bytes(2, "big")

    # No deadline: hypothesis draws must happen on the test's own thread.
    _exercise(SSCard(ApduChannel(transmit, deadline_seconds=None)))
    assert sent <= APDU_LIMIT

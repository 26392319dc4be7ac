"""The APDU layer: T=0 61xx chaining, 6Cxx resends, and PIN-free traces."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from card_reader.apdu import ApduChannel, Command, Response, describe_status
from card_reader.errors import CardCommunicationError


def scripted(*answers: str) -> tuple[Callable[[bytes], bytes], list[bytes]]:
    sent: list[bytes] = []
    queue = [bytes.fromhex(a) for a in answers]

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return queue.pop(0)

    return transmit, sent


def test_61xx_is_collected_with_get_response_until_done() -> None:
    transmit, sent = scripted("6105", "01020361 02".replace(" ", ""), "04059000")
    response = ApduChannel(transmit).send(Command(0, 0xB2, 7, 0, le=11))
    assert response == Response(bytes.fromhex("0102030405"), 0x9000)
    assert sent[1] == bytes.fromhex("00C0000005")
    assert sent[2] == bytes.fromhex("00C0000002")


def test_6cxx_resends_the_same_command_with_the_right_le() -> None:
    transmit, sent = scripted("6C03", "0701419000")
    channel = ApduChannel(transmit)
    response = channel.send(Command(0, 0xB2, 7, 0, le=11))
    assert response.data == bytes.fromhex("070141")
    assert sent == [bytes.fromhex("00B207000B"), bytes.fromhex("00B2070003")]
    assert channel.apdu_count == 2


def test_a_select_whose_data_is_not_wanted_costs_no_get_response() -> None:
    transmit, sent = scripted("6112")
    channel = ApduChannel(transmit)
    assert channel.send(Command(0, 0xA4, 4, 0, b"\x01\x02"), want_data=False).ok
    assert len(sent) == 1


def test_a_card_that_never_stops_answering_61xx_is_an_error() -> None:
    channel = ApduChannel(lambda apdu: bytes.fromhex("01" + "6101"))
    with pytest.raises(CardCommunicationError, match="61xx"):
        channel.send(Command(0, 0xB2, 1, 0, le=3))


def test_a_response_without_a_status_word_is_a_typed_error() -> None:
    with pytest.raises(CardCommunicationError):
        ApduChannel(lambda apdu: b"\x90").send(Command(0, 0xA4, 0, 0))


def test_the_trace_never_shows_verify_data() -> None:
    channel = ApduChannel(lambda apdu: bytes.fromhex("63C2"), keep_trace=True)
    channel.send(Command(0, 0x20, 0, 0, bytes.fromhex("888888")))
    assert channel.trace == ["> 00 20 00 00 03 <PIN 3 bytes>  < 63C2 (0 bytes)"]


def test_status_words_have_names() -> None:
    assert describe_status(0x6983) == "PIN blocked"
    assert describe_status(0x63C1) == "verification failed, 1 tries left"
    assert describe_status(0x6C12) == "wrong Le, use 18"

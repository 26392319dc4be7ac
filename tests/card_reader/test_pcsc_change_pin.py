"""CHANGE PIN through a real pcscd and the vpcd reader: the new PIN stays on the card when it
is pulled and inserted again, and the old one is refused."""

from __future__ import annotations

import threading

import pytest

from card_reader import open_card
from card_reader.apdu import Command
from card_reader.backends.pcsc import PcscBackend, wait_for_card
from card_reader.events import CardRemoved, ReaderEvent
from card_reader.simulator import build_card, profile
from card_reader.sscard import SSCard
from realparts.pcscd import VpcdReader
from tests.card_reader.waiting import wait_until

pytestmark = pytest.mark.integration

OLD_PIN = "123456"  # zhang-wei's issued PIN
NEW_PIN = "246802"


def raw_verify(card: SSCard, pin: str) -> int:
    """VERIFY spelled out from card-profile.md, so the status word is the card's own."""
    return card.channel.send(Command(0x00, 0x20, 0x00, 0x00, bytes.fromhex(pin))).sw


def test_a_changed_pin_verifies_after_the_card_is_pulled_and_inserted_again(
    vpcd_reader: VpcdReader,
) -> None:
    simulated = build_card(profile("zhang-wei"))
    assert simulated.pin == OLD_PIN
    backend = PcscBackend()
    events: list[ReaderEvent] = []
    lock = threading.Lock()

    def record(event: ReaderEvent) -> None:
        with lock:
            events.append(event)

    def removed(reader: str) -> bool:
        with lock:
            return CardRemoved(reader) in events

    backend.subscribe(record)
    try:
        reader = vpcd_reader.insert(simulated)
        slot = vpcd_reader.current
        wait_for_card(backend, 5, reader)
        connection = backend.connect(reader)
        old, new = bytearray(OLD_PIN.encode()), bytearray(NEW_PIN.encode())
        assert open_card(connection).change_pin(old, new).ok
        assert old == new == bytearray(6)
        connection.disconnect()

        vpcd_reader.remove()  # pulled: vpcd drops the card's connection
        wait_until(lambda: removed(reader))
        assert vpcd_reader.insert(simulated, slot=slot) == reader  # the same card, same reader
        wait_for_card(backend, 5, reader)
        connection = backend.connect(reader)
        try:
            card = open_card(connection)
            card.select_application()
            assert raw_verify(card, OLD_PIN) == 0x63C2  # refused, one try spent
            assert raw_verify(card, NEW_PIN) == 0x9000
            assert card.verify_pin(NEW_PIN).ok  # and through the reader's own VERIFY
        finally:
            connection.disconnect()
        assert simulated.tries_left == simulated.max_tries  # the right PIN refilled them
    finally:
        backend.close()

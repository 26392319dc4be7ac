"""The virtual backend's events, and a pulled card seen by both the reader and the session."""

from __future__ import annotations

import pytest

from card_reader import open_card
from card_reader.backends.virtual import VirtualBackend
from card_reader.errors import CardRemovedError, NoCardError, NoReaderError
from card_reader.events import CardInserted, CardRemoved, ReaderAdded, ReaderEvent
from card_reader.simulator import Faults, build_card, profile


def test_subscribers_hear_the_reader_then_insertions_and_removals() -> None:
    backend = VirtualBackend()
    events: list[ReaderEvent] = []
    backend.subscribe(events.append)
    card = build_card(profile("zhang-wei"))
    backend.insert(card)
    backend.remove()
    assert events == [
        ReaderAdded(backend.reader),
        CardInserted(backend.reader, card.atr),
        CardRemoved(backend.reader),
    ]


def test_a_late_subscriber_hears_the_card_already_inserted() -> None:
    backend = VirtualBackend()
    backend.insert(build_card(profile("zhang-wei")))
    events: list[ReaderEvent] = []
    backend.subscribe(events.append)
    assert isinstance(events[-1], CardInserted)


def test_unsubscribing_stops_the_events() -> None:
    backend = VirtualBackend()
    events: list[ReaderEvent] = []
    unsubscribe = backend.subscribe(events.append)
    unsubscribe()
    backend.insert(build_card(profile("zhang-wei")))
    assert events == [ReaderAdded(backend.reader)]


def test_a_card_pulled_mid_read_raises_and_reports_the_removal() -> None:
    backend = VirtualBackend()
    events: list[ReaderEvent] = []
    backend.subscribe(events.append)
    backend.insert(build_card(profile("zhang-wei"), Faults(pull_after=3)))
    card = open_card(backend.connect(backend.reader))
    with pytest.raises(CardRemovedError):
        card.read_identity()
    assert events[-1] == CardRemoved(backend.reader)
    assert backend.card is None


def test_an_old_connection_cannot_talk_to_the_next_card() -> None:
    backend = VirtualBackend()
    backend.insert(build_card(profile("zhang-wei")))
    old = backend.connect(backend.reader)
    backend.insert(build_card(profile("wang-zhe")))
    with pytest.raises(CardRemovedError):
        old.transmit(bytes.fromhex("00A4040000"))


def test_connecting_to_an_empty_or_unknown_reader_is_a_typed_error() -> None:
    backend = VirtualBackend()
    with pytest.raises(NoCardError):
        backend.connect(backend.reader)
    with pytest.raises(NoReaderError):
        backend.connect("Some Other Reader")

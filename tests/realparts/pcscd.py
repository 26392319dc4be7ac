"""A real pcscd with the vpcd virtual reader, and simulated cards served to it.

One pcscd per test session (libpcsclite reads PCSCLITE_CSOCK_NAME once per process); tests
insert and remove cards through `vpcd_reader`, which alternates the two vpcd slots and keeps
each slot empty for a moment after a removal, since pcscd polls vpcd every 400 ms and can
miss an insertion that follows a removal too closely.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from card_reader.pcscd_harness import READER_SLOT0, READER_SLOT1, PcscdHarness
from card_reader.simulator import SimulatedCard, build_card, profile
from card_reader.vpcd import VirtualCardSlot

EMPTY_SLOT_SECONDS = 1.0


class VpcdReader:
    """Insert simulated cards into the private pcscd's virtual readers."""

    def __init__(self, harness: PcscdHarness) -> None:
        self.harness = harness
        self.slots = [
            VirtualCardSlot(port=harness.port),
            VirtualCardSlot(port=harness.port + 1),
        ]
        self.names = [READER_SLOT0, READER_SLOT1]
        self._emptied_at = [0.0, 0.0]
        self._next = 0
        self.current: int | None = None

    @property
    def env(self) -> dict[str, str]:
        return self.harness.env

    @property
    def reader_name(self) -> str:
        """The reader holding the card inserted last."""
        return self.names[self.current if self.current is not None else 0]

    def insert(self, card: SimulatedCard | str, slot: int | None = None) -> str:
        """Insert a card (or a profile key) and return the reader name it went into."""
        self.remove()
        if isinstance(card, str):
            card = build_card(profile(card))
        index = self._next if slot is None else slot
        self._next = 1 - index
        rest = EMPTY_SLOT_SECONDS - (time.monotonic() - self._emptied_at[index])
        if rest > 0:
            time.sleep(rest)
        self.slots[index].insert(card)
        self.current = index
        return self.names[index]

    def remove(self) -> None:
        for index, slot in enumerate(self.slots):
            if slot.inserted:
                slot.remove()
                self._emptied_at[index] = time.monotonic()
        self.current = None

    def empty(self) -> None:
        """Take any card out and wait until pcscd (polling every 400 ms) has seen it go."""
        self.remove()
        rest = EMPTY_SLOT_SECONDS - (time.monotonic() - max(self._emptied_at))
        if rest > 0:
            time.sleep(rest)

    def restart_pcscd(self) -> None:
        self.remove()
        self.harness.restart()

    def kill_pcscd(self) -> None:
        self.remove()
        self.harness.kill()


@pytest.fixture(scope="session")
def pcscd_harness() -> Iterator[PcscdHarness]:
    harness = PcscdHarness()
    harness.start()
    yield harness
    harness.cleanup()


@pytest.fixture(scope="session")
def _vpcd_reader_for_session(pcscd_harness: PcscdHarness) -> VpcdReader:
    # One for the whole session: it remembers when each slot was emptied.
    return VpcdReader(pcscd_harness)


@pytest.fixture
def vpcd_reader(_vpcd_reader_for_session: VpcdReader) -> Iterator[VpcdReader]:
    reader = _vpcd_reader_for_session
    if not reader.harness.running:  # a previous test killed it
        reader.harness.start()
    yield reader
    reader.remove()

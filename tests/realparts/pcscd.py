"""Real-part fixtures: one private pcscd with the vpcd reader for the whole test session
(libpcsclite reads PCSCLITE_CSOCK_NAME once per process), and `vpcd_reader`, through which
tests insert and remove simulated cards (the harness itself is realparts/pcscd.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from realparts.pcscd import PcscdHarness, VpcdReader


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
    # Out, and seen gone by pcscd (it polls every 400 ms): the next test's kiosk must not
    # meet this card in its first status report and start reading a card that has left.
    reader.empty()

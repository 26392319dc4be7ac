"""A command that hangs inside one card, through pcscd + vpcd: the rest of PC/SC goes on.

In libpcsclite a transmit holds its context's mutex for as long as the card keeps it, and a
disconnect on that context waits for the mutex while holding the library's process-wide
lock: every other PC/SC call in the process (the monitor, listings, another reader's
connect) then waits too, and pyscard can wait there holding the GIL. CI froze on it once
(a regression would again: pyproject's faulthandler_timeout ends such a run with stacks).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest

from card_reader import open_card
from card_reader.backends.pcsc import PcscBackend, wait_for_card
from card_reader.errors import CardError, CardRemovedError
from card_reader.health import HealthState
from card_reader.simulator import Faults, build_card, profile
from realparts.pcscd import EMPTY_SLOT_SECONDS, READER_SLOT0, READER_SLOT1, VpcdReader

pytestmark = pytest.mark.integration
SELECT_APP = bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF")
SELECT_EF05 = bytes.fromhex("00A4020002EF05")
STALL_SECONDS = 2.0
CONNECT_SECONDS = 2.0


class HungCommand:
    """One transmit on a thread of its own, into a card that never answers it."""

    def __init__(self, transmit: Callable[[bytes], bytes]) -> None:
        self.error: CardError | None = None
        self.answer: bytes | None = None
        self._thread = threading.Thread(target=self._run, args=(transmit,), daemon=True)
        self._thread.start()

    def _run(self, transmit: Callable[[bytes], bytes]) -> None:
        try:
            self.answer = transmit(SELECT_EF05)
        except CardError as error:
            self.error = error

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, seconds: float) -> None:
        self._thread.join(seconds)


def assert_serves(backend: PcscBackend, reader: str, key: str) -> None:
    """`reader` gets the card inserted into it and reads its number."""
    wait_for_card(backend, 5, reader)
    connection = backend.connect(reader)
    try:
        assert open_card(connection).read_facts().card_number == profile(key).card_number
    finally:
        connection.disconnect()


def test_a_command_hung_in_one_card_leaves_every_other_pcsc_call_free(
    vpcd_reader: VpcdReader, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="card_reader.backends.pcsc_connection")
    mute_slot, other_slot = vpcd_reader.slots
    backend = PcscBackend(
        "Virtual PCD", stall_seconds=STALL_SECONDS, connect_seconds=CONNECT_SECONDS
    )
    try:
        # Answers SELECT (APDU 0), then never answers again.
        vpcd_reader.insert(build_card(profile("zhang-wei"), Faults(mute_after=1)), slot=0)
        wait_for_card(backend, 5, READER_SLOT0)
        connection = backend.connect(READER_SLOT0)
        assert connection.transmit(SELECT_APP)[-2:] == b"\x90\x00"
        hung = HungCommand(connection.transmit)
        time.sleep(0.5)
        assert hung.running, "the mute card answered"

        # The session ends (the kiosk gave up on the card): at once, nothing is waited for.
        started = time.monotonic()
        connection.disconnect()
        assert time.monotonic() - started < 0.5

        # Every other PC/SC call goes on: a fresh listing, the monitor, another card.
        started = time.monotonic()
        assert READER_SLOT0 in backend.list_readers()
        assert time.monotonic() - started < 1.0
        other_slot.insert(build_card(profile("wang-zhe")))
        assert_serves(backend, READER_SLOT1, "wang-zhe")
        time.sleep(STALL_SECONDS + 0.5)  # the monitor has to have turned past its bound
        assert backend.health().state is HealthState.OK
        assert hung.running  # the command is still in the driver all along

        # The card pulled: the command comes back, and its own thread lets the card go.
        mute_slot.remove()
        hung.wait(5)
        assert not hung.running
        assert isinstance(hung.error, CardRemovedError)
        assert "returned after its session closed" in caplog.text
        with pytest.raises(CardRemovedError):  # closed stays closed
            connection.transmit(SELECT_APP)

        # The same reader serves the next card.
        time.sleep(EMPTY_SLOT_SECONDS)
        vpcd_reader.insert(build_card(profile("zhang-wei")), slot=0)
        assert_serves(backend, READER_SLOT0, "zhang-wei")
    finally:
        backend.close()
        vpcd_reader.remove()


def test_a_second_command_beside_a_hung_one_is_refused_not_queued(
    vpcd_reader: VpcdReader,
) -> None:
    """A second transmit on the handle would wait inside pcsc-lite like a disconnect."""
    backend = PcscBackend("Virtual PCD", connect_seconds=CONNECT_SECONDS)
    try:
        vpcd_reader.insert(build_card(profile("zhang-wei"), Faults(mute_after=0)), slot=0)
        wait_for_card(backend, 5, READER_SLOT0)
        connection = backend.connect(READER_SLOT0)
        hung = HungCommand(connection.transmit)
        time.sleep(0.5)
        assert hung.running, "the mute card answered"
        started = time.monotonic()
        with pytest.raises(CardError, match="never returned"):
            connection.transmit(SELECT_APP)
        assert time.monotonic() - started < 0.5
        connection.disconnect()
        vpcd_reader.remove()  # the card pulled: the hung command comes back
        hung.wait(5)
        assert isinstance(hung.error, CardRemovedError)
    finally:
        backend.close()
        vpcd_reader.remove()

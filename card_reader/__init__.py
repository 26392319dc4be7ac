"""Talks to social-security cards. No Qt, no SQL, no kiosk imports.

Public API (used by kiosk/session.py and the `kiosk card` commands):

- Backends (`card_reader.backends`): `PcscBackend(name_pattern)` over pcscd, or
  `VirtualBackend()` with `.insert(card)` / `.remove()` for simulated cards. Both offer
  `list_readers()`, `subscribe(callback) -> unsubscribe` (events from `card_reader.events`:
  CardInserted, CardRemoved, ReaderAdded, ReaderLost, ServiceLost, delivered on the
  backend's thread), `connect(reader) -> CardConnection` and `close()`.
- `open_card(connection) -> SSCard`; `SSCard.read_identity() -> CardIdentity`,
  `SSCard.verify_pin(bytearray) -> PinResult` (the bytearray is zeroed),
  `SSCard.pin_tries_left() -> int | None`. `SSCard.channel.apdu_count` counts APDUs.
- Errors (`card_reader.errors`): CardError and its kinds (CardRemovedError, NoReaderError,
  NoCardError, NotSSSECardError, CardDataDamagedError, ApplicationBlockedError,
  PinBlockedError, CardCommunicationError), each with `user_message(language)` and
  `operator_message`.
- `card_reader.simulator`: `load_profiles()`, `profile(key)`, `build_card(profile, faults)`.
- `card_reader.vpcd.VirtualCardSlot` serves a simulated card to pcscd's vpcd reader;
  `card_reader.pcscd_harness.PcscdHarness` runs a private pcscd for tests and benchmarks.
"""

from card_reader.apdu import ApduChannel
from card_reader.backends.base import CardConnection
from card_reader.sscard import SSCard


def open_card(connection: CardConnection, keep_trace: bool = False) -> SSCard:
    """An SSCard speaking through `connection` (one per inserted card)."""
    return SSCard(ApduChannel(connection.transmit, keep_trace=keep_trace), connection.atr)


__all__ = ["open_card"]

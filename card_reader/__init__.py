"""Talks to social-security cards. No Qt, no SQL, no kiosk imports.

Public API (used by kiosk/card_access.py, the session's CardPort, and the `kiosk card` commands):

- Backends (`card_reader.backends`): `PcscBackend(name_pattern, stall_seconds=3,
  connect_seconds=5)` over pcscd (the card held EXCLUSIVE; a monitor silent for
  stall_seconds is replaced with a new context), or `VirtualBackend()` with `.insert(card)`
  / `.remove()` for simulated cards. Both offer `list_readers()`, `subscribe(callback) ->
  unsubscribe` (events from `card_reader.events`: CardInserted, CardMute (a card with no
  ATR: the wrong way round), CardRemoved, ReaderAdded, ReaderLost, ServiceLost, delivered on
  the backend's thread), `connect(reader) -> CardConnection`, `health() -> ReaderHealth`
  (`card_reader.health`: what the monitor last saw and how long ago, never a fresh PC/SC
  call) and `close()`.
- `open_card(connection, deadline_seconds=5.0) -> SSCard`: every transmit of that card has
  the deadline (CardNotRespondingError; `card_reader.deadline.stuck_calls()` counts the
  abandoned calls still stuck). `SSCard.probe() -> CardProbe` (SELECT + PIN tries,
  all the PIN pad needs), `SSCard.read_facts() -> CardFacts` (EF05), `SSCard.read_holder()
  -> Holder` (EF06; PinRequiredError on a PIN-gated card before VERIFY),
  `SSCard.read_identity() -> CardIdentity` (both), `SSCard.verify_pin(bytearray) ->
  PinResult` (the bytearray is zeroed). `SSCard.channel.apdu_count` counts APDUs.
- Errors (`card_reader.errors`): CardError and its kinds (CardRemovedError, NoReaderError,
  NoCardError, NotSSSECardError, CardDataDamagedError, ApplicationBlockedError,
  PinBlockedError, PinRequiredError, CardNotRespondingError, CardCommunicationError,
  ReaderBusyError (another program holds the reader), CardMuteError), each
  with a `kind` (CardErrorKind: the kiosk looks the person's words up by it) and
  `operator_message`.
- `card_reader.simulator`: `load_profiles()`, `profile(key)`, `build_card(profile, faults)`.
- `card_reader.vpcd.VirtualCardSlot` serves a simulated card to pcscd's vpcd reader (the
  private pcscd that tests and benchmarks run it against is `realparts.pcscd`).
"""

from card_reader.apdu import DEFAULT_APDU_DEADLINE_SECONDS, ApduChannel
from card_reader.backends.base import CardConnection
from card_reader.sscard import SSCard


def open_card(
    connection: CardConnection,
    keep_trace: bool = False,
    deadline_seconds: float = DEFAULT_APDU_DEADLINE_SECONDS,
) -> SSCard:
    """An SSCard speaking through `connection` (one per inserted card)."""
    channel = ApduChannel(
        connection.transmit, keep_trace=keep_trace, deadline_seconds=deadline_seconds
    )
    return SSCard(channel, connection.atr)


__all__ = ["open_card"]

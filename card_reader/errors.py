"""Typed card errors. Each carries a `kind` and a message for the operator's log, never
personal data. What the person at the kiosk reads is the kiosk's to say: it looks the words
up by `kind` in its catalogue (kiosk.words), which this package may not import.

The shape (`kind`, `operator_message`) is kiosk.domain.KnownFailure's; card_reader sits
below kiosk and so keeps its own copy of it.
"""

from __future__ import annotations

import enum


class CardErrorKind(enum.StrEnum):
    """What went wrong with the card, as the person is told it (one catalogue entry each)."""

    READ_FAILED = "read_failed"
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    NOT_SSSE = "not_ssse"
    DAMAGED = "damaged"
    PIN_BLOCKED = "pin_blocked"
    CARD_LOCKED = "card_locked"
    NOT_RESPONDING = "not_responding"
    PIN_REQUIRED = "pin_required"
    READ_TIMEOUT = "read_timeout"  # the whole read took too long (the kiosk's deadline)
    READER_BUSY = "reader_busy"  # another program holds the reader
    CARD_MUTE = "card_mute"  # present but no answer to reset: reversed, or a mute chip


class CardError(Exception):
    """A known card problem: `kind` for the person's words, `operator_message` for the log."""

    kind = CardErrorKind.READ_FAILED

    def __init__(self, operator_message: str = "") -> None:
        self.operator_message = operator_message or type(self).__name__
        super().__init__(self.operator_message)


class NoReaderError(CardError):
    kind = CardErrorKind.NO_READER


class NoCardError(CardError):
    kind = CardErrorKind.NO_CARD


class CardRemovedError(CardError):
    kind = CardErrorKind.CARD_REMOVED


class NotSSSECardError(CardError):
    kind = CardErrorKind.NOT_SSSE


class CardDataDamagedError(CardError):
    kind = CardErrorKind.DAMAGED


class CardCommunicationError(CardError):
    """The card answered with a status word we cannot act on, or the reader failed."""


class PinBlockedError(CardError):
    kind = CardErrorKind.PIN_BLOCKED


class ApplicationBlockedError(CardError):
    kind = CardErrorKind.CARD_LOCKED


class CardNotRespondingError(CardError):
    """A command got no answer within its deadline: a mute card or a hung reader driver."""

    kind = CardErrorKind.NOT_RESPONDING


class PinRequiredError(CardError):
    """The card keeps its personal file (EF06) behind the PIN (6982 before VERIFY)."""

    kind = CardErrorKind.PIN_REQUIRED


class ReaderBusyError(CardError):
    """Another program holds the reader (SCARD_E_SHARING_VIOLATION): the operator message
    names the reader and, where the system tells, the processes that use PC/SC."""

    kind = CardErrorKind.READER_BUSY


class CardMuteError(CardError):
    """A card is in the reader but gave no ATR: inserted the wrong way round, or mute."""

    kind = CardErrorKind.CARD_MUTE

"""Typed store errors: a `kind` (the person's words, from the catalogue) and a message for
the operator.

No SQLAlchemy here, so the UI can import these without loading a database driver.
Neither message ever contains a card number, a name or a citizen ID.
"""

from __future__ import annotations

import enum

from kiosk.domain import KnownFailure


class CardRefusal(enum.StrEnum):
    """Why a card does not open the accounts."""

    LOST = "lost"
    REPLACED = "replaced"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # the store has no such card
    # The chip's card number and citizen ID do not belong together: a forged or cloned card
    # (the person reads the unknown-card words; the audit row says mismatch).
    MISMATCH = "mismatch"


class StoreError(KnownFailure):
    """A known store problem: `kind` for the person's words, `operator_message` for the log."""

    kind = "store_unavailable"


class CardNotActive(StoreError):
    """The card is not the person's current active card (or the store does not know it)."""

    def __init__(self, status: CardRefusal, operator_message: str = "") -> None:
        self.status = status
        # The person reads the catalogue's problem.<kind>: "lost", ..., "unknown_card".
        self.kind = "unknown_card" if status is CardRefusal.UNKNOWN else status.value
        super().__init__(operator_message or f"card refused: {status.value}")


class StoreUnavailable(StoreError):
    """The store did not answer within the configured timeout, or refused the connection."""

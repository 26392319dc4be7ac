"""Typed store errors: a `kind` (the person's words, from the catalogue) and a message for
the operator.

No SQLAlchemy here, so the UI can import these without loading a database driver.
Neither message ever contains a card number, a name or a citizen ID.
"""

from __future__ import annotations

import enum
from datetime import datetime

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
    # A temporary report (临时挂失) in force: the lost-card screen offers "I found my card"
    # (the PIN, then kiosk.citizen_requests lifts it). A lapsed report refuses nothing.
    REPORTED_LOST = "reported_lost"


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


# -- issue 17: the service password, loss reports, filing requests -----------------------


class ServicePasswordRefused(StoreError):
    """The service password did not match. An ID nobody enrolled reads the same, with the
    same count: the answer does not tell a stranger which IDs have a password."""

    kind = "service_password_wrong"

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(f"service password refused: {tries_left} tries left")


class ServicePasswordLocked(StoreError):
    """Five wrong tries: no try is taken for this ID until `until`."""

    kind = "service_password_locked"

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(f"service password locked until {until:%Y-%m-%d %H:%M}")


class LossReportRefused(StoreError):
    """The report was not made: `reason` 'no_card' (the person has no active card),
    'expired' (the try took too long: start again) or, for a lift, 'not_reported'."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.kind = f"loss_report_{reason}"
        super().__init__(f"loss report refused: {reason}")


class FilingRefused(StoreError):
    """A filing request the store does not take: `reason` 'region' (not a destination it
    lists), 'home_region', 'kind', 'days' or 'start'."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.kind = f"filing_{reason}"
        super().__init__(f"filing request refused: {reason}")

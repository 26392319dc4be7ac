"""The screens' words: kiosk.words (one gettext catalogue, zh and en, shared with the slip)
and its money and date formatters, under the names the screens use; plus the UI's own
choice of history filters.

`text()` raises on a missing key, so an untranslated string fails a test instead of reaching
the screen.
"""

from __future__ import annotations

from decimal import Decimal

from kiosk.domain import LedgerKind
from kiosk.words import (
    date_text,
    filing_status_label,
    filing_type_label,
    flag_label,
    kind_label,
    month_label,
    relation_label,
    text,
    yuan,
)

__all__ = [
    "HISTORY_FILTERS",
    "date_text",
    "filing_status_label",
    "filing_type_label",
    "flag_label",
    "kind_label",
    "month_label",
    "relation_label",
    "signed_yuan",
    "text",
    "yuan",
]

# The history filter: the questions people ask, not every ledger kind.
HISTORY_FILTERS: tuple[LedgerKind | None, ...] = (
    None, LedgerKind.OUTPATIENT, LedgerKind.PHARMACY, LedgerKind.INPATIENT_SELF_PAY,
)  # fmt: skip


def signed_yuan(amount: Decimal) -> str:
    """+¥105.34 / -¥56.09: money in and out of the account, told apart by more than colour."""
    return yuan(amount, sign=True)

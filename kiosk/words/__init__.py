"""Every word a person reads, screen and slip alike, from one catalogue (kiosk.words.catalogue:
gettext .po files in zh and en), and the one way to write money and dates.

The core looks words up by key or by kind and language; the UI asks here (through ui.i18n);
printing is handed its words in `ReceiptData.words` (`receipt_words`), so it imports no
catalogue. No Qt here. Importing this module reads nothing: the catalogue is read on the
first look-up, once per language.
"""

from __future__ import annotations

import dataclasses
import functools

from kiosk.domain import (
    FilingStatus,
    FilingType,
    FlagReason,
    LedgerKind,
    ReceiptWords,
    date_text,
    yuan,
)
from kiosk.words.catalogue import LANGUAGES, messages, text

__all__ = [
    "LANGUAGES",
    "date_text",
    "filing_status_label",
    "filing_type_label",
    "flag_label",
    "has",
    "kind_label",
    "month_label",
    "other_language",
    "receipt_words",
    "relation_label",
    "text",
    "yuan",
]


def has(key: str, language: str = "zh") -> bool:
    return key in messages(language)


def other_language(language: str) -> str:
    return "en" if language == "zh" else "zh"


def kind_label(kind: LedgerKind, language: str) -> str:
    """A ledger entry's kind, the same words in the history and on the slip."""
    return text(f"ledger.{kind.value}", language)


def flag_label(reason: FlagReason, language: str) -> str:
    """Why a charge is worth a second look, the same words on screen and slip."""
    return text(f"flag.{reason.value}", language)


def filing_type_label(kind: FilingType, language: str) -> str:
    return text(f"filing_type.{kind.value}", language)


def filing_status_label(status: FilingStatus, language: str) -> str:
    return text(f"filing_status.{status.value}", language)


def relation_label(relation: str, language: str) -> str:
    """spouse / child / parent in words; a relation the catalogue does not know, as stored."""
    key = f"relation.{relation}"
    return text(key, language) if has(key, language) else relation


def month_label(month: int, language: str) -> str:
    """1 -> 1月 / Jan."""
    return text(f"month.{month}", language)


# Slip words the screen already has: one entry, so the two cannot drift apart.
_RECEIPT_KEYS = {
    "balance": "overview.balance",
    "flagged": "flagged.title",
    "reason_separator": "list.separator",
}


@functools.cache
def receipt_words(language: str) -> ReceiptWords:
    """Every word of a receipt in `language`, for `ReceiptData.words`."""
    plain = {
        field.name: text(_RECEIPT_KEYS.get(field.name, f"receipt.{field.name}"), language)
        for field in dataclasses.fields(ReceiptWords)
        if field.name not in ("subtitle", "kinds", "reasons")
    }
    return ReceiptWords(
        **plain,
        subtitle=text("receipt.title", other_language(language)),
        kinds={kind: kind_label(kind, language) for kind in LedgerKind},
        reasons={reason: flag_label(reason, language) for reason in FlagReason},
    )

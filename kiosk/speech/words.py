"""The spoken words: a catalogue domain of their own, `speech`.

`kiosk/words/locale/<language>/LC_MESSAGES/speech.po`, read as kiosk.words.catalogue reads
the kiosk's own (compiled to the .mo beside it on first use). A domain apart because words
for the ear are not the screen's words: no symbols, no layout, numbers already worded, and a
translator can tune them without touching the screens' catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.words.catalogue import messages

__all__ = ["DOMAIN", "keys", "words"]

DOMAIN = "speech"


def _messages(language: str) -> Mapping[str, str]:
    return messages(language, DOMAIN)


def words(key: str, language: str, **fields: object) -> str:
    """The spoken words for `key`; a missing key raises KeyError (a test finds it)."""
    template = _messages(language)[key]
    return template.format(**fields) if fields else template


def keys(language: str) -> frozenset[str]:
    return frozenset(_messages(language))

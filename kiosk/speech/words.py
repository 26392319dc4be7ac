"""The spoken words: a catalogue domain of their own, `speech`.

`kiosk/words/locale/<language>/LC_MESSAGES/speech.po`, read as kiosk.words.catalogue reads
the kiosk's own (compiled to the .mo beside it on first use). A domain apart because words
for the ear are not the screen's words: no symbols, no layout, numbers already worded, and a
translator can tune them without touching the screens' catalogue.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from kiosk.words.catalogue import DEFAULT_LANGUAGE, LANGUAGES, LOCALE, compile_po, read_mo

__all__ = ["DOMAIN", "compile_speech_words", "keys", "words"]

DOMAIN = "speech"


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def _messages(language: str) -> Mapping[str, str]:
    po = po_path(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
            return read_mo(mo.read_bytes())
    except FileNotFoundError:
        pass
    return read_mo(compile_po(po, mo))


def words(key: str, language: str, **fields: object) -> str:
    """The spoken words for `key`; a missing key raises KeyError (a test finds it)."""
    template = _messages(language)[key]
    return template.format(**fields) if fields else template


def keys(language: str) -> frozenset[str]:
    return frozenset(_messages(language))


def compile_speech_words() -> None:
    """The build step (scripts/setup.sh compiles the other catalogues alike)."""
    for language in LANGUAGES:
        compile_po(po_path(language), po_path(language).with_suffix(".mo"))

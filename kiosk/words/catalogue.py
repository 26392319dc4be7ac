"""The catalogue: gettext .po files (what translators edit), read fast through their .mo.

`locale/<language>/LC_MESSAGES/kiosk.po` holds every word a person reads; msgid is the key
the code looks up ("overview.balance"), msgstr the words. Babel reads a .po in 25-40 ms,
too slow for every start, so the first use compiles it into the .mo beside it (what
`scripts/setup.sh` does ahead of time) and every later start reads that .mo in well under a
millisecond. A .po newer than its .mo is compiled again; where the package folder cannot be
written (a read-only install) the compiled words are kept in memory for that run.
"""

from __future__ import annotations

import functools
import io
import logging
import struct
from collections.abc import Mapping
from pathlib import Path

from printing.atomic_file import write_atomically

log = logging.getLogger(__name__)

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "kiosk"  # the screens' and slips' words; the certificate and speech have their own
DOMAINS = ("kiosk", "certificate", "speech")
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_MO_MAGIC = 0x950412DE


def po_path(language: str, domain: str = DOMAIN) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def messages(language: str, domain: str = DOMAIN) -> Mapping[str, str]:
    """key -> words for `language` ("zh" for any language the kiosk does not speak), from
    catalogue `domain`."""
    po = po_path(language if language in LANGUAGES else DEFAULT_LANGUAGE, domain)
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
            return read_mo(mo.read_bytes())
    except FileNotFoundError:
        pass
    return read_mo(compile_po(po, mo))


def text(key: str, language: str, **fields: object) -> str:
    """The words for `key` in `language`, with `{fields}` filled; a missing key raises
    KeyError, so an untranslated word fails a test instead of reaching the screen."""
    template = messages(language)[key]
    return template.format(**fields) if fields else template


def compile_po(po: Path, mo: Path | None = None) -> bytes:
    """The .mo bytes of `po` (through Babel), written to `mo` when that is possible."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    compiled = buffer.getvalue()
    if mo is not None:
        try:
            write_atomically(mo, compiled, mode=0o644)  # the words are not secret
        except OSError as error:
            log.info("words: %s not written (%s); compiled in memory", mo, error)
    return compiled


def compile_all() -> list[Path]:
    """Compile every domain's and language's .po into its .mo (the build step); the .mo
    paths."""
    written = []
    for domain in DOMAINS:
        for language in LANGUAGES:
            po = po_path(language, domain)
            compile_po(po, po.with_suffix(".mo"))
            written.append(po.with_suffix(".mo"))
    return written


def read_mo(data: bytes) -> dict[str, str]:
    """A GNU .mo file's messages (the header entry left out)."""
    order = "<" if struct.unpack_from("<I", data)[0] == _MO_MAGIC else ">"
    magic, _revision, count, ids_at, strings_at = struct.unpack_from(f"{order}5I", data)
    if magic != _MO_MAGIC:
        raise ValueError("not a GNU .mo file")

    def entry(table: int, index: int) -> str:
        length, offset = struct.unpack_from(f"{order}2I", data, table + 8 * index)
        return data[offset : offset + length].decode("utf-8")

    pairs = ((entry(ids_at, i), entry(strings_at, i)) for i in range(count))
    return {key: words for key, words in pairs if key}

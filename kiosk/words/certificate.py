"""The certificate's and the verification page's words: a catalogue domain of their own.

`locale/<language>/LC_MESSAGES/certificate.po`, read as kiosk.words.catalogue reads the
kiosk's own (compiled to the .mo beside it on first use). A domain apart so the certificate
can be worded, and translated, without touching the screens' catalogue; printing is handed
the words in `CertificateData.words`, as it is a receipt's.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping

from kiosk.domain import BaseBand, CertificateWords, EnrolmentStatus, InsuranceType
from kiosk.words.catalogue import messages

__all__ = ["certificate_words", "words"]

DOMAIN = "certificate"


def _messages(language: str) -> Mapping[str, str]:
    return messages(language, DOMAIN)


def words(key: str, language: str, **fields: object) -> str:
    """The words for `key` in `language`; a missing key raises KeyError (a test finds it)."""
    template = _messages(language)[key]
    return template.format(**fields) if fields else template


@functools.cache
def certificate_words(language: str) -> CertificateWords:
    """Every word of a certificate in `language`, for `CertificateData.words`."""
    other = "en" if language == "zh" else "zh"
    special = ("subtitle", "types", "statuses", "bands")
    plain = {
        field.name: words(f"certificate.{field.name}", language)
        for field in dataclasses.fields(CertificateWords)
        if field.name not in special
    }
    return CertificateWords(
        **plain,
        subtitle=words("certificate.title", other),
        types={kind: words(f"type.{kind.value}", language) for kind in InsuranceType},
        statuses={s: words(f"status.{s.value}", language) for s in EnrolmentStatus},
        bands={band: words(f"band.{band.value}", language) for band in BaseBand},
    )

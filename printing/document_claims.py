"""What a printed certificate or receipt claims, as the facts its digest covers and its QR URL.

A slip's facts are short `key=value` texts, exactly as printed (masked, in the store's codes
rather than words, so zh and en slips of the same facts agree). The store keeps an HMAC
over them (kiosk.store.printed_documents); the QR carries them in a URL to the verification
service, `<base>/c/<CODE>?k=<key id>&s=...` for a certificate and `<base>/r/<CODE>?...` for a
receipt, so the service can say whether a slip reads as it was printed: change one figure in
the URL (or on the paper, then compare) and the digest no longer matches.

The receipt's URL also carries serial, time and balance, so staff's offline check
(`kiosk receipt verify`, printing.verification) reads the same QR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from kiosk.domain import CertificateData, ReceiptData
from kiosk.masking import mask_citizen_id
from printing.qr import QUIET_ZONE, Matrix

CERTIFICATE = "certificate"
RECEIPT = "receipt"
PATHS = {CERTIFICATE: "c", RECEIPT: "r"}
KINDS = {path: kind for kind, path in PATHS.items()}
# The facts of each kind, in the order the digest takes them.
FIELDS = {
    CERTIFICATE: ("s", "t", "i", "ty", "from", "st", "y", "my", "mt", "b", "u", "uc"),
    RECEIPT: ("s", "t", "i", "b", "q", "c", "h", "f"),
}
TIME_FORMAT = "%Y%m%d%H%M%S"
MAX_VALUE = 1800  # characters of one fact: a receipt's 50 history lines are the longest
_CODE = re.compile(r"[A-Z2-7]{12}")
_SAFE = "-_.~*:/,"  # left as they are in the URL: a masked ID's stars, a figure's signs
# A thermal printer's dots are 1/203 inch: a module of 3 dots still reads on a phone.
MODULE_MM = 3 * 25.4 / 203

Facts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DocumentClaim:
    """What a URL (or a slip) claims: checked against the store's digest."""

    kind: str  # certificate / receipt
    code: str  # 12 base32 letters
    key_id: int
    facts: Facts

    def value(self, key: str) -> str:
        return dict(self.facts).get(key, "")


def certificate_facts(data: CertificateData) -> Facts:
    start = data.enrolment_start.strftime("%Y-%m") if data.enrolment_start else ""
    values = (
        data.serial,
        data.printed_at.strftime(TIME_FORMAT),
        mask_citizen_id(data.citizen_id, data.masking),
        data.insurance_type.value,
        start,
        data.status.value,
        str(data.year),
        str(data.months_this_year),
        str(data.months_total),
        data.base_band.value,
        data.unit_name,
        data.unit_code,
    )
    return _checked(tuple(zip(FIELDS[CERTIFICATE], values, strict=True)))


def receipt_facts(data: ReceiptData) -> Facts:
    quota = data.quota
    last = data.last_contribution
    contribution = f"{last.period:%Y%m}:{last.to_personal_account:.2f}" if last else ""
    lines = ",".join(f"{e.amount:.2f}/{e.balance_after:.2f}" for e in data.entries)
    flagged = ",".join(f"{c.entry.posted_at:%Y%m%d%H%M}/{c.entry.amount:.2f}" for c in data.flagged)
    values = (
        data.serial,
        data.printed_at.strftime(TIME_FORMAT),
        mask_citizen_id(data.citizen_id, data.masking),
        f"{data.balance:.2f}",
        f"{quota.year}:{quota.used:.2f}:{quota.left:.2f}",
        contribution,
        lines,
        flagged,
    )
    return _checked(tuple(zip(FIELDS[RECEIPT], values, strict=True)))


def facts_text(facts: Facts) -> str:
    """The facts as the digest takes them: one `key=value` line each, in FIELDS order."""
    return "\n".join(f"{key}={value}" for key, value in facts)


def document_url(base_url: str, claim: DocumentClaim) -> str:
    """The QR's URL: the code in the path, the key id and every fact in the query."""
    pairs = (("k", str(claim.key_id)), *claim.facts)
    query = "&".join(f"{key}={quote(value, safe=_SAFE)}" for key, value in pairs)
    return f"{base_url.rstrip('/')}/{PATHS[claim.kind]}/{claim.code}?{query}"


def qr_side_mm(matrix: Matrix, minimum_mm: float) -> float:
    """How large to print a QR `matrix`: at least `minimum_mm`, and 3 dots a module (with
    the quiet zone) however many figures the address carries (a receipt of 50 entries)."""
    return max(minimum_mm, (len(matrix) + 2 * QUIET_ZONE) * MODULE_MM)


def claim_from_query(path_kind: str, code: str, query: Mapping[str, str]) -> DocumentClaim:
    """The claim of a request `/<c|r>/<code>?...`; ValueError when it is not one of ours."""
    kind = KINDS.get(path_kind)
    code = code.strip().replace("-", "").upper()
    if kind is None or not _CODE.fullmatch(code):
        raise ValueError("not a document address (expected /c/CODE or /r/CODE)")
    key_text = query.get("k", "")
    if not key_text.isascii() or not key_text.isdigit() or not 0 < int(key_text) < 1_000_000:
        raise ValueError("the address lacks its key id")
    facts = tuple((key, query.get(key, "")) for key in FIELDS[kind])
    return DocumentClaim(kind, code, int(key_text), _checked(facts))


def claim_from_url(url: str) -> DocumentClaim:
    """The claim in a scanned QR URL (any host: the slip names its own service)."""
    from urllib.parse import parse_qsl

    parts = urlsplit(url.strip())
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or len(segments) < 2:
        raise ValueError("not a document address (expected https://.../c/CODE?...)")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return claim_from_query(segments[-2], segments[-1], query)


def _checked(facts: Facts) -> Facts:
    for key, value in facts:
        if len(value) > MAX_VALUE or any(ch in value for ch in "\n\r\x00"):
            raise ValueError(f"fact {key} is too long or holds a line break")
    return facts

"""The receipt's verification code: an HMAC a kiosk's staff can check, and the QR payload.

The code is HMAC-SHA256 (per-kiosk key) over the serial, the print time, the card hash and
the balance, cut to 60 bits and written as 12 base32 letters in groups of four. The QR carries
`SSR1|serial|time|balance|code`, so a scanner gives staff everything but the card hash, which
they get from the kiosk's receipt journal or from the card itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

PAYLOAD_PREFIX = "SSR1"
TIME_FORMAT = "%Y%m%d%H%M%S"
CODE_LETTERS = 12  # 60 bits: forging one blindly takes ~10^18 tries
_CODE_RE = re.compile(r"[A-Z2-7]{12}")
_MONEY_RE = re.compile(r"-?\d+\.\d{2}")


@dataclass(frozen=True)
class ReceiptClaim:
    """What a printed slip claims: checked against the code with the kiosk's key."""

    serial: str
    printed_at: datetime
    balance: Decimal
    code: str  # normalised: 12 base32 letters, no dashes


def make_code(
    key: bytes, serial: str, printed_at: datetime, card_hash: str, balance: Decimal
) -> str:
    """The code as printed: `ABCD-EFGH-JKLM`."""
    return group(_raw_code(key, serial, printed_at, card_hash, balance))


def verify_code(key: bytes, claim: ReceiptClaim, card_hash: str) -> bool:
    """True when the claim's code is the one this key makes for it and this card."""
    expected = _raw_code(key, claim.serial, claim.printed_at, card_hash, claim.balance)
    return hmac.compare_digest(expected, claim.code)


def qr_payload(serial: str, printed_at: datetime, balance: Decimal, code: str) -> str:
    return "|".join(
        (
            PAYLOAD_PREFIX,
            serial,
            printed_at.strftime(TIME_FORMAT),
            f"{balance:.2f}",
            normalise(code),
        )
    )


def parse_payload(text: str) -> ReceiptClaim:
    """The claim in a scanned QR payload; ValueError when it is not one of ours.

    A slip printed with the verification service has its URL in the QR instead
    (printing.document_claims): it carries the same serial, time, balance and code."""
    if text.strip().lower().startswith(("http://", "https://")):
        return _claim_in_url(text)
    parts = text.strip().split("|")
    if len(parts) != 5 or parts[0] != PAYLOAD_PREFIX:
        raise ValueError("not a receipt QR payload (expected SSR1|serial|time|balance|code)")
    _, serial, stamp, balance_text, code = parts
    try:
        printed_at = datetime.strptime(stamp, TIME_FORMAT)
        balance = Decimal(balance_text)
    except (ValueError, InvalidOperation):
        raise ValueError("the payload's time or balance is malformed") from None
    code = normalise(code)
    if not serial or not _CODE_RE.fullmatch(code) or not _MONEY_RE.fullmatch(balance_text):
        raise ValueError("the payload's serial, balance or code is malformed")
    return ReceiptClaim(serial, printed_at, balance, code)


def normalise(code: str) -> str:
    """Upper case without spaces or dashes, as staff may type it."""
    return re.sub(r"[\s-]", "", code).upper()


def group(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _raw_code(
    key: bytes, serial: str, printed_at: datetime, card_hash: str, balance: Decimal
) -> str:
    message = "|".join(
        ("v1", serial, printed_at.strftime(TIME_FORMAT), card_hash, f"{balance:.2f}")
    ).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LETTERS]


def _claim_in_url(text: str) -> ReceiptClaim:
    from printing.document_claims import RECEIPT, claim_from_url

    claim = claim_from_url(text)
    if claim.kind != RECEIPT:
        raise ValueError("a certificate's address: check it with the verification service")
    parts = (PAYLOAD_PREFIX, claim.value("s"), claim.value("t"), claim.value("b"), claim.code)
    return parse_payload("|".join(parts))

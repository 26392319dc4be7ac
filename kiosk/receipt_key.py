"""The receipt key: 32 secret bytes under data_dir that sign every slip's QR code.

It is made once and kept: a slip can be verified only with the key it was printed with. How
it is kept (durably, 0600; a damaged one moved aside as `receipt-key.damaged-<when>`,
replaced, and noticed until that file is deleted) is kiosk/secret_file.py, shared with the
card pseudonym key (kiosk/pseudonym_key.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kiosk import secret_file
from kiosk.secret_file import KEY_BYTES, Secret, SecretFile, SecretFileError

__all__ = [
    "DAMAGED_PREFIX",
    "KEY_BYTES",
    "KEY_NAME",
    "RECEIPT_KEY",
    "ReceiptKey",
    "ReceiptKeyError",
    "damage_notice",
    "load_or_create",
]

KEY_NAME = "receipt-key"


class ReceiptKeyError(SecretFileError):
    """The receipt key can be neither read nor made (a full disk, a folder in its place)."""


RECEIPT_KEY = SecretFile(
    KEY_NAME,
    "receipt key",
    "receipts printed before cannot be verified with this kiosk",
    ReceiptKeyError,
)
DAMAGED_PREFIX = RECEIPT_KEY.damaged_prefix
ReceiptKey = Secret


def load_or_create(data_dir: Path, now: Callable[[], datetime] = datetime.now) -> ReceiptKey:
    """The key in data_dir/receipt-key, made now if it is missing or damaged.

    Raises ReceiptKeyError when it can be neither read nor written; nothing is left behind
    then (no 0-byte key), so the next try, once the disk has room, simply makes it.
    """
    return secret_file.load_or_create(RECEIPT_KEY, data_dir, now)


def damage_notice(data_dir: Path) -> str:
    """The maintenance notice for the newest receipt key moved aside, or "" if none."""
    return secret_file.damage_notice(RECEIPT_KEY, data_dir)

"""The card pseudonym key: 32 random bytes of this installation under data_dir.

Audit rows written by the kiosk (the embedded SQLite store, a PostgreSQL store reached with
an owner or admin role, the local outbox) and the receipt journal name a card only by its
pseudonym, `kiosk.store.audit.card_hash`: an HMAC-SHA-256 of the card number under this key.
Whoever lacks the key cannot map a pseudonym back, even with a list of every card number
(there are only about 2.6 billion, a letter and 8 digits: any unkeyed or source-keyed hash
of them is reversed in an hour). The same card has the same pseudonym throughout one
installation, so an operator can follow one card in a kiosk's rows; another installation
has another key, so its pseudonyms are different. A kiosk role on the fleet store computes
none for the store: the server's kiosk_api functions key its audit rows with the server's
own secret, and its outbox holds no card-derived value at all.

It is made at set-up or on first use (data_dir/pseudonym-key, 0600, written atomically)
and kept like the receipt key (kiosk/secret_file.py): a damaged one is moved aside as
`pseudonym-key.damaged-<when>`, replaced with a warning, and noticed on the maintenance
screen until that file is deleted.

The key sits on the same disk as the outbox and the journal: it protects them from anyone
who sees the rows (an operator, a copy of the audit table, a backup), not from the thief of
the whole disk (encrypt it, docs/security.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kiosk import secret_file
from kiosk.secret_file import KEY_BYTES, Secret, SecretFile, SecretFileError

__all__ = [
    "KEY_BYTES",
    "PSEUDONYM_KEY",
    "PSEUDONYM_KEY_NAME",
    "PseudonymKey",
    "PseudonymKeyError",
    "damage_notice",
    "load_existing",
    "load_or_create",
]

log = logging.getLogger(__name__)

PSEUDONYM_KEY_NAME = "pseudonym-key"


class PseudonymKeyError(SecretFileError):
    """The pseudonym key can be neither read nor made (a full disk, a folder in its place)."""


PSEUDONYM_KEY = SecretFile(
    PSEUDONYM_KEY_NAME,
    "pseudonym key",
    "cards in audit rows and receipt journal lines from before it cannot be matched with"
    " those after, and slips printed before can be verified only from the receipt journal,"
    " not with --card-number",
    PseudonymKeyError,
)


def load_or_create(data_dir: Path, now: Callable[[], datetime] = datetime.now) -> Secret:
    """The key in data_dir/pseudonym-key, made now if it is missing or damaged; raises
    PseudonymKeyError when it can be neither read nor written (nothing is left behind)."""
    return secret_file.load_or_create(PSEUDONYM_KEY, data_dir, now)


def load_existing(data_dir: Path) -> bytes:
    """The key as the kiosk made it, never made here; PseudonymKeyError when it is missing
    or damaged (`kiosk receipt verify --card-number`: a new key would match nothing)."""
    return secret_file.load_existing(PSEUDONYM_KEY, data_dir)


def damage_notice(data_dir: Path) -> str:
    """The maintenance notice for the newest pseudonym key moved aside, or "" if none."""
    return secret_file.damage_notice(PSEUDONYM_KEY, data_dir)


class PseudonymKey:
    """This installation's pseudonym key: given, or read (made) from `key_dir` on first need,
    so a kiosk whose disk cannot take the key yet keeps serving and tries again later."""

    def __init__(self, key_dir: Path | None = None, key: bytes | None = None) -> None:
        if key is None and key_dir is None:
            raise ValueError("a key or a key_dir")
        if key is not None and len(key) != KEY_BYTES:
            raise ValueError(f"a pseudonym key is {KEY_BYTES} bytes")
        self.key_dir = key_dir
        self._secret = Secret(key) if key is not None else None
        self._problem = ""
        self._lock = threading.Lock()

    @property
    def key(self) -> bytes:
        """The key; PseudonymKeyError when it can be neither read nor made yet."""
        with self._lock:
            if self._secret is None:
                if self.key_dir is None:  # the constructor refuses this; mypy cannot see it
                    raise PseudonymKeyError("no pseudonym key and no folder to make one in")
                self._secret = load_or_create(self.key_dir)
            return self._secret.key

    @property
    def notice(self) -> str:
        """For the maintenance screen: the key was found damaged and replaced (operator
        words, no key bytes), or "" when it is sound or not loaded yet."""
        secret = self._secret
        return secret.notice if secret is not None else ""

    def problem(self) -> str:
        """Load (make) the key now; why it cannot be, in operator words (logged as a warning
        once, not at every try), or ""."""
        try:
            _ = self.key
        except PseudonymKeyError as error:
            if str(error) != self._problem:
                log.warning("card pseudonyms cannot be made: %s", error)
            self._problem = str(error)
            return self._problem
        self._problem = ""
        return ""

"""The service password (服务密码): how it is kept, and how a kiosk proves it without sending it.

Set at the counter: a random 16-byte salt, scrypt with the parameters kiosk/admin_pin.py
insists on (N=2^15, r=8, p=1: about a tenth of a second and 32 MiB a guess), and only
`stored_key` = SHA-256(scrypt key) is kept. To prove it, the kiosk derives the scrypt key
itself and sends `proof` = scrypt key XOR HMAC-SHA-256(stored_key, nonce) for a one-time
nonce the store chose (SCRAM's ClientProof, RFC 5802, with scrypt as the slow function).
The store recovers the scrypt key as proof XOR HMAC(stored_key, nonce) and compares its
SHA-256 with stored_key. So the password never leaves the kiosk, a proof is worthless
once its nonce is spent, and a copy of the store still costs scrypt work per guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from kiosk.store.models import TABLES

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # kiosk/admin_pin.py's floor
SALT_BYTES = 16
KEY_BYTES = 32
_MAXMEM = 2**28
PASSWORD_DIGITS = 6  # the usual 服务密码 is six digits

_PASSWORD = TABLES["service_password"]
_TRY = TABLES["service_password_try"]


class PasswordFormatError(ValueError):
    """A service password is six digits (the message never repeats it)."""


@dataclass(frozen=True)
class Challenge:
    """What the store hands the kiosk before a try: scrypt's inputs and a one-time nonce."""

    nonce: bytes
    salt: bytes
    n: int
    r: int
    p: int


def check_format(password: bytes | bytearray) -> None:
    if len(password) != PASSWORD_DIGITS or not bytes(password).isdigit():
        raise PasswordFormatError(f"a service password is {PASSWORD_DIGITS} digits")


def client_key(password: bytes | bytearray, salt: bytes, n: int, r: int, p: int) -> bytes:
    """The slow part, done where the password is typed."""
    return hashlib.scrypt(
        bytes(password), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=_MAXMEM
    )


def stored_key(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


def proof(password: bytes | bytearray, challenge: Challenge) -> bytes:
    """What the kiosk sends: the scrypt key, masked by the nonce's HMAC."""
    key = client_key(password, challenge.salt, challenge.n, challenge.r, challenge.p)
    signature = hmac.new(stored_key(key), challenge.nonce, hashlib.sha256).digest()
    return bytes(a ^ b for a, b in zip(key, signature, strict=True))


def proof_matches(stored: bytes, nonce: bytes, sent: bytes) -> bool:
    """The store's check (the same as kiosk_api.loss_report_answer's)."""
    if len(sent) != KEY_BYTES:
        return False
    signature = hmac.new(stored, nonce, hashlib.sha256).digest()
    key = bytes(a ^ b for a, b in zip(sent, signature, strict=True))
    return hmac.compare_digest(stored_key(key), stored)


def unenrolled_salt(key: bytes, citizen_id: str) -> bytes:
    """The salt a challenge shows for an ID without a password: stable, and like a real one."""
    message = ("salt:" + citizen_id.strip().upper()).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).digest()[:SALT_BYTES]


def citizen_ref(key: bytes, citizen_id: str) -> str:
    """The citizen ID's pseudonym (the server's citizen_ref_of on the fleet store)."""
    message = ("citizen:" + citizen_id.strip().upper()).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def password_values(password: bytes | bytearray, salt: bytes | None = None) -> dict[str, object]:
    """The service_password columns for `password` (a fresh random salt unless given)."""
    check_format(password)
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = client_key(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return {
        "salt": salt.hex(),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "stored_key": stored_key(key).hex(),
    }


def set_password(
    connection: Connection, person_id: int, password: bytes | bytearray, now: datetime
) -> None:
    """Keep a new password for the person (the counter's command); the old one is gone."""
    values = {**password_values(password), "set_at": now}
    found = connection.execute(
        update(_PASSWORD).where(_PASSWORD.c.person_id == person_id).values(**values)
    )
    if found.rowcount == 0:
        connection.execute(insert(_PASSWORD).values(person_id=person_id, **values))


def clear_tries(connection: Connection, ref: str) -> None:
    """A password set at the counter starts with no wrong tries and no lock."""
    connection.execute(delete(_TRY).where(_TRY.c.citizen_ref == ref))


def stored_for(connection: Connection, person_id: int) -> tuple[Challenge, bytes] | None:
    """(scrypt's inputs with an empty nonce, stored_key) for the person, if enrolled."""
    row = connection.execute(select(_PASSWORD).where(_PASSWORD.c.person_id == person_id)).first()
    if row is None:
        return None
    return Challenge(b"", bytes.fromhex(row.salt), row.n, row.r, row.p), bytes.fromhex(
        row.stored_key
    )

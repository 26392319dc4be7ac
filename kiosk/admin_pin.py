"""The maintenance PIN: kept only as a salted scrypt hash in kiosk.toml, with parameters too
costly to try every 6-12 digit PIN quickly, and guarded by a lock that survives a restart.

The hash is `scrypt$N$r$p$salt$digest` (salt and digest URL-safe base64). The loader refuses
a hash weaker than `hash_weakness` allows (kiosk/config.py), `kiosk doctor` refuses the demo
PIN outside a demo (kiosk/doctor.py).

The lock (`AdminPinLockout`): after `free_failures` wrong PINs in a row the pad is locked
for `first_delay_seconds`, and every further wrong PIN doubles it, up to
`max_delay_seconds` (30 s, 60 s, 2 min ... 1 h). An attempt counts as wrong from the moment
it is made until it is proved right, so pulling the plug during the check gains nothing.
The state lives in a small file under data_dir (`LOCK_FILE_NAME`): the failures in a row
and the lock left at the wall-clock time it was written. After a restart the time since
then is taken off, but a wall clock that went backwards takes nothing off, and a file that
cannot be read counts as a fresh lock of the first delay, never as no lock. Plain Python,
clocks injected; nothing here ever sees a PIN except `verify_admin_pin`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.backoff import doubling_delay
from kiosk.config_file import UnreadableFile, decode_text, read_regular_file
from printing.atomic_file import write_atomically

_N, _R, _P = 2**15, 8, 1
# What the loader accepts: N a power of two from 2^15 (2^14 takes a GPU ~1 s per million
# guesses; 6-digit PINs are only a million) to 2^20, r 8-32, p 1-4, at most 128 MiB of
# scrypt memory (128*N*r bytes), a salt of 16 bytes or more and a digest of 32 to 64.
MIN_N, MAX_N = 2**15, 2**20
R_RANGE, P_RANGE = (8, 32), (1, 4)
MAX_SCRYPT_BYTES = 2**27
MIN_SALT_BYTES, MIN_DIGEST_BYTES, MAX_DIGEST_BYTES = 16, 32, 64
_MAXMEM = 2 * MAX_SCRYPT_BYTES  # OpenSSL's own bound: the V array plus the B blocks

DEMO_ADMIN_PIN = "246810"  # the repository's kiosk.toml and the demo use it; never production
LOCK_FILE_NAME = "admin-pin-lock.json"
LOCK_FILE_BYTES = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class ScryptHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def parse_hash(stored: str) -> ScryptHash:
    """The parts of `scrypt$N$r$p$salt$digest`; ValueError when it has not that form."""
    scheme, n, r, p, salt, digest = stored.split("$")  # ValueError: not six parts
    if scheme != "scrypt" or not all(part.isdigit() for part in (n, r, p)):
        raise ValueError("not an scrypt hash")
    try:
        return ScryptHash(int(n), int(r), int(p), _unb64(salt), _unb64(digest))
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("salt or digest is not base64") from None


def hash_weakness(stored: str) -> str | None:
    """What is wrong with a stored hash, as a config error says it (None: strong enough).

    Never echoes the hash itself."""
    try:
        found = parse_hash(stored)
    except ValueError:
        return "an scrypt hash made by `kiosk admin-pin-hash`"
    remake = ": make a new one with `kiosk admin-pin-hash`"
    problems = []
    if not MIN_N <= found.n <= MAX_N or found.n & (found.n - 1):
        problems.append(f"N a power of two from 2^15 to 2^20 (this hash has N={found.n})")
    if not R_RANGE[0] <= found.r <= R_RANGE[1]:
        problems.append(f"r from {R_RANGE[0]} to {R_RANGE[1]} (this hash has r={found.r})")
    if not P_RANGE[0] <= found.p <= P_RANGE[1]:
        problems.append(f"p from {P_RANGE[0]} to {P_RANGE[1]} (this hash has p={found.p})")
    if 128 * found.n * found.r > MAX_SCRYPT_BYTES:
        problems.append("at most 128 MiB of scrypt memory (128*N*r bytes)")
    if len(found.salt) < MIN_SALT_BYTES:
        problems.append(f"a salt of {MIN_SALT_BYTES} bytes or more ({len(found.salt)} here)")
    if not MIN_DIGEST_BYTES <= len(found.digest) <= MAX_DIGEST_BYTES:
        problems.append(
            f"a digest of {MIN_DIGEST_BYTES} to {MAX_DIGEST_BYTES} bytes ({len(found.digest)} here)"
        )
    return "a strong scrypt hash: " + "; ".join(problems) + remake if problems else None


def hash_admin_pin(pin: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$digest`, the form kiosk.toml's admin.pin_hash expects."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=_MAXMEM
    )
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_admin_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; a malformed or weak hash never matches."""
    if hash_weakness(stored) is not None:
        return False
    found = parse_hash(stored)
    try:
        actual = hashlib.scrypt(
            pin.encode("ascii"),
            salt=found.salt,
            n=found.n,
            r=found.r,
            p=found.p,
            dklen=len(found.digest),
            maxmem=_MAXMEM,
        )
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(actual, found.digest)


def is_demo_hash(stored: str) -> bool:
    """The hash opens maintenance with the demo PIN (whatever its salt)."""
    return bool(stored) and verify_admin_pin(DEMO_ADMIN_PIN, stored)


# -- the lock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    free_failures: int = 3  # the wrong PIN that reaches this count locks the pad
    first_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.free_failures < 1:
            raise ValueError("free_failures >= 1")
        if not 0 < self.first_delay_seconds <= self.max_delay_seconds:
            raise ValueError("0 < first_delay_seconds <= max_delay_seconds")

    def delay_after(self, failures: int) -> float:
        """The lock once `failures` wrong PINs in a row are counted (0: none)."""
        return doubling_delay(
            failures, self.free_failures, self.first_delay_seconds, self.max_delay_seconds
        )


class DamagedLockFile(Exception):
    """The lock file is there but cannot be read as one (it then counts as locked)."""


@dataclass(frozen=True)
class LockRecord:
    """What the lock file holds: no PIN, no person, only counts and times."""

    failures: int  # wrong PINs in a row (an attempt not yet proved right counts)
    locked_seconds: float  # the lock left when the record was written
    written_at: float  # the wall clock then, in seconds since the epoch

    def to_text(self) -> str:
        return json.dumps(
            {
                "failures": self.failures,
                "locked_seconds": self.locked_seconds,
                "written_at": self.written_at,
            }
        )

    @classmethod
    def from_text(cls, text: str) -> LockRecord:
        try:
            raw = json.loads(text)
            failures, locked, written = raw["failures"], raw["locked_seconds"], raw["written_at"]
        except (ValueError, TypeError, KeyError, RecursionError):
            raise DamagedLockFile("not a lock record") from None
        numbers_ok = all(
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            for value in (failures, locked, written)
        )
        if not numbers_ok or not isinstance(failures, int) or failures < 0 or locked < 0:
            raise DamagedLockFile("values out of range")
        return cls(failures, float(locked), float(written))


def read_lock_file(path: Path) -> LockRecord | None:
    """The record in `path`; None when there is no file; DamagedLockFile otherwise."""
    try:
        text = decode_text(read_regular_file(path, LOCK_FILE_BYTES))
    except UnreadableFile as error:
        if not path.exists() and not path.is_symlink():
            return None
        raise DamagedLockFile(error.expected) from None
    return LockRecord.from_text(text)


def write_lock_file(path: Path, record: LockRecord) -> None:
    write_atomically(path, record.to_text() + "\n", mode=0o600)


class AdminPinLockout:
    """Counts wrong admin PINs in a row and says how long the pad stays locked.

    Within a run it counts on the monotonic clock; the wall clock only places the record
    written for the next run (see the module's words)."""

    def __init__(
        self,
        policy: LockoutPolicy | None = None,
        *,
        monotonic: Callable[[], float],
        wall: Callable[[], float],
    ) -> None:
        self.policy = policy or LockoutPolicy()
        self._monotonic = monotonic
        self._wall = wall
        self.failures = 0
        self._until = -math.inf  # monotonic

    def restore(self, record: LockRecord | None, damaged: bool = False) -> None:
        """Take up where the last run stopped (a damaged record: the first lock, afresh)."""
        now = self._monotonic()
        if damaged:
            self.failures = self.policy.free_failures
            self._until = now + self.policy.first_delay_seconds
            return
        if record is None:
            self.failures, self._until = 0, -math.inf
            return
        elapsed = max(0.0, self._wall() - record.written_at)  # backwards: nothing passed
        locked = min(record.locked_seconds, self.policy.max_delay_seconds)
        self.failures = record.failures
        self._until = now + max(0.0, locked - elapsed)

    def locked_for(self) -> float:
        """Seconds the pad stays locked (0.0: open)."""
        return max(0.0, self._until - self._monotonic())

    def attempt(self) -> LockRecord:
        """An attempt begins: it counts as wrong (and locks) until `succeeded` says not.

        Returns the record to save before the PIN is checked."""
        self.failures += 1
        delay = self.policy.delay_after(self.failures)
        if delay:
            self._until = self._monotonic() + delay
        return self.record()

    def succeeded(self) -> LockRecord:
        """The PIN was right: no failures, no lock. Returns the record to save."""
        self.failures, self._until = 0, -math.inf
        return self.record()

    def record(self) -> LockRecord:
        return LockRecord(self.failures, self.locked_for(), self._wall())

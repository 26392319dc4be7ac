"""A secret of 32 random bytes under data_dir, made once and kept: the receipt key
(kiosk/receipt_key.py) and the card pseudonym key (kiosk/pseudonym_key.py).

Such a key is worth what was made with it (slips signed, pseudonyms written), so it is
written durably (temporary file, fsync, rename, fsync of the folder, 0600), and a key file
that is not a key (0 bytes or truncated by a full disk or a power cut under old code, or
mangled by hand) is moved aside and replaced, never a crash at every start. The replacement
is remembered by the file moved aside, `<name>.damaged-<when>`, so the maintenance screen
says so after any number of restarts; deleting that file clears it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from printing.atomic_file import write_atomically

log = logging.getLogger(__name__)

KEY_BYTES = 32
# Not "T" before the time: the log redactor would take its six digits for a PIN.
_DAMAGED_STAMP = "%Y%m%d-%H%M%S"


class SecretFileError(RuntimeError):
    """A secret file can be neither read nor made (a full disk, a folder in its place)."""


@dataclass(frozen=True)
class SecretFile:
    """Which secret: its file name under data_dir, its name in operator words, what its
    replacement costs (operator words, for the notice and the log) and the error it raises."""

    name: str
    what: str
    replaced_means: str
    error: type[SecretFileError] = SecretFileError

    @property
    def damaged_prefix(self) -> str:
        return f"{self.name}.damaged-"

    def damaged_name(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.damaged_prefix) + r"(\d{8}-\d{6})(?:-\d+)?$")


@dataclass(frozen=True)
class Secret:
    key: bytes = b""
    # Operator words when the key was found damaged and replaced; "" when all is well.
    notice: str = ""


def load_or_create(
    spec: SecretFile, data_dir: Path, now: Callable[[], datetime] = datetime.now
) -> Secret:
    """The key in data_dir/<spec.name>, made now if it is missing or damaged.

    Raises spec.error when it can be neither read nor written; nothing is left behind then
    (no 0-byte key), so the next try, once the disk has room, simply makes it.
    """
    path = data_dir / spec.name
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with _locked(data_dir / f".{spec.name}.lock"):  # two processes never make two keys
            key = _read(spec, path)
            if key is not None and len(key) == KEY_BYTES:
                return Secret(key, damage_notice(spec, data_dir))
            if key is not None:
                _move_aside(spec, path, len(key), now())
            key = secrets.token_bytes(KEY_BYTES)
            write_atomically(path, key, mode=0o600)
            _sync_folder(data_dir)
    except OSError as error:
        raise spec.error(
            f"{spec.what} not made in {data_dir}: {error.strerror or type(error).__name__}"
            " (nothing was left behind; it is made as soon as the disk has room)"
        ) from None
    log.info("new %s created in %s", spec.what, path)
    return Secret(key, damage_notice(spec, data_dir))


def load_existing(spec: SecretFile, data_dir: Path) -> bytes:
    """The key in data_dir/<spec.name> as it is, never made or replaced (for a tool that
    checks what the kiosk made: a new key would only make everything fail to match).
    Raises spec.error, in operator words, when it is missing or damaged."""
    path = data_dir / spec.name
    try:
        key = _read(spec, path)
    except OSError as error:
        raise spec.error(
            f"{spec.what} {path} unreadable: {error.strerror or type(error).__name__}"
        ) from None
    if key is None:
        raise spec.error(f"no {spec.what} at {path}")
    if len(key) != KEY_BYTES:
        raise spec.error(f"{spec.what} {path} is damaged ({len(key)} bytes, not {KEY_BYTES})")
    return key


def damage_notice(spec: SecretFile, data_dir: Path) -> str:
    """The maintenance notice for the newest key moved aside, or "" if there is none."""
    pattern = spec.damaged_name()
    newest: tuple[str, Path] | None = None
    try:
        for entry in data_dir.iterdir():
            found = pattern.match(entry.name)
            if found and (newest is None or found.group(1) > newest[0]):
                newest = (found.group(1), entry)
    except OSError:
        return ""
    if newest is None:
        return ""
    stamp, path = newest
    try:
        size = path.lstat().st_size
    except OSError:
        return ""
    when = datetime.strptime(stamp, _DAMAGED_STAMP)
    return (
        f"{spec.what} was damaged ({size} bytes) and replaced on {when:%Y-%m-%d}; "
        f"{spec.replaced_means} (old file: {path.name})"
    )


def _read(spec: SecretFile, path: Path) -> bytes | None:
    """The key file's bytes (at most one more than a key), or None when there is none."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise spec.error(f"{path} is not a regular file: remove it")
        return os.read(handle, KEY_BYTES + 1)
    finally:
        os.close(handle)


def _move_aside(spec: SecretFile, path: Path, size: int, when: datetime) -> None:
    aside = path.with_name(f"{spec.damaged_prefix}{when:{_DAMAGED_STAMP}}")
    number = 1
    while aside.exists():  # two replacements in one second (a test, or a clock step)
        number += 1
        aside = path.with_name(f"{spec.damaged_prefix}{when:{_DAMAGED_STAMP}}-{number}")
    os.replace(path, aside)  # kept, not deleted: a key that is only a byte too long is saved
    # The size only, never the bytes: even a damaged key is part of a secret.
    log.warning(
        "%s %s held %d bytes, not %d: moved aside as %s and replaced; %s",
        spec.what,
        path,
        size,
        KEY_BYTES,
        aside.name,
        spec.replaced_means,
    )


def _sync_folder(folder: Path) -> None:
    """fsync the folder, so the rename itself survives a power cut: a key lost after it was
    used would make everything made with it unverifiable."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

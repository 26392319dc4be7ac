"""The receipt key: 32 secret bytes under data_dir that sign every slip's QR code.

It is made once and kept: a slip can be verified only with the key it was printed with. So
it is written durably (temporary file, fsync, rename, fsync of the folder, 0600), and a key
file that is not a key (0 bytes or truncated by a full disk or a power cut under the old
code, or mangled by hand) is moved aside and replaced, never a crash at every start. The
replacement is remembered by the file moved aside, `receipt-key.damaged-<when>`, so the
maintenance screen says so after any number of restarts; deleting that file clears it.
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

KEY_NAME = "receipt-key"
KEY_BYTES = 32
DAMAGED_PREFIX = f"{KEY_NAME}.damaged-"
# Not "T" before the time: the log redactor would take its six digits for a PIN.
_DAMAGED_STAMP = "%Y%m%d-%H%M%S"
_DAMAGED_NAME = re.compile(re.escape(DAMAGED_PREFIX) + r"(\d{8}-\d{6})(?:-\d+)?$")


class ReceiptKeyError(RuntimeError):
    """The receipt key can be neither read nor made (a full disk, a folder in its place)."""


@dataclass(frozen=True)
class ReceiptKey:
    key: bytes = b""
    # Operator words when the key was found damaged and replaced; "" when all is well.
    notice: str = ""


def load_or_create(data_dir: Path, now: Callable[[], datetime] = datetime.now) -> ReceiptKey:
    """The key in data_dir/receipt-key, made now if it is missing or damaged.

    Raises ReceiptKeyError when it can be neither read nor written; nothing is left behind
    then (no 0-byte key), so the next try, once the disk has room, simply makes it.
    """
    path = data_dir / KEY_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with _locked(data_dir / f".{KEY_NAME}.lock"):  # two processes never make two keys
            key = _read(path)
            if key is not None and len(key) == KEY_BYTES:
                return ReceiptKey(key, damage_notice(data_dir))
            if key is not None:
                _move_aside(path, len(key), now())
            key = secrets.token_bytes(KEY_BYTES)
            write_atomically(path, key, mode=0o600)
            _sync_folder(data_dir)
    except OSError as error:
        raise ReceiptKeyError(
            f"receipt key not made in {data_dir}: {error.strerror or type(error).__name__}"
            " (nothing was left behind; it is made as soon as the disk has room)"
        ) from None
    log.info("new receipt key created in %s", path)
    return ReceiptKey(key, damage_notice(data_dir))


def damage_notice(data_dir: Path) -> str:
    """The maintenance notice for the newest key moved aside, or "" if there is none."""
    newest: tuple[str, Path] | None = None
    try:
        for entry in data_dir.iterdir():
            found = _DAMAGED_NAME.match(entry.name)
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
        f"receipt key was damaged ({size} bytes) and replaced on {when:%Y-%m-%d}; receipts "
        f"printed before cannot be verified with this kiosk (old file: {path.name})"
    )


def _read(path: Path) -> bytes | None:
    """The key file's bytes (at most one more than a key), or None when there is none."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise ReceiptKeyError(f"{path} is not a regular file: remove it")
        return os.read(handle, KEY_BYTES + 1)
    finally:
        os.close(handle)


def _move_aside(path: Path, size: int, when: datetime) -> None:
    aside = path.with_name(f"{DAMAGED_PREFIX}{when:{_DAMAGED_STAMP}}")
    number = 1
    while aside.exists():  # two replacements in one second (a test, or a clock step)
        number += 1
        aside = path.with_name(f"{DAMAGED_PREFIX}{when:{_DAMAGED_STAMP}}-{number}")
    os.replace(path, aside)  # kept, not deleted: a key that is only a byte too long is saved
    # The size only, never the bytes: even a damaged key is part of a secret.
    log.warning(
        "receipt key %s held %d bytes, not %d: moved aside as %s and replaced; slips printed "
        "before cannot be verified with this kiosk",
        path,
        size,
        KEY_BYTES,
        aside.name,
    )


def _sync_folder(folder: Path) -> None:
    """fsync the folder, so the rename itself survives a power cut: a key lost after slips
    were printed with it would make every one of them unverifiable."""
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

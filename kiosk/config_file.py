"""Reading kiosk.toml (and the store's password file) without trusting what the path names.

The file may be anything an operator or an attacker left there: a named pipe with no writer,
/dev/zero, a directory, a 10 MB log, a file saved by Windows Notepad in UTF-16. Each is
refused at once with words that say what is wrong; nothing here blocks, reads without
limit or lets a decoder's exception escape.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_CONFIG_BYTES = 256 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
# UTF-32 LE starts like UTF-16 LE, so the first test names both.
_WIDE_BOMS = {
    b"\xff\xfe": "UTF-16 or UTF-32",
    b"\xfe\xff": "UTF-16",
    b"\x00\x00\xfe\xff": "UTF-32",
}
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """What the file should have been, in words (`expected` completes "expected ...")."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _kind(mode: int) -> str:
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: Path, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes.

    The decision is made on the opened descriptor (fstat), so a file swapped between a
    check and the open cannot slip through. The stat before the open is only a courtesy:
    it spares opening a device node at all (opening some, a watchdog or a tape, acts).
    O_NONBLOCK makes opening a FIFO with no writer return at once instead of waiting.
    """
    try:
        before = os.stat(path)
    except OSError as error:
        raise UnreadableFile(f"a readable file ({_os_words(error)})") from None
    if not stat.S_ISREG(before.st_mode):
        raise UnreadableFile(f"a regular file, not {_kind(before.st_mode)}")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        handle = os.open(path, flags)
    except OSError as error:
        raise UnreadableFile(f"a readable file ({_os_words(error)})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"a regular file, not {_kind(info.st_mode)}")
        if info.st_size > limit:
            raise UnreadableFile(_too_big(limit, info.st_size))
        data = _read_at_most(handle, limit + 1)  # st_size may lie (/proc) or grow
    except OSError as error:
        raise UnreadableFile(f"a readable file ({_os_words(error)})") from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise UnreadableFile(_too_big(limit, None))
    return data


def _read_at_most(handle: int, count: int) -> bytes:
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = os.read(handle, min(left, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_big(limit: int, size: int | None) -> str:
    found = f" (this one has {size:,} bytes)" if size is not None else ""
    return f"a file of at most {limit // 1024} KiB{found}"


def _os_words(error: OSError) -> str:
    if error.errno == errno.ENXIO:  # open() on a UNIX socket
        return "a socket or a device with nothing behind it"
    return error.strerror or type(error).__name__


def decode_text(data: bytes) -> str:
    """UTF-8 text, with the BOM Windows Notepad writes accepted and dropped.

    Everything else that is not UTF-8 (UTF-16, GBK, Latin-1, a binary file) is refused
    with the line where it goes wrong, never guessed: a guessed encoding would turn a
    location's Chinese name into mojibake on every receipt.
    """
    for bom, name in _WIDE_BOMS.items():
        if data.startswith(bom):
            raise UnreadableFile(f"UTF-8 text, not {name} (save the file again as UTF-8)")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    if (nul := data.find(b"\0")) >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise UnreadableFile(
            f"UTF-8 text without NUL bytes (one at line {line}: a binary file, or UTF-16?)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise UnreadableFile(
            f"UTF-8 text (byte 0x{byte:02x} at line {line} is not UTF-8; GBK or Latin-1? "
            "save the file again as UTF-8)"
        ) from None

"""The embedded store's document keys: data_dir/document-keys/<id>.key, 32 bytes, 0600.

The newest id signs new documents (kiosk.store.printed_documents); every older key stays, so
slips it signed stay verifiable after a rotation. On PostgreSQL the keys live in the server
(kiosk_api.document_key) and none of this is used.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

FOLDER_NAME = "document-keys"
KEY_BYTES = 32
_NAME = re.compile(r"([1-9][0-9]{0,5})\.key")


class DocumentKeys:
    """The key ring in `folder` (made, 0700, when the first key is)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def under(cls, data_dir: Path) -> DocumentKeys:
        return cls(data_dir / FOLDER_NAME)

    def ids(self) -> list[int]:
        try:
            names = [p.name for p in self.folder.iterdir()]
        except FileNotFoundError:
            return []
        return sorted(int(m.group(1)) for n in names if (m := _NAME.fullmatch(n)))

    def key(self, key_id: int) -> bytes | None:
        """The key `key_id`, or None when there is none (or it is damaged)."""
        try:
            found = (self.folder / f"{key_id}.key").read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return found if len(found) == KEY_BYTES else None

    def current(self) -> tuple[int, bytes]:
        """The newest key and its id; the first is made on first need. OSError when the
        folder can be neither read nor written (a full disk)."""
        for key_id in reversed(self.ids()):
            key = self.key(key_id)
            if key is not None:
                return key_id, key
        return self._make(1)

    def rotate(self) -> int:
        """Make the next key; from now on it signs. Its id."""
        ids = self.ids()
        return self._make((ids[-1] if ids else 0) + 1)[0]

    def _make(self, key_id: int) -> tuple[int, bytes]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / f"{key_id}.key"
        key = secrets.token_bytes(KEY_BYTES)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            found = self.key(key_id)
            if found is None:
                raise OSError(f"document key {path} is damaged; move it aside") from None
            return key_id, found
        try:
            os.write(descriptor, key)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return key_id, key

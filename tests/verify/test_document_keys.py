"""The embedded installation's document keys: made once, private, rotated without loss."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.document_keys import KEY_BYTES, DocumentKeys


def test_the_first_key_is_made_on_first_need_private_to_the_kiosk(tmp_path: Path) -> None:
    keys = DocumentKeys.under(tmp_path)
    assert keys.ids() == []
    key_id, key = keys.current()
    assert (key_id, len(key)) == (1, KEY_BYTES)
    assert keys.current() == (1, key)  # kept, not made again
    assert stat.S_IMODE((tmp_path / "document-keys" / "1.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "document-keys").stat().st_mode) == 0o700


def test_rotating_makes_the_next_key_current_and_keeps_the_old_one(tmp_path: Path) -> None:
    keys = DocumentKeys.under(tmp_path)
    _, first = keys.current()
    assert keys.rotate() == 2
    key_id, second = keys.current()
    assert key_id == 2
    assert second != first
    assert keys.key(1) == first


def test_a_damaged_newest_key_is_passed_over_and_never_used(tmp_path: Path) -> None:
    keys = DocumentKeys.under(tmp_path)
    _, first = keys.current()
    (tmp_path / "document-keys" / "2.key").write_bytes(b"short")
    assert keys.key(2) is None
    assert keys.current() == (1, first)
    assert keys.key(7) is None


def test_a_folder_that_cannot_be_made_is_an_oserror(tmp_path: Path) -> None:
    (tmp_path / "document-keys").write_text("a file in its place")
    with pytest.raises(OSError):  # noqa: PT011 (FileExistsError or NotADirectoryError)
        DocumentKeys.under(tmp_path).current()

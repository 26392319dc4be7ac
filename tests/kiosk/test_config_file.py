"""Reading kiosk.toml and the store's password file without trusting the path (issue 15).
The hostile kiosk.toml files through the real CLI are in tests/faults/test_broken_config.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config
from kiosk.config_file import (
    MAX_CONFIG_BYTES,
    UnreadableFile,
    decode_text,
    read_regular_file,
)


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"#" * (MAX_CONFIG_BYTES - 1) + b"\n")
    assert len(read_regular_file(path)) == MAX_CONFIG_BYTES
    path.write_bytes(b"#" * MAX_CONFIG_BYTES + b"\n")
    with pytest.raises(UnreadableFile, match="at most 256 KiB"):
        read_regular_file(path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "kiosk.toml"
    os.mkfifo(fifo)
    done = threading.Event()

    def read() -> None:
        with pytest.raises(UnreadableFile, match="named pipe"):
            read_regular_file(fifo)
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(5), "blocked on a FIFO with no writer"


def test_a_utf8_bom_is_dropped_and_wide_encodings_are_named() -> None:
    assert decode_text(b"\xef\xbb\xbf[kiosk]\n") == "[kiosk]\n"
    with pytest.raises(UnreadableFile, match="not UTF-16"):
        decode_text("[kiosk]\n".encode("utf-16"))
    with pytest.raises(UnreadableFile, match="line 2"):
        decode_text(b"[kiosk]\nlocation = '\xe9'\n")


def test_a_notepad_file_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'\xef\xbb\xbf[kiosk]\nid = "notepad"\n')
    assert load_config(path).kiosk.id == "notepad"


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "big"])
def test_a_password_file_that_is_no_small_file_is_a_config_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.delenv("KIOSK_DB_PASSWORD", raising=False)
    path = Path(target)
    if target == "fifo":
        path = tmp_path / "pw"
        os.mkfifo(path)
    elif target == "big":
        path = tmp_path / "pw"
        path.write_bytes(b"x" * 5000)
    config = parse_config(
        f'[store]\nurl = "postgresql+psycopg://kiosk@db/ins"\npassword_file = "{path}"\n'
    )
    with pytest.raises(ConfigError, match=r"store\.password_file") as caught:
        config.store_url()
    assert "x" * 20 not in str(caught.value)  # the file's content is never shown


def test_values_are_echoed_short_and_secrets_not_at_all() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            '[kiosk]\nid = "' + "长" * 5000 + '"\nfullscreen = 7\n'
            '[store]\npassword = "hunter2"\nurl = "mysql://u:hunter2@h/d"\n'
        )
    message = str(caught.value)
    assert "hunter2" not in message
    assert max(len(line) for line in message.splitlines()) < 300
    assert "store.password = (hidden)" in message
    assert "mysql://***@h/d" in message
    assert "kiosk.id = '长长" in message  # shown, cut short


def test_only_secret_keys_are_hidden_not_every_key_that_mentions_a_pin() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('[timeouts]\npin_entry_seconds = 5\n[admin]\npin_hash = "246810"\n')
    message = str(caught.value)
    assert "timeouts.pin_entry_seconds = 5: expected" in message
    assert "admin.pin_hash = (hidden)" in message
    assert "246810" not in message

"""The receipt key and the other small state files: durable, and a damaged one never stops
the kiosk (issue 15, "durable small files")."""

from __future__ import annotations

import json
import logging
import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, parse_config
from kiosk.log import redact
from kiosk.printers import (
    JOURNAL_NAME,
    SERIAL_STATE,
    ReceiptPrinter,
    journal_card_hash,
    next_serial,
    note_receipt,
)
from kiosk.receipt_key import (
    DAMAGED_PREFIX,
    KEY_BYTES,
    KEY_NAME,
    ReceiptKeyError,
    damage_notice,
    load_or_create,
)
from printing.dispatch import SpoolPrinter
from printing.paper import PaperCounter
from printing.problems import PrinterProblem, PrinterProblemKind

WHEN = datetime(2026, 12, 1, 9, 30, 0)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_key_is_made_once_durably_and_privately(tmp_path: Path) -> None:
    made = load_or_create(tmp_path)
    assert len(made.key) == KEY_BYTES
    assert made.notice == ""
    assert stat.S_IMODE((tmp_path / KEY_NAME).stat().st_mode) == 0o600
    assert load_or_create(tmp_path).key == made.key
    assert _files(tmp_path) == [".receipt-key.lock", KEY_NAME]  # no temporary left behind


@pytest.mark.parametrize("damaged", [b"", b"short", b"x" * (KEY_BYTES + 1)])
def test_a_damaged_key_is_moved_aside_replaced_and_noticed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damaged: bytes
) -> None:
    (tmp_path / KEY_NAME).write_bytes(damaged)
    made = load_or_create(tmp_path, now=lambda: WHEN)
    assert len(made.key) == KEY_BYTES
    assert made.key != damaged[:KEY_BYTES]
    aside = tmp_path / f"{DAMAGED_PREFIX}20261201-093000"
    assert aside.read_bytes() == damaged  # kept: a key one byte too long can be mended
    assert made.notice.startswith(
        f"receipt key was damaged ({len(damaged)} bytes) and replaced on 2026-12-01; "
        "receipts printed before cannot be verified with this kiosk"
    )
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"held {len(damaged)} bytes" in line for line in warned)
    # The log's redaction leaves the file name readable (no six digits a PIN filter takes).
    assert all(redact(line) == line for line in [*warned, made.notice])
    for line in caplog.messages:  # the size only: not even a damaged key's bytes
        assert made.key.hex() not in line
        assert not damaged or repr(damaged) not in line


def test_the_notice_outlives_a_restart_until_the_old_file_is_removed(tmp_path: Path) -> None:
    (tmp_path / KEY_NAME).write_bytes(b"")
    first = load_or_create(tmp_path, now=lambda: WHEN)
    again = load_or_create(tmp_path)  # the next start: the key is sound now
    assert again.key == first.key
    assert again.notice == first.notice != ""
    (tmp_path / f"{DAMAGED_PREFIX}20261201-093000").unlink()
    assert damage_notice(tmp_path) == ""
    assert load_or_create(tmp_path).notice == ""


def test_a_key_damaged_twice_in_one_second_keeps_both_old_files(tmp_path: Path) -> None:
    for damaged in (b"", b"abc"):
        (tmp_path / KEY_NAME).write_bytes(damaged)
        made = load_or_create(tmp_path, now=lambda: WHEN)
    assert (tmp_path / f"{DAMAGED_PREFIX}20261201-093000").read_bytes() == b""
    assert (tmp_path / f"{DAMAGED_PREFIX}20261201-093000-2").read_bytes() == b"abc"
    assert "(3 bytes)" in made.notice


def test_a_key_that_cannot_be_written_leaves_nothing_and_is_made_later(tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    with pytest.raises(ReceiptKeyError, match=r"receipt key not made in .*data") as caught:
        load_or_create(blocked)
    assert "nothing was left behind" in str(caught.value)
    blocked.unlink()
    assert len(load_or_create(blocked).key) == KEY_BYTES


def test_a_folder_in_place_of_the_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_NAME).mkdir()
    with pytest.raises(ReceiptKeyError, match="not a regular file"):
        load_or_create(tmp_path)


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_or_create(tmp_path).key)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1


# -- ReceiptPrinter: a key that cannot be made yet keeps the kiosk serving ----------------------


def _config(tmp_path: Path, data_dir: Path) -> KioskConfig:
    return parse_config(f'[kiosk]\ndata_dir = "{data_dir}"\n', tmp_path / "kiosk.toml")


def test_a_printer_without_a_key_yet_is_not_ready_and_recovers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("in the way")  # as a full disk would: the key cannot be written
    config = _config(tmp_path, data)
    printer = ReceiptPrinter(
        SpoolPrinter(tmp_path / "spool"),
        PaperCounter(tmp_path / "paper.json", 50_000),
        key_dir=config.data_dir,
    )
    status = printer.status()
    assert not status.ready
    assert status.problems == (PrinterProblemKind.OTHER,)
    assert "receipt key not made" in status.detail
    assert printer.key_notice == ""
    data.unlink()
    assert printer.status().ready  # asked again: the disk has room, the key is made
    assert len(printer.key) == KEY_BYTES


def test_from_config_does_not_raise_when_the_key_cannot_be_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    data.write_text("in the way")
    printer = ReceiptPrinter.from_config(_config(tmp_path, data), SpoolPrinter(tmp_path / "s"))
    assert any("receipts cannot be printed" in m for m in caplog.messages)
    with pytest.raises(PrinterProblem) as caught:
        printer.print_receipt(None)  # type: ignore[arg-type] # refused before rendering
    assert caught.value.kind is PrinterProblemKind.OTHER
    assert "receipt key not made" in caught.value.operator_message


def test_the_printer_passes_the_key_notice_on(tmp_path: Path) -> None:
    config = _config(tmp_path, tmp_path / "var")
    config.data_dir.mkdir()
    (config.data_dir / KEY_NAME).write_bytes(b"")
    printer = ReceiptPrinter.from_config(config, SpoolPrinter(tmp_path / "s"))
    assert printer.key_notice.startswith("receipt key was damaged (0 bytes) and replaced on ")


# -- the serial counter and the journal ---------------------------------------------------------


@pytest.mark.parametrize("damage", [b"", b'{"day": "2026', b"[]", b'{"day": "20261201"}'])
def test_a_damaged_serial_counter_continues_from_the_journal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    config = _config(tmp_path, tmp_path / "var")
    assert next_serial(config, WHEN) == "kiosk-01-20261201-0001"
    journal = config.data_dir / JOURNAL_NAME
    journal.write_text(json.dumps({"serial": "kiosk-01-20261201-0007"}) + "\n")
    (config.data_dir / SERIAL_STATE).write_bytes(damage)
    assert next_serial(config, WHEN) == "kiosk-01-20261201-0008"  # never a repeat
    assert any("serial counter" in m for m in caplog.messages)
    assert next_serial(config, WHEN) == "kiosk-01-20261201-0009"


def test_a_torn_journal_line_is_closed_off_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = tmp_path / JOURNAL_NAME
    whole = json.dumps({"serial": "k-20261201-0001", "card_hash": "aa"})
    journal.write_text(whole + "\n" + '{"serial": "k-20261201-0002", "card_h')  # a crash

    class Slip:
        serial = "k-20261201-0003"
        printed_at = WHEN
        card_hash = "cc"

    note_receipt(journal, Slip(), "CODE")  # type: ignore[arg-type]
    lines = journal.read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[2])["serial"] == "k-20261201-0003"  # not glued to the torn line
    assert journal_card_hash(journal, "k-20261201-0001") == "aa"
    assert journal_card_hash(journal, "k-20261201-0003") == "cc"
    assert journal_card_hash(journal, "k-20261201-0002") is None
    assert any("torn" in m for m in caplog.messages)

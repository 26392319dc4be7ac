"""Complete sessions on the demo store, then a search of everything the kiosk left behind
(the DEBUG log, spool file names, the receipt journal, audit and heartbeat rows, the local
outbox) for every demo person's name, citizen ID, card number and PIN: none may appear."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from card_reader.simulator import load_profiles
from kiosk.log import forget_secrets, setup_logging
from kiosk.services import AccountService
from kiosk.session.view import State
from kiosk.store.models import TABLES
from realparts.config import rig_config
from tests.kiosk.product_kiosk import Kiosk, product_kiosk
from tests.session_kit import seed_demo_store

PEOPLE = [p.raw for p in load_profiles() if p.ssse]
SECRETS = sorted(
    {p[key] for p in PEOPLE for key in ("name", "citizen_id", "card_number", "pin")}, key=len
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "var"
    hooks = sys.excepthook, threading.excepthook
    level = logging.getLogger().level
    setup_logging("DEBUG", folder / "logs" / "kiosk.log", console=False)
    yield folder
    sys.excepthook, threading.excepthook = hooks
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    forget_secrets()


def _kiosk(data_dir: Path, store_url: str) -> Kiosk:
    config = rig_config(
        data_dir,
        store_url,
        kiosk_id="privacy-kiosk",
        location="",
        extra='[logging]\nlevel = "DEBUG"',
    )
    return product_kiosk(config)


def _run_sessions(kiosk: Kiosk) -> int:
    """Every kind of ending a session has; returns the receipts printed."""
    pins = {p.key: p.pin for p in load_profiles() if p.ssse}
    for key in ("zhang-wei", "long-name", "li-kun"):  # read, browse, print, take the card
        kiosk.insert(key)
        kiosk.pin(pins[key])
        assert kiosk.session.view.state is State.OVERVIEW
        kiosk.session.show(State.HISTORY)
        kiosk.session.show(State.CONTRIBUTIONS)
        kiosk.session.print_receipt()
        assert kiosk.session.view.state is State.TAKE_CARD
        kiosk.remove()
    kiosk.insert("wang-zhe")  # a wrong PIN, then the right one, then "I am done"
    kiosk.pin("000000")
    assert kiosk.session.view.pin_wrong
    kiosk.pin(pins["wang-zhe"])
    kiosk.session.show(State.FLAGGED)
    kiosk.session.finish()
    kiosk.remove()
    kiosk.insert("blocked-pin")  # blocked before the PIN pad
    assert kiosk.session.view.state is State.CARD_PROBLEM
    kiosk.remove()
    for key in ("lost-card", "replaced-card"):  # refused by the store after the PIN
        kiosk.insert(key)
        kiosk.pin(pins[key])
        assert kiosk.session.view.state is State.CARD_PROBLEM
        kiosk.remove()
    for key in ("expired", "damaged-name", "bad-checksum"):  # refused by the card itself
        kiosk.insert(key)
        assert kiosk.session.view.state is State.CARD_PROBLEM
        kiosk.remove()
    return 3


def _audit_text(accounts: AccountService) -> str:
    with accounts.engine.connect() as connection:
        rows = [
            *connection.execute(select(TABLES["audit_event"])),
            *connection.execute(select(TABLES["kiosk_heartbeat"])),
        ]
    assert rows
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _outbox_text(path: Path) -> tuple[int, str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT * FROM outbox").fetchall()
    return len(rows), "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_nothing_the_kiosk_keeps_names_a_person(data_dir: Path, tmp_path: Path) -> None:
    kiosk = _kiosk(data_dir, seed_demo_store(tmp_path))
    printed = _run_sessions(kiosk)
    kiosk.accounts.record_heartbeat(
        "ok (1)", "ready", 40_000, last_error="card A32010001 refused", version="0.1.0"
    )
    # The central store goes away mid-day: the next session's audit rows wait in the outbox.
    offline = _kiosk(data_dir, f"sqlite:///{tmp_path / 'gone' / 'store.sqlite3'}")
    offline.insert("zhang-wei")
    offline.pin("123456")
    assert offline.session.view.state is State.SERVICE_UNAVAILABLE
    offline.remove()
    offline.accounts.close()

    log_text = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "DEBUG" in log_text  # the log really was written, at DEBUG
    assert "receipt" in log_text
    spool_names = " ".join(p.name for p in (data_dir / "receipts").iterdir())
    assert spool_names.count(".pdf") == printed
    journal = (data_dir / "receipt-journal.jsonl").read_text(encoding="utf-8")
    assert journal.count("\n") == printed
    audit = _audit_text(kiosk.accounts)
    pending, outbox = _outbox_text(data_dir / "audit-outbox.sqlite3")
    assert pending >= 2
    places = {
        "log": log_text,
        "spool file names": spool_names,
        "receipt journal": journal,
        "audit rows": audit,
        "outbox": outbox,
    }
    found = [(where, s) for where, text in places.items() for s in SECRETS if s in text]
    assert found == []
    kiosk.accounts.close()


@pytest.mark.allow_error_logs
def test_a_crash_report_during_a_session_does_not_name_the_person(
    data_dir: Path, tmp_path: Path
) -> None:
    """A bug that puts the person's name into an exception: the crash log must not show it.

    Card numbers and IDs have shapes the log filter knows; a name has none, so the session
    registers it (kiosk.log.register_secret) while the person is at the kiosk.
    """
    kiosk = _kiosk(data_dir, seed_demo_store(tmp_path))
    kiosk.insert("wang-zhe")
    kiosk.pin("888888")
    summary = kiosk.session.view.summary
    assert summary is not None
    try:
        raise RuntimeError(f"layout overflow for {summary.person_name}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    kiosk.remove()
    log_text = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "layout overflow for" in log_text
    assert "王喆" not in log_text
    kiosk.accounts.close()

"""The kiosk's AccountService logged in as a kiosk role: every screen through the kiosk_api
functions, and the same answers the table path gives an admin on the same store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kiosk.domain import LedgerKind
from kiosk.services import AccountService
from kiosk.store.audit import card_hash
from kiosk.store.engine import make_engine
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.store.roles import grant_kiosk_role
from realparts.postgres import PostgresCluster
from tests.kiosk.store_api.conftest import DATABASE, NOW, active_people

pytestmark = pytest.mark.integration
ROLE = "kiosk_functions_test"


@pytest.fixture
def people(owner: Engine) -> list[tuple[str, str]]:
    return active_people(owner, 5)


def service(url: str, folder: Path, key_dir: Path | None = None) -> AccountService:
    return AccountService(
        make_engine(url, 5.0),
        ROLE,
        lambda: NOW,
        outbox_path=folder / "outbox.sqlite3",
        key_dir=key_dir,
    )


@pytest.fixture
def as_kiosk(
    api_cluster: PostgresCluster, owner: Engine, tmp_path: Path
) -> Iterator[AccountService]:
    grant_kiosk_role(owner, ROLE)
    made = service(f"postgresql+psycopg://{ROLE}@/{DATABASE}?host={api_cluster.base}", tmp_path)
    yield made
    made.close()


@pytest.fixture
def as_admin(store_url: str, tmp_path: Path) -> Iterator[AccountService]:
    # The kiosk's installation (its pseudonym key, in tmp_path): a receipt's card pseudonym
    # is the installation's, whichever path read the accounts.
    made = service(store_url, tmp_path / "admin", key_dir=tmp_path)
    yield made
    made.close()


def screens(accounts: AccountService, card: str) -> dict[str, object]:
    return {
        "summary": accounts.summary(card, "320100"),
        "history": accounts.history(card, page=1, page_size=5),
        "history_2": accounts.history(card, page=2, page_size=3, kind=LedgerKind.OUTPATIENT),
        # A first page drawn from the look-back's rows, one past the end (its total is
        # counted), and one filtered down to nothing.
        "history_20": accounts.history(card, page=1, page_size=20),
        "history_past_end": accounts.history(card, page=400, page_size=20),
        "history_none": accounts.history(card, since=NOW + timedelta(days=1)),
        "contributions": accounts.contributions(card),
        "annual": accounts.annual_statement(card),
        "flagged": accounts.flagged_charges(card),
        "family": accounts.family_bindings(card),
        "filings": accounts.filings(card),
    }


def test_every_screen_through_the_functions_equals_the_table_path(
    as_kiosk: AccountService, as_admin: AccountService, people: list[tuple[str, str]]
) -> None:
    for card, citizen in people:
        as_kiosk.card_status(card)  # the opening every screen needs
        assert as_kiosk._fleet is True  # a kiosk role: functions only (no table rights)
        as_kiosk.prove(card, citizen)
        assert screens(as_kiosk, card) == screens(as_admin, card), card
        receipt = as_kiosk.receipt_data(card, NOW, "S-1", entries=4, card_region="320100")
        expected = as_admin.receipt_data(card, NOW, "S-1", entries=4, card_region="320100")
        assert receipt == expected
        assert receipt.card_hash == card_hash(card, as_kiosk.pseudonyms.key)


def test_a_kiosk_role_without_the_chips_citizen_id_reads_nothing(
    as_kiosk: AccountService, owner: Engine, people: list[tuple[str, str]]
) -> None:
    (card, _citizen), (_other, someone_else) = people[0], people[1]
    as_kiosk.card_status(card)
    with pytest.raises(CardNotActive) as unproved:
        as_kiosk.summary(card)
    assert unproved.value.status is CardRefusal.MISMATCH
    as_kiosk.prove(card, someone_else)
    with pytest.raises(CardNotActive) as forged:
        as_kiosk.summary(card)
    assert forged.value.status is CardRefusal.MISMATCH
    with owner.connect() as connection:  # the refusals are the server's rows, committed
        refused = connection.execute(
            text(
                "SELECT count(*) FROM audit_event WHERE kiosk_id = :k"
                " AND action = 'overview' AND outcome = 'refused_mismatch'"
            ),
            {"k": ROLE},
        ).scalar_one()
    assert refused >= 2


def test_what_only_the_kiosk_sees_and_its_heartbeat_go_through_the_functions(
    as_kiosk: AccountService, owner: Engine, people: list[tuple[str, str]], tmp_path: Path
) -> None:
    card, citizen = people[0]
    as_kiosk.card_status(card)
    as_kiosk.prove(card, citizen)
    as_kiosk.record_query("print", "ok", card)
    as_kiosk.record_heartbeat("ok (1)", "ready", 40_000, alerts="")
    with owner.connect() as connection:
        printed = connection.execute(
            text("SELECT card_ref FROM audit_event WHERE kiosk_id = :k AND action = 'print'"),
            {"k": ROLE},
        ).all()
        beat = connection.execute(
            text("SELECT reader_state FROM kiosk_heartbeat WHERE kiosk_id = :k"), {"k": ROLE}
        ).scalar_one()
    assert printed
    assert all(ref and len(ref) == 64 for (ref,) in printed)  # the server's HMAC-SHA-256
    assert beat == "ok (1)"
    assert as_kiosk.outbox_pending == 0


def test_a_row_the_fleet_store_missed_waits_with_nothing_taken_from_the_card(
    api_cluster: PostgresCluster, owner: Engine, people: list[tuple[str, str]], tmp_path: Path
) -> None:
    grant_kiosk_role(owner, ROLE)
    url = f"postgresql+psycopg://{ROLE}@/{DATABASE}?host={api_cluster.base}"
    accounts = service(url, tmp_path)
    card, _citizen = people[0]
    accounts.card_status(card)  # a kiosk role: from now on the outbox keeps no card value
    accounts.record_query("print", "ok", card, reachable=False)
    accounts.close()
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as outbox:
        rows = outbox.execute("SELECT * FROM outbox").fetchall()
    assert rows
    assert not any(card in str(row) for row in rows)
    columns = [c[1] for c in sqlite3.connect(tmp_path / "outbox.sqlite3").execute(
        "PRAGMA table_info(outbox)")]  # fmt: skip
    if "card_hash" in columns:
        index = columns.index("card_hash")
        assert all(row[index] is None for row in rows)


def test_a_screen_whose_backend_died_is_asked_again_on_a_fresh_connection(
    as_kiosk: AccountService, owner: Engine, people: list[tuple[str, str]]
) -> None:
    # The calls go straight to psycopg (fleet_api._driver_call): a dead connection must
    # still be marked invalidated, so the service retries once instead of failing.
    card, citizen = people[0]
    as_kiosk.card_status(card)
    as_kiosk.prove(card, citizen)
    before = as_kiosk.summary(card)
    with owner.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE usename = :role) t"
            ),
            {"role": ROLE},
        ).scalar_one()
    assert ended == 1
    assert as_kiosk.summary(card) == before
    with owner.connect() as connection:  # on a backend of its own
        assert (
            connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE usename = :role"), {"role": ROLE}
            ).scalar_one()
            == 1
        )


def test_a_refused_statement_is_worded_without_the_values_it_was_given(
    as_kiosk: AccountService, people: list[tuple[str, str]]
) -> None:
    from sqlalchemy.exc import DBAPIError

    from kiosk.store import fleet_api

    card, citizen = people[0]
    as_kiosk.card_status(card)
    with as_kiosk.engine.connect() as connection, pytest.raises(DBAPIError) as refused:
        # A page the kiosk never asks for: the function raises before reading anything.
        fleet_api.screen(
            connection,
            "history_page",
            card,
            citizen,
            {"kind": None, "since": None, "page_limit": 0, "page_offset": 0},
        )
    words = str(refused.value)
    assert "a page is 1 to" in words
    assert card not in words
    assert citizen not in words
    assert "CONTEXT" not in words

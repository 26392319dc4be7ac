"""Kiosks call functions, never tables (issue 16), proven on a real PostgreSQL.

Connected as a kiosk's own login role (made by `grant_kiosk_role`), a kiosk reads no
table, answers one person per call only when card number and citizen ID belong together,
meets a ceiling of distinct cards an hour, writes only its own heartbeat and audit rows,
never sees the pseudonym key, and every screen is one round trip. The expected data comes
from the kiosk's own statements (kiosk/store/queries.py) run as the store's owner.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import Engine, text

from kiosk.domain import LedgerKind
from kiosk.services import MAX_PAGE_SIZE
from kiosk.store import queries
from kiosk.store.engine import make_engine
from kiosk.store.flags import LOOKBACK
from kiosk.store.migrate import alembic_config, upgrade
from kiosk.store.models import TABLES
from kiosk.store.printed_documents import INTERNAL_FUNCTIONS as DOCUMENT_INTERNAL_FUNCTIONS
from kiosk.store.printed_documents import KIOSK_FUNCTIONS as DOCUMENT_KIOSK_FUNCTIONS
from kiosk.store.roles import grant_kiosk_role
from realparts.postgres import PostgresCluster
from tests.kiosk.store_api.conftest import KioskFactory

pytestmark = pytest.mark.integration
Row = dict[str, Any]
MIGRATION = Path(__file__).parents[3] / "kiosk/store/migrations/versions/0004_kiosk_api.py"
SCREENS = (
    "overview",
    "history_page",
    "contributions",
    "annual_statement",
    "family_aid",
    "filings",
    "charges_to_check",
    "receipt_data",
)
CARD, CITIZEN = "A32010001", "320102195203120316"  # 张伟: family aid, a year of entries
OTHER_CITIZEN = "360426199101010071"  # li-kun's
LEGACY_KEY = b"sscard-kiosk/audit/v1"  # the BLAKE2b key kiosk/store/audit.py had in source


def call(connection: psycopg.Connection[Any], function: str, *args: Any) -> Any:
    """One kiosk call: one execute, one statement, one round trip."""
    marks = ", ".join(["%s"] * len(args))
    row = connection.execute(f"SELECT kiosk_api.{function}({marks})", args).fetchone()
    assert row is not None
    return row[0]


def screen_args(screen: str, card: str, citizen: str | None, now: datetime) -> tuple[Any, ...]:
    """What the kiosk's screens pass: the chip's card number, citizen ID (and region)."""
    year_ago = now - LOOKBACK
    return {
        "overview": (card, citizen, now.year, "320100"),
        "history_page": (card, citizen, None, None, 20, 0),
        "contributions": (card, citizen, date(now.year - 1, now.month, 1)),
        "annual_statement": (card, citizen, datetime(now.year, 1, 1), datetime(now.year + 1, 1, 1)),
        "family_aid": (card, citizen, year_ago),
        "filings": (card, citizen),
        "charges_to_check": (card, citizen, year_ago),
        "receipt_data": (card, citizen, year_ago, 10, "320100"),
    }[screen]


def as_json(value: Any) -> Any:
    """A statement's value as the jsonb shows it (numbers stay Decimal: parsed exactly)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def server_now(admin: psycopg.Connection[Any]) -> datetime:
    row = admin.execute("SELECT localtimestamp").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def server_key(admin: psycopg.Connection[Any]) -> bytes:
    row = admin.execute(
        "SELECT key FROM kiosk_api.pseudonym_key ORDER BY key_id DESC LIMIT 1"
    ).fetchone()
    assert row is not None
    return bytes(row[0])


def server_ref(admin: psycopg.Connection[Any], card: str) -> str:
    return hmac.new(server_key(admin), card.encode(), hashlib.sha256).hexdigest()


def last_audit(admin: psycopg.Connection[Any], kiosk: str) -> tuple[Any, ...]:
    row = admin.execute(
        "SELECT action, outcome, card_ref, card_hash FROM audit_event WHERE kiosk_id = %s"
        " ORDER BY id DESC LIMIT 1",
        (kiosk,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def set_ceiling(admin: psycopg.Connection[Any], role: str, cards: int) -> None:
    admin.execute(
        "INSERT INTO kiosk_api.kiosk_limit VALUES (%s, %s) ON CONFLICT (kiosk_role)"
        " DO UPDATE SET cards_per_hour = excluded.cards_per_hour",
        (role, cards),
    )


def people(admin: psycopg.Connection[Any], active: bool = True) -> list[tuple[str, str]]:
    """(card number, citizen ID) of the store's cards, active and unexpired ones if asked."""
    where = "WHERE c.status = 'active' AND c.expires_on >= current_date" if active else ""
    return [
        (r[0], r[1])
        for r in admin.execute(
            "SELECT c.card_number, p.citizen_id FROM card c JOIN person p ON p.id = c.person_id "
            f"{where} ORDER BY c.card_number"
        )
    ]


class Expected:
    """The kiosk's own statements, run as the owner, keyed as the screens' jsonb is."""

    def __init__(self, owner: Engine) -> None:
        self.owner = owner

    def rows(self, statement: Any, **params: Any) -> list[Row]:
        with self.owner.connect() as connection:
            return [
                {key: as_json(value) for key, value in row._mapping.items()}
                for row in connection.execute(statement, params)
            ]

    def screen(
        self, screen: str, args: tuple[Any, ...], person: int, now: datetime
    ) -> dict[str, list[Row]]:
        recent = {"person_id": person, "since": now - LOOKBACK}
        resolve = self.rows(queries.RESOLVE, card_number=args[0], year=now.year)
        mine = {"person_id": person}
        if screen == "overview":
            return {
                "resolve": self.rows(queries.RESOLVE, card_number=args[0], year=args[2]),
                "entries_since": self.rows(queries.ENTRIES_SINCE, **recent),
                "filings": self.rows(queries.FILINGS, **mine),
                "last_contribution": self.rows(queries.LAST_CONTRIBUTION, **mine),
                "bindings": self.rows(queries.BINDINGS, **mine),
                "region_name": self.rows(queries.REGION_NAME, code=args[3]),
            }
        if screen == "history_page":
            kind, since, limit, offset = args[2:]
            key = (kind is not None, since is not None)
            filters = {
                **mine,
                **({"kind": kind} if kind is not None else {}),
                **({"since": since} if since is not None else {}),
            }
            page = self.rows(queries.HISTORY[key], **filters, limit=limit, offset=offset)
            return {
                "resolve": resolve,
                "history": page,
                "history_count": self.rows(queries.HISTORY_COUNT[key], **filters),
                "entries_since": self.rows(queries.ENTRIES_SINCE, **recent),
                "filings": self.rows(queries.FILINGS, **mine),
            }
        if screen == "contributions":
            return {
                "resolve": resolve,
                "contributions": self.rows(queries.CONTRIBUTIONS, **mine, since=args[2]),
            }
        if screen == "annual_statement":
            return {
                "resolve": resolve,
                "year_entries": self.rows(queries.YEAR_ENTRIES, **mine, start=args[2], end=args[3]),
                "balance_before": self.rows(queries.BALANCE_BEFORE, **mine, start=args[2]),
            }
        if screen == "family_aid":
            return {
                "resolve": resolve,
                "entries_since": self.rows(queries.ENTRIES_SINCE, **mine, since=args[2]),
                "bindings": self.rows(queries.BINDINGS, **mine),
            }
        if screen == "filings":
            return {"resolve": resolve, "filings": self.rows(queries.FILINGS, **mine)}
        if screen == "charges_to_check":
            return {
                "resolve": resolve,
                "entries_since": self.rows(queries.ENTRIES_SINCE, **mine, since=args[2]),
                "filings": self.rows(queries.FILINGS, **mine),
            }
        assert screen == "receipt_data"
        first_page = {**mine, "limit": args[3], "offset": 0}
        return {
            "resolve": resolve,
            "history": self.rows(queries.HISTORY[(False, False)], **first_page),
            "history_count": self.rows(queries.HISTORY_COUNT[(False, False)], **mine),
            "entries_since": self.rows(queries.ENTRIES_SINCE, **mine, since=args[2]),
            "filings": self.rows(queries.FILINGS, **mine),
            "last_contribution": self.rows(queries.LAST_CONTRIBUTION, **mine),
            "region_name": self.rows(queries.REGION_NAME, code=args[4]),
        }


def same_rows(got: list[Row], want: list[Row], key: str) -> bool:
    # UNION ALL (bindings) has no order of its own; everything else is ordered.
    if key == "bindings":
        order: Callable[[Row], Any] = lambda r: (r["direction"], r["counterpart_id"])  # noqa: E731
        return sorted(got, key=order) == sorted(want, key=order)
    return got == want


@pytest.fixture
def expected(owner: Engine) -> Expected:
    return Expected(owner)


@pytest.fixture
def screens_kiosk(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> psycopg.Connection[Any]:
    set_ceiling(admin, "kapi_screens", 100_000)
    return kiosk_as("kapi_screens")


# -- no tables -------------------------------------------------------------------------------


def _read(connection: psycopg.Connection[Any], statement: str) -> list[Any]:
    if statement.startswith("COPY"):
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            return list(copy)
    return connection.execute(statement).fetchall()


def test_the_kiosk_role_can_select_or_copy_no_table(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("kapi_tables")
    tables = [*(f"public.{t}" for t in TABLES), "public.alembic_version"]
    tables += ["kiosk_api.pseudonym_key", "kiosk_api.kiosk_limit", "kiosk_api.card_seen"]
    for table in tables:
        for statement in (
            f"SELECT * FROM {table} LIMIT 1",
            f"SELECT count(*) FROM {table}",
            f"COPY {table} TO STDOUT",
            f"COPY (SELECT * FROM {table}) TO STDOUT",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _read(kiosk, statement)
    # Not one table right, not one column right, and only the kiosk group as a role.
    grants = admin.execute(
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = %s",
        ("kapi_tables",),
    ).fetchone()
    columns = admin.execute(
        "SELECT count(*) FROM information_schema.column_privileges WHERE grantee = %s",
        ("kapi_tables",),
    ).fetchone()
    assert grants == (0,)
    assert columns == (0,)
    memberships = admin.execute(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        " WHERE m.member = 'kapi_tables'::regrole"
    ).fetchall()
    assert memberships == [("sscard_kiosk",)]
    # The group itself has no table right either: only USAGE and EXECUTE.
    for table in tables:
        row = admin.execute(
            "SELECT has_table_privilege('sscard_kiosk', %s, 'SELECT,INSERT,UPDATE,DELETE')",
            (table,),
        ).fetchone()
        assert row == (False,), table


# -- one person per call, only when card number and citizen ID belong together -----------------


@pytest.mark.parametrize("screen", SCREENS)
def test_each_screen_returns_exactly_the_matching_persons_rows(
    screen: str,
    screens_kiosk: psycopg.Connection[Any],
    admin: psycopg.Connection[Any],
    expected: Expected,
) -> None:
    everyone = people(admin)
    chosen = [p for p in everyone if p[0] < "R"] + everyone[-8:]  # the demo people and more
    assert len(chosen) > 15
    for card, citizen in chosen:
        assert call(screens_kiosk, "card_status", card) == "active"
        before = server_now(admin)
        args = screen_args(screen, card, citizen, before)
        got = call(screens_kiosk, screen, *args)
        after = server_now(admin)
        assert set(got) == set(expected.screen(screen, args, 0, before)), "keys"
        person = got["resolve"][0]["person_id"]
        assert [r["citizen_id"] for r in got["resolve"]] == [citizen]
        for key, rows in got.items():
            wants = [expected.screen(screen, args, person, now)[key] for now in (before, after)]
            assert any(same_rows(rows, want, key) for want in wants), (screen, card, key)
            for row in rows:
                assert row.get("person_id", person) == person  # nobody else's rows
        assert last_audit(admin, "kapi_screens") == (screen, "ok", server_ref(admin, card), None)


@pytest.mark.parametrize(
    "page",
    [
        (LedgerKind.OUTPATIENT.value, None, 5, 2),
        (None, datetime(2026, 6, 1), 7, 0),
        (LedgerKind.PHARMACY.value, datetime(2025, 1, 1), 3, 1),
        (None, None, 10, 10_000),  # past the end: no page, the count still there
    ],
)
def test_history_pages_match_the_kiosks_statements(
    page: tuple[str | None, datetime | None, int, int],
    screens_kiosk: psycopg.Connection[Any],
    admin: psycopg.Connection[Any],
    expected: Expected,
) -> None:
    call(screens_kiosk, "card_status", CARD)
    now = server_now(admin)
    args = (CARD, CITIZEN, *page)
    got = call(screens_kiosk, "history_page", *args)
    want = expected.screen("history_page", args, 1, now)
    assert got["history"] == want["history"]
    assert got["history_count"] == want["history_count"]
    assert (got["history"] == []) is (page[3] == 10_000)
    if got["history"]:
        assert got["history"][0]["total"] == want["history_count"][0]["count_1"]


def test_a_page_out_of_bounds_is_refused_before_anything_is_read(
    screens_kiosk: psycopg.Connection[Any], admin: psycopg.Connection[Any]
) -> None:
    call(screens_kiosk, "card_status", CARD)
    audited = last_audit(admin, "kapi_screens")
    for limit, offset in ((MAX_PAGE_SIZE + 1, 0), (0, 0), (10, -1)):
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            call(screens_kiosk, "history_page", CARD, CITIZEN, None, None, limit, offset)
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        call(screens_kiosk, "receipt_data", CARD, CITIZEN, None, 1000, None)
    assert last_audit(admin, "kapi_screens") == audited


@pytest.mark.parametrize("screen", SCREENS)
def test_a_mismatched_pair_returns_only_the_refusal_and_is_audited(
    screen: str, screens_kiosk: psycopg.Connection[Any], admin: psycopg.Connection[Any]
) -> None:
    call(screens_kiosk, "card_status", CARD)  # opened: a mismatch is not about that
    now = server_now(admin)
    for citizen in (OTHER_CITIZEN, None, "", CITIZEN[:-1], CITIZEN[:-1] + "7", CITIZEN + "0"):
        got = call(screens_kiosk, screen, *screen_args(screen, CARD, citizen, now))
        assert got == {"refused": "mismatch"}
        assert last_audit(admin, "kapi_screens") == (
            screen,
            "refused_mismatch",
            server_ref(admin, CARD),
            None,
        )


def test_the_check_character_may_be_read_as_a_small_x(
    screens_kiosk: psycopg.Connection[Any],
) -> None:
    card, citizen = "M44010012", "44010319700808042X"
    call(screens_kiosk, "card_status", card)
    for variant in (citizen, citizen.lower(), f" {citizen} "):
        got = call(screens_kiosk, "filings", card, variant)
        assert [r["citizen_id"] for r in got["resolve"]] == [citizen]


def test_cards_that_do_not_open_the_accounts_are_refused_with_their_status(
    screens_kiosk: psycopg.Connection[Any], admin: psycopg.Connection[Any], owner: Engine
) -> None:
    spare = people(admin)[-2:]  # made suspended and cancelled for this test
    with owner.begin() as connection:
        for (card, _), status in zip(spare, ("suspended", "cancelled"), strict=True):
            connection.execute(
                text("UPDATE card SET status = :s WHERE card_number = :c"), {"s": status, "c": card}
            )
    try:
        cases = [
            ("G31010007", "310101197902034426", "lost"),
            ("H33010008", "330106196508183010", "replaced"),
            ("F44030006", "440304194907202519", "expired"),
            ("Z99000001", CITIZEN, "unknown"),
            (spare[0][0], spare[0][1], "suspended"),
            (spare[1][0], spare[1][1], "cancelled"),
        ]
        now = server_now(admin)
        for card, citizen, why in cases:
            assert call(screens_kiosk, "card_status", card) == why
            assert last_audit(admin, "kapi_screens")[:2] == ("card_status", f"refused_{why}")
            for screen in SCREENS:
                got = call(screens_kiosk, screen, *screen_args(screen, card, citizen, now))
                assert got == {"refused": why}
                assert last_audit(admin, "kapi_screens")[:2] == (screen, f"refused_{why}")
    finally:
        with owner.begin() as connection:
            for card, _ in spare:
                connection.execute(
                    text("UPDATE card SET status = 'active' WHERE card_number = :c"), {"c": card}
                )


# -- an audit row a thief cannot roll back -----------------------------------------------------


def test_a_screen_serves_only_a_card_whose_opening_is_committed(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("kapi_rollback")
    card, citizen = people(admin)[-3]
    # The thief's way: ask inside a transaction and roll back, so no row would stay.
    kiosk.execute("BEGIN")
    assert call(kiosk, "card_status", card) == "active"
    assert call(kiosk, "filings", card, citizen) == {"refused": "unopened"}
    kiosk.execute("SAVEPOINT again")
    assert call(kiosk, "card_status", card) == "active"
    kiosk.execute("RELEASE SAVEPOINT again")
    assert call(kiosk, "filings", card, citizen) == {"refused": "unopened"}
    kiosk.execute("ROLLBACK")
    count = admin.execute(
        "SELECT count(*) FROM audit_event WHERE kiosk_id = 'kapi_rollback'"
    ).fetchone()
    assert count == (0,)
    assert call(kiosk, "filings", card, citizen) == {"refused": "unopened"}
    # Nor can record() forge the opening: the server's actions are the server's.
    for action in ("card_status", "CARD_STATUS", " card_status", "overview"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            call(kiosk, "record", action, "ok", card, datetime(2026, 11, 24), f"forged-{action}")
    assert call(kiosk, "filings", card, citizen) == {"refused": "unopened"}
    # The honest way: card_status in its own transaction when the card goes in.
    assert call(kiosk, "card_status", card) == "active"
    assert "filings" in call(kiosk, "filings", card, citizen)
    suspicious = dict(
        (r[0], r[1]) for r in admin.execute("SELECT * FROM kiosk_api.suspicious_kiosks()")
    )
    assert suspicious["kapi_rollback"] == 2  # the two committed 'unopened' refusals


def test_an_opened_card_is_checked_again_on_every_screen(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any], owner: Engine
) -> None:
    """Screens of an opened card skip the ceiling's work (migration 0005), not the card's."""
    kiosk = kiosk_as("kapi_opened")
    card, citizen = people(admin)[-4]
    assert citizen != CITIZEN
    assert call(kiosk, "card_status", card) == "active"
    assert "filings" in call(kiosk, "filings", card, citizen)
    assert last_audit(admin, "kapi_opened")[:2] == ("filings", "ok")
    assert call(kiosk, "filings", card, CITIZEN) == {"refused": "mismatch"}
    assert last_audit(admin, "kapi_opened")[:2] == ("filings", "refused_mismatch")
    with owner.begin() as connection:
        connection.execute(
            text("UPDATE card SET status = 'lost' WHERE card_number = :c"), {"c": card}
        )
    try:
        assert call(kiosk, "filings", card, citizen) == {"refused": "lost"}
        assert last_audit(admin, "kapi_opened")[:2] == ("filings", "refused_lost")
    finally:
        with owner.begin() as connection:
            connection.execute(
                text("UPDATE card SET status = 'active' WHERE card_number = :c"), {"c": card}
            )
    # An opening older than the hour opens nothing any more.
    admin.execute(
        "UPDATE kiosk_api.card_seen SET opened_at = opened_at - interval '61 minutes'"
        " WHERE kiosk_role = 'kapi_opened'"
    )
    assert call(kiosk, "filings", card, citizen) == {"refused": "unopened"}


def test_the_functions_refuse_a_snapshot_older_than_the_call(
    kiosk_as: KioskFactory,
) -> None:
    kiosk = kiosk_as("kapi_isolation")
    for level in ("REPEATABLE READ", "SERIALIZABLE"):
        kiosk.execute(f"BEGIN ISOLATION LEVEL {level}")
        with pytest.raises(psycopg.errors.InvalidTransactionState):
            call(kiosk, "card_status", CARD)
        kiosk.execute("ROLLBACK")


# -- the ceiling -------------------------------------------------------------------------------


def test_the_201st_distinct_card_in_an_hour_is_refused_audited_and_flagged(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    set_ceiling(admin, "kapi_ceiling", 200)
    kiosk = kiosk_as("kapi_ceiling")
    everyone = people(admin)
    assert len(everyone) > 201
    for card, _ in everyone[:200]:
        assert call(kiosk, "card_status", card) == "active"
    card, citizen = everyone[200]
    assert call(kiosk, "card_status", card) == "ceiling"
    assert last_audit(admin, "kapi_ceiling") == (
        "card_status",
        "refused_ceiling",
        server_ref(admin, card),
        None,
    )
    now = server_now(admin)
    assert call(kiosk, "overview", *screen_args("overview", card, citizen, now)) == {
        "refused": "ceiling"
    }
    # The cards already asked this hour are still served: the ceiling counts new cards.
    first, first_citizen = everyone[0]
    assert "resolve" in call(kiosk, "filings", first, first_citizen)
    rows = admin.execute(
        "SELECT count(DISTINCT card_ref) FILTER (WHERE outcome <> 'refused_ceiling'),"
        " count(*) FILTER (WHERE outcome = 'refused_ceiling')"
        " FROM audit_event WHERE kiosk_id = 'kapi_ceiling'"
    ).fetchone()
    assert rows == (200, 2)
    flagged = admin.execute("SELECT * FROM kiosk_api.suspicious_kiosks()").fetchall()
    mine = [r for r in flagged if r[0] == "kapi_ceiling"]
    assert len(mine) == 1
    assert mine[0][1] == 2
    assert abs(mine[0][2] - datetime.now(mine[0][2].tzinfo)) < timedelta(minutes=5)
    # Refusals before the window asked for are not counted.
    assert "kapi_ceiling" not in [
        r[0] for r in admin.execute("SELECT * FROM kiosk_api.suspicious_kiosks('0 seconds')")
    ]
    # Only admins ask who is suspicious.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        kiosk.execute("SELECT * FROM kiosk_api.suspicious_kiosks()")


def test_without_a_row_of_its_own_a_kiosk_gets_the_default_of_60(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("kapi_default")
    cards = people(admin, active=False)
    answers = [call(kiosk, "card_status", card) for card, _ in cards[:61]]
    assert "ceiling" not in answers[:60]
    assert answers[60] == "ceiling"


def test_the_kiosk_cannot_raise_its_own_ceiling(kiosk_as: KioskFactory) -> None:
    kiosk = kiosk_as("kapi_greedy")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        kiosk.execute("INSERT INTO kiosk_api.kiosk_limit VALUES ('kapi_greedy', 1000000)")


# -- only its own rows ---------------------------------------------------------------------------


def _heartbeat(admin: psycopg.Connection[Any], kiosk: str) -> tuple[Any, ...] | None:
    return admin.execute(
        "SELECT reader_state, printer_state, paper_left_mm, last_error, version, alerts"
        " FROM kiosk_heartbeat WHERE kiosk_id = %s",
        (kiosk,),
    ).fetchone()


def test_a_kiosk_writes_only_its_own_heartbeat(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any], owner: Engine
) -> None:
    a, b = kiosk_as("kapi_hb_a"), kiosk_as("kapi_hb_b")
    call(a, "heartbeat", "ok (1)", "ready", 30_000, "", "0.1.0", "")
    call(a, "heartbeat", "ok (1)", "media-empty", 0, "paper out", "0.1.0", "")
    call(b, "heartbeat", "absent", "ready", 12_000, "", "0.1.0", "")
    assert _heartbeat(admin, "kapi_hb_a") == ("ok (1)", "media-empty", 0, "paper out", "0.1.0", "")
    assert _heartbeat(admin, "kapi_hb_b") == ("absent", "ready", 12_000, "", "0.1.0", "")
    seen = admin.execute("SELECT last_seen FROM kiosk_heartbeat WHERE kiosk_id = 'kapi_hb_a'")
    row = seen.fetchone()
    assert row is not None
    assert abs(row[0] - server_now(admin)) < timedelta(minutes=1)
    # The tables themselves: no right at all.
    attempts = [
        "INSERT INTO kiosk_heartbeat (kiosk_id, last_seen, reader_state, printer_state)"
        " VALUES ('kapi_hb_a', now(), 'x', 'x')",
        "UPDATE kiosk_heartbeat SET printer_state = 'ready' WHERE kiosk_id = 'kapi_hb_a'",
        "DELETE FROM kiosk_heartbeat WHERE kiosk_id = 'kapi_hb_a'",
    ]
    for statement in attempts:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute(statement)
    # Row security holds even if someone grants the table by hand by mistake.
    admin.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_heartbeat TO kapi_hb_b")
    admin.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON audit_event TO kapi_hb_b")
    try:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            b.execute(attempts[0])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            b.execute(
                "INSERT INTO kiosk_heartbeat (kiosk_id, last_seen, reader_state, printer_state)"
                " VALUES ('kapi_hb_a', now(), 'x', 'x') ON CONFLICT (kiosk_id)"
                " DO UPDATE SET printer_state = 'ready'"
            )
        assert b.execute(attempts[1]).rowcount == 0
        assert b.execute(attempts[2]).rowcount == 0
        assert [r[0] for r in b.execute("SELECT kiosk_id FROM kiosk_heartbeat")] == ["kapi_hb_b"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            b.execute(
                "INSERT INTO audit_event (id, at, kiosk_id, action, outcome, event_key)"
                " VALUES (-1, now(), 'kapi_hb_a', 'overview', 'ok', 'forged-for-a')"
            )
        # Nobody but the owner rewrites or deletes audit rows, its own kiosk's included.
        call(b, "card_status", CARD)
        assert b.execute("UPDATE audit_event SET outcome = 'ok'").rowcount == 0
        assert b.execute("DELETE FROM audit_event").rowcount == 0
    finally:
        grant_kiosk_role(owner, "kapi_hb_b")  # which takes the hand-made grants away again
    assert _heartbeat(admin, "kapi_hb_a") == ("ok (1)", "media-empty", 0, "paper out", "0.1.0", "")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        b.execute("SELECT 1 FROM kiosk_heartbeat")


def test_record_is_idempotent_by_event_key_and_keeps_the_kiosks_time_apart(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("kapi_record")
    claimed = datetime(2026, 11, 24, 10, 0, 5)
    assert call(kiosk, "record", "print", "ok", CARD, claimed, "k-outbox-0001") is True
    assert call(kiosk, "record", "print", "ok", CARD, claimed, "k-outbox-0001") is False
    assert call(kiosk, "record", "pin", "wrong_pin", None, claimed, "k-outbox-0002") is True
    rows = admin.execute(
        "SELECT action, outcome, card_ref, card_hash, kiosk_at, at FROM audit_event"
        " WHERE kiosk_id = 'kapi_record' ORDER BY id"
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("print", "ok", server_ref(admin, CARD), None, claimed),
        ("pin", "wrong_pin", None, None, claimed),
    ]
    assert all(abs(r[5] - server_now(admin)) < timedelta(minutes=1) for r in rows)  # server's


# -- pseudonyms that stay pseudonyms -------------------------------------------------------------


def _dictionary(cards: list[str], keys: list[bytes]) -> dict[str, str]:
    """digest -> card number, for every scheme a kiosk could compute without the server."""
    table: dict[str, str] = {}
    for card in cards:
        raw = card.encode()
        digests = [
            hashlib.blake2b(raw, key=LEGACY_KEY, digest_size=16).hexdigest(),  # before 0004
            hashlib.blake2b(raw, digest_size=16).hexdigest(),
            hashlib.blake2b(raw).hexdigest(),
            hashlib.sha256(raw).hexdigest(),
            hashlib.sha1(raw).hexdigest(),
            hashlib.md5(raw).hexdigest(),
            hashlib.sha512(raw).hexdigest(),
            *(hmac.new(key, raw, hashlib.sha256).hexdigest() for key in keys),
            *(hmac.new(key, raw, hashlib.md5).hexdigest() for key in keys),
        ]
        for digest in digests:
            table[digest] = card
            table[digest[:32]] = card  # a truncated digest would give it away as well
    return table


def test_no_audit_value_maps_back_to_a_card_without_the_servers_key(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any], store_url: str
) -> None:
    set_ceiling(admin, "kapi_pseudo", 100_000)
    kiosk = kiosk_as("kapi_pseudo")
    cards = [card for card, _ in people(admin, active=False)]
    for card in [*cards, "Z99000002"]:
        call(kiosk, "card_status", card)
    for n, card in enumerate(cards[:20]):
        call(kiosk, "record", "print", "ok", card, datetime(2026, 11, 24), f"k-pseudo-{n}")
    call(kiosk, "card_status", CARD)
    call(kiosk, "overview", *screen_args("overview", CARD, CITIZEN, server_now(admin)))
    # What a kiosk knows: its source (the old key), its role, database and kiosk id.
    known_keys = [b"", LEGACY_KEY, b"kapi_pseudo", b"kiosk_api", b"sscard_api", b"sscard"]
    known_keys += [store_url.encode(), b"kiosk_api_pseudo", b"postgres"]
    dictionary = _dictionary([*cards, "Z99000002"], known_keys)
    audit = admin.execute(
        "SELECT concat_ws(' ', at, kiosk_id, action, outcome, card_hash, card_ref, kiosk_at,"
        " event_key) FROM audit_event WHERE kiosk_id = 'kapi_pseudo'"
    ).fetchall()
    assert len(audit) > len(cards) + 20
    blob = "\n".join(row[0] for row in audit)
    assert not [d for d in dictionary if d in blob], "an audit value maps back to a card"
    assert not [c for c in cards if c in blob], "a card number in the audit rows"
    # They are the server's HMAC: with the key (which only the server has) they map back.
    refs = {
        r[0]: r[1]
        for r in admin.execute(
            "SELECT DISTINCT card_ref, card_hash FROM audit_event WHERE kiosk_id = 'kapi_pseudo'"
        )
    }
    assert set(refs.values()) == {None}  # no kiosk-side hash on a function-written row
    with_key = {hmac.new(server_key(admin), c.encode(), hashlib.sha256).hexdigest() for c in cards}
    assert set(refs) - {server_ref(admin, "Z99000002")} <= with_key
    assert len(server_key(admin)) == 32


def test_the_key_and_the_pseudonym_function_are_out_of_a_kiosks_reach(
    kiosk_as: KioskFactory,
) -> None:
    kiosk = kiosk_as("kapi_secret")
    forbidden = [
        "SELECT key FROM kiosk_api.pseudonym_key",
        "SELECT kiosk_api.card_ref('A32010001')",
        "SELECT kiosk_api.card_ref_of('A32010001')",
        "SELECT * FROM kiosk_api.gate('overview', 'A32010001', NULL, false)",
        "SELECT * FROM kiosk_api.suspicious_kiosks()",
        "UPDATE kiosk_api.pseudonym_key SET key = '\\x00'",
        "DELETE FROM kiosk_api.card_seen",
        "CREATE TABLE kiosk_api.stash (x text)",
        "CREATE TABLE public.stash (x text)",
        "CREATE FUNCTION public.hmac(bytea, bytea, text) RETURNS bytea LANGUAGE sql AS 'SELECT $1'",
    ]
    for statement in forbidden:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            kiosk.execute(statement)


# -- pinned search_path -------------------------------------------------------------------------


# Migration 0007 (issue 17): the loss report, its lifting, the filing request.
LOSS_AND_FILING = {
    "loss_report_challenge",
    "loss_report_answer",
    "loss_report_outcome",
    "lift_loss_report",
    "filing_destinations",
    "request_filing",
}
LOSS_AND_FILING_HELPERS = {
    "citizen_ref_of",
    "own_transaction",
    "count_asked",
    "report_in_force",
    "audit_row",
    "masked_name",
}


def test_every_function_is_owned_by_sscard_api_with_its_settings_pinned(
    admin: psycopg.Connection[Any],
) -> None:
    rows = admin.execute(
        "SELECT p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),"
        " has_function_privilege('sscard_kiosk', p.oid, 'EXECUTE'),"
        " EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0)"
        " FROM pg_proc p WHERE p.pronamespace = 'kiosk_api'::regnamespace ORDER BY 1"
    ).fetchall()
    for_kiosks = {"card_status", "heartbeat", "record", *SCREENS, *LOSS_AND_FILING}
    for_kiosks |= set(DOCUMENT_KIOSK_FUNCTIONS)  # 0006: printed documents, the certificate
    assert {r[0] for r in rows} == for_kiosks | {
        "card_ref",
        "card_ref_of",
        "gate",
        "gate_counted",  # 0004's gate; 0005's gate serves opened cards before it
        "suspicious_kiosks",
        "caller",  # 0008: the kiosk a call is for (session_user, or the pool's proved one)
        *LOSS_AND_FILING_HELPERS,
        *DOCUMENT_INTERNAL_FUNCTIONS,
    }
    for name, definer, config, owner_name, kiosk_may, public_may in rows:
        assert owner_name == "sscard_api", name
        assert "search_path=kiosk_api, public, pg_temp" in config, name
        assert any(c.startswith("TimeZone=") for c in config), name
        assert "jit=off" in config, name  # migration 0005: no LLVM compile in a 1 ms call
        assert not public_may, name
        assert kiosk_may is (name in for_kiosks), name
        assert definer is (name in for_kiosks | {"card_ref"}), name


def test_a_kiosks_temp_objects_and_settings_cannot_hijack_the_functions(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    kiosk = kiosk_as("kapi_hijack")
    for statement in (
        "CREATE TEMP TABLE card (card_number text, person_id int, issued_on date,"
        " expires_on date, status text, status_changed_at timestamp, replaced_by text)",
        "INSERT INTO card VALUES ('G31010007', 7, '2020-01-01', '2099-01-01', 'active')",
        "CREATE TEMP TABLE pseudonym_key (key_id int, key bytea, created_at timestamptz)",
        "INSERT INTO pseudonym_key VALUES (99, 'known to the thief', now())",
        "CREATE TEMP TABLE kiosk_limit (kiosk_role name, cards_per_hour int)",
        "INSERT INTO kiosk_limit VALUES ('kapi_hijack', 1000000)",
        "CREATE TEMP TABLE audit_event (id int, at timestamp, kiosk_id text, action text,"
        " outcome text, card_hash text, event_key text, card_ref text, kiosk_at timestamp)",
        "SET search_path = pg_temp, kiosk_api, public",
        "SET TimeZone = 'Pacific/Kiritimati'",  # UTC+14: would move `at` out of the hour
    ):
        kiosk.execute(statement)
    assert call(kiosk, "card_status", "G31010007") == "lost"
    assert kiosk.execute("SELECT count(*) FROM pg_temp.audit_event").fetchone() == (0,)
    action, outcome, ref, _ = last_audit(admin, "kapi_hijack")
    assert (action, outcome, ref) == ("card_status", "refused_lost", server_ref(admin, "G31010007"))
    at = admin.execute(
        "SELECT at FROM audit_event WHERE kiosk_id = 'kapi_hijack' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert at is not None
    assert abs(at[0] - server_now(admin)) < timedelta(minutes=1)


# -- one round trip ------------------------------------------------------------------------------


def _round_trips(connection: psycopg.Connection[Any], work: Callable[[], Any]) -> list[str]:
    """The protocol messages `work` sent and received (libpq's own trace)."""
    handle, name = tempfile.mkstemp(prefix="kapi-trace-")
    try:
        connection.pgconn.trace(handle)
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        work()
        connection.pgconn.untrace()
        return Path(name).read_text("utf-8").splitlines()
    finally:
        os.close(handle)
        Path(name).unlink()


def test_every_screen_is_one_statement_in_one_round_trip(
    kiosk_as: KioskFactory, admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    kiosk = kiosk_as("kapi_trip")
    call(kiosk, "card_status", CARD)
    admin.execute("SELECT pg_stat_statements_reset('kapi_trip'::regrole::oid)")
    now = server_now(admin)
    for screen in SCREENS:
        messages = _round_trips(
            kiosk, lambda s=screen: call(kiosk, s, *screen_args(s, CARD, CITIZEN, now))
        )
        sent = [m.split("\t")[2] for m in messages if m.startswith("F")]
        answered = [m for m in messages if m.startswith("B") and "ReadyForQuery" in m]
        assert sent.count("Sync") == 1, (screen, sent)
        assert "Query" not in sent, (screen, sent)
        assert len(answered) == 1, screen
    statements = admin.execute(
        "SELECT query, calls FROM pg_stat_statements WHERE userid = 'kapi_trip'::regrole::oid"
        " ORDER BY query"
    ).fetchall()
    assert sum(calls for _, calls in statements) == len(SCREENS)
    assert all(query.startswith("SELECT kiosk_api.") for query, _ in statements)


# -- the migration -------------------------------------------------------------------------------


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kiosk_api_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_frozen_constants_agree_with_the_kiosk() -> None:
    migration = _migration()
    days = f"{LOOKBACK.days} days"
    assert days == migration.LOOKBACK
    assert LOOKBACK.seconds == 0
    assert migration.MAX_PAGE == MAX_PAGE_SIZE


@pytest.fixture
def legacy_url(api_cluster: PostgresCluster) -> str:
    return api_cluster.create_database("kiosk_api_legacy")


def test_upgrading_rekeys_old_blake2b_pseudonyms_and_erases_them(legacy_url: str) -> None:
    from alembic import command

    engine = make_engine(legacy_url, 10.0, create=True)
    upgrade(engine, "0003")
    old = {
        card: hashlib.blake2b(card.encode(), key=LEGACY_KEY, digest_size=16).hexdigest()
        for card in ("A32010001", "B32010002", "Z99000003")
    }
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO region VALUES ('320100', '南京市', '江苏省')"))
        for n, card in enumerate(("A32010001", "B32010002"), start=1):
            connection.execute(
                text(
                    "INSERT INTO person VALUES (:n, :cid, '某', '1', '1960-01-01', 'employee',"
                    " '320100')"
                ),
                {"n": n, "cid": f"32010219600101{n:04d}"},
            )
            connection.execute(
                text(
                    "INSERT INTO card (card_number, person_id, issued_on, expires_on, status)"
                    " VALUES (:c, :n, '2020-01-01', '2030-01-01', 'active')"
                ),
                {"c": card, "n": n},
            )
        for n, digest in enumerate(old.values()):
            connection.execute(
                text(
                    "INSERT INTO audit_event (at, kiosk_id, action, outcome, card_hash, event_key)"
                    " VALUES ('2026-11-01 09:00', 'k1', 'summary', 'ok', :h, :k)"
                ),
                {"h": digest, "k": f"old-{n}"},
            )
    upgrade(engine)
    with psycopg.connect(legacy_url.replace("postgresql+psycopg", "postgresql")) as connection:
        key_row = connection.execute("SELECT key FROM kiosk_api.pseudonym_key").fetchone()
        assert key_row is not None
        rows = dict(
            connection.execute(
                "SELECT event_key, card_ref FROM audit_event WHERE card_hash IS NULL"
            ).fetchall()
        )
    ref = {c: hmac.new(bytes(key_row[0]), c.encode(), hashlib.sha256).hexdigest() for c in old}
    assert rows == {"old-0": ref["A32010001"], "old-1": ref["B32010002"], "old-2": None}
    # Down and up again: the roles are the cluster's and already there, which is fine.
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    upgrade(engine)
    engine.dispose()


def test_on_sqlite_the_revision_only_adds_the_columns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}", create=True)
    upgrade(engine)
    with engine.connect() as connection:
        columns = {r[1] for r in connection.exec_driver_sql("PRAGMA table_info(audit_event)")}
        indexes = {r[1] for r in connection.exec_driver_sql("PRAGMA index_list(audit_event)")}
    assert {"card_hash", "card_ref", "kiosk_at"} <= columns
    assert "ix_audit_event_kiosk_id_at" in indexes
    engine.dispose()

"""Kiosks call functions, never tables (issue 16): the `kiosk_api` schema on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:00:00.000000

On both stores audit_event gains `card_ref` (the server's pseudonym of the card: HMAC-SHA-256
hex under a key only the server holds), `kiosk_at` (the time the kiosk claims, kept apart
from `at`, which the server now writes) and an index on (kiosk_id, at) (one kiosk's rows by
time: suspicious_kiosks, an investigator's trail). `card_hash` stays: it is the kiosk-side keyed BLAKE2b that the SQLite store (and
kiosks before this revision) write. On PostgreSQL this revision re-keys every old row's
BLAKE2b into card_ref (the key of that BLAKE2b is in the source, so a dictionary of all
card numbers reverses it) and then empties card_hash; rows written through kiosk_api never
carry one.

The rest is PostgreSQL only (SQLite gets nothing else):

- pgcrypto; roles `sscard_api` (NOLOGIN: it owns the schema `kiosk_api`, its tables and every
  function in it, so SECURITY DEFINER functions run with exactly its rights) and
  `sscard_kiosk` (NOLOGIN group: kiosk login roles are members; it may EXECUTE the kiosk
  functions and nothing else). Roles are cluster-wide, so they are created only if missing
  and never dropped by the downgrade.
- `kiosk_api.pseudonym_key` (32 random bytes, readable by sscard_api alone),
  `kiosk_api.kiosk_limit` (distinct cards per hour per kiosk role; the row '*' is the
  default, 60) and `kiosk_api.card_seen` (each kiosk's distinct cards of its last hour:
  the set its audit rows of the hour give, kept apart so that the ceiling reads at most
  cards_per_hour rows rather than every call of the hour).
- Row-level security, ENABLEd and FORCEd, on audit_event and kiosk_heartbeat: any role other
  than the table owner reads and inserts (heartbeats also update) only rows whose kiosk_id
  is its session_user, the kiosk's login role. Nobody but the owner may update or delete an
  audit row. The owner keeps full access through a permissive policy of its own rather than
  BYPASSRLS, because only a superuser can hand out BYPASSRLS and an owner policy travels
  with the table; superusers bypass row security anyway. Another admin role needs
  membership in the owner role (or BYPASSRLS) to see every kiosk's rows.
- The functions. Those a kiosk calls (and card_ref) are SECURITY DEFINER; the helpers they
  call run as the caller, which is then sscard_api; suspicious_kiosks runs with the admin's
  rights (see there). All are owned by sscard_api, none is executable by PUBLIC, and all
  have search_path and TimeZone pinned: a kiosk must not be able to
  shift `at` (and so the ceiling's hour) by SET TimeZone, nor shadow a table with a temp
  object. Every table is also schema-qualified, and CREATE on schema public is revoked
  from PUBLIC (PostgreSQL 15's default; an older cluster's grant would let a kiosk plant
  an operator in public that the functions' search_path finds).

Why a screen must be "opened" first. The audit row is written in the caller's transaction,
so a thief who runs `BEGIN; SELECT kiosk_api.overview(...); ROLLBACK` would leave no row
and never count against the ceiling. So the screen functions serve a card only when this
kiosk's `card_status` for it (an active card) is COMMITTED, from an earlier transaction,
within the last hour; otherwise they refuse with 'unopened'. The honest kiosk asks
card_status when the card goes in, before the PIN, in its own transaction. What a rollback
can still hide is card_status itself, which answers only a status, for at most
`cards_per_hour` new cards per transaction. Likewise the functions refuse to run in a
REPEATABLE READ or SERIALIZABLE transaction: its snapshot, taken before the per-kiosk
lock, would not see the calls that ran meanwhile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

API_OWNER = "sscard_api"
KIOSK_GROUP = "sscard_kiosk"
SCHEMA = "kiosk_api"
DEFAULT_CARDS_PER_HOUR = 60
# kiosk.store.flags.LOOKBACK, frozen here like everything in a migration (a test checks
# they agree; a new look-back is a new revision of the functions).
LOOKBACK = "365 days"
MAX_PAGE = 100  # kiosk.services.MAX_PAGE_SIZE
# pg_advisory_xact_lock(class, key): one kiosk role's calls run one after another, so two
# parallel connections cannot both pass the ceiling with the same count.
LOCK_CLASS = 160004
# The kiosk-side BLAKE2b of kiosk/store/audit.py before this revision, copied so the
# re-keying below keeps working when that code changes.
LEGACY_HASH_KEY = b"sscard-kiosk/audit/v1"

# Refusals that make a kiosk suspicious: over its ceiling, a card number with someone
# else's citizen ID, a screen asked for a card it never opened (a rolled-back session).
SUSPICIOUS_OUTCOMES = ("refused_ceiling", "refused_mismatch", "refused_unopened")
# Actions only the server writes; `record` refuses them so a kiosk cannot forge an opening.
SERVER_ACTIONS = (
    "card_status",
    "overview",
    "history_page",
    "contributions",
    "annual_statement",
    "family_aid",
    "filings",
    "charges_to_check",
    "receipt_data",
)
ACCOUNT_TABLES = (
    "region",
    "institution",
    "person",
    "card",
    "account",
    "ledger_entry",
    "outpatient_quota",
    "contribution",
    "family_binding",
    "remote_filing",
)


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('kiosk_at', kiosk.store.types.timestamp(), nullable=True))
        batch_op.create_index('ix_audit_event_kiosk_id_at', ['kiosk_id', 'at'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_upgrade(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_downgrade(bind)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_kiosk_id_at')
        batch_op.drop_column('kiosk_at')
        batch_op.drop_column('card_ref')


# -- PostgreSQL ------------------------------------------------------------------------------


def _run(bind: sa.Connection, statements: Iterable[str]) -> None:
    for statement in statements:
        # psycopg reads % as a placeholder even without parameters (format(), RAISE).
        bind.exec_driver_sql(statement.replace("%", "%%"))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _postgres_upgrade(bind: sa.Connection) -> None:
    _run(bind, [_ROLES, "CREATE EXTENSION IF NOT EXISTS pgcrypto"])
    crypto = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
    ).scalar_one()
    # Captured now, pinned into every function: the server's time zone (the store's
    # timestamps are naive local time), which a kiosk's SET TimeZone cannot move.
    zone = str(bind.exec_driver_sql("SHOW TimeZone").scalar_one())
    owner = bind.exec_driver_sql(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename = 'audit_event'"
    ).scalar_one()
    sequence = bind.exec_driver_sql(
        "SELECT pg_get_serial_sequence('audit_event', 'id')"
    ).scalar_one()
    _run(bind, _schema_statements(crypto, sequence))
    settings = f"SET search_path = {SCHEMA}, public, pg_temp SET TimeZone = {_literal(zone)}"
    _run(bind, [body.replace("$SETTINGS$", settings) for body in _functions(crypto)])
    _run(bind, _function_rights())
    _rekey_legacy_hashes(bind)  # with card_ref_of, before row security applies to the owner
    _run(bind, _row_security(_ident(owner)))


_ROLES = f"""
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{API_OWNER}') THEN
        CREATE ROLE {API_OWNER} NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{KIOSK_GROUP}') THEN
        CREATE ROLE {KIOSK_GROUP} NOLOGIN;
    END IF;
    -- Nobody logs in as either, even if someone once made them LOGIN by hand.
    ALTER ROLE {API_OWNER} NOLOGIN;
    ALTER ROLE {KIOSK_GROUP} NOLOGIN;
    -- A non-superuser owner (CREATEROLE) must be a member to hand objects to sscard_api.
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT {API_OWNER} TO %I', current_user);
    END IF;
END
$roles$
"""


def _schema_statements(crypto: str, sequence: str | None) -> list[str]:
    account_tables = ", ".join(f"public.{t}" for t in ACCOUNT_TABLES)
    statements = [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"CREATE SCHEMA {SCHEMA} AUTHORIZATION {API_OWNER}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {KIOSK_GROUP}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {API_OWNER} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {API_OWNER}",
        f"GRANT USAGE ON SCHEMA {_ident(crypto)} TO {API_OWNER}",
        # What the functions read and write, as sscard_api; the kiosks get none of it.
        f"GRANT SELECT ON {account_tables} TO {API_OWNER}",
        f"GRANT SELECT, INSERT ON public.audit_event TO {API_OWNER}",
        f"GRANT SELECT, INSERT, UPDATE ON public.kiosk_heartbeat TO {API_OWNER}",
        f"""
        CREATE TABLE {SCHEMA}.pseudonym_key (
            key_id int PRIMARY KEY,
            key bytea NOT NULL CHECK (octet_length(key) >= 32),
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"ALTER TABLE {SCHEMA}.pseudonym_key OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.pseudonym_key FROM PUBLIC",
        f"INSERT INTO {SCHEMA}.pseudonym_key (key_id, key)"
        f" VALUES (1, {_ident(crypto)}.gen_random_bytes(32))",
        f"""
        CREATE TABLE {SCHEMA}.kiosk_limit (
            kiosk_role name PRIMARY KEY,
            cards_per_hour int NOT NULL CHECK (cards_per_hour >= 0)
        )""",
        f"ALTER TABLE {SCHEMA}.kiosk_limit OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.kiosk_limit FROM PUBLIC",
        f"INSERT INTO {SCHEMA}.kiosk_limit VALUES ('*', {DEFAULT_CARDS_PER_HOUR})",
        # The cards each kiosk asked about in its last hour (the gate deletes older rows,
        # so a kiosk has at most cards_per_hour of them), and when a card_status opened
        # one: opened_xid is that transaction, so a screen can tell it is committed.
        f"""
        CREATE TABLE {SCHEMA}.card_seen (
            kiosk_role text NOT NULL,
            card_ref text NOT NULL,
            last_at timestamp NOT NULL,
            opened_at timestamp,
            opened_xid xid8,
            PRIMARY KEY (kiosk_role, card_ref)
        )""",
        f"CREATE INDEX card_seen_kiosk_role_last_at ON {SCHEMA}.card_seen (kiosk_role, last_at)",
        f"ALTER TABLE {SCHEMA}.card_seen OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.card_seen FROM PUBLIC",
        f"COMMENT ON TABLE {SCHEMA}.kiosk_limit IS 'Distinct cards per hour a kiosk role may"
        " ask about; the row * is the default for roles without a row of their own.'",
        f"COMMENT ON TABLE {SCHEMA}.pseudonym_key IS 'The HMAC key of audit_event.card_ref:"
        " readable by sscard_api only, never sent to a kiosk. The newest key_id is used.'",
    ]
    if sequence:
        statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {API_OWNER}")
    return statements


def _legacy_hash(card_number: str) -> str:
    return hashlib.blake2b(
        card_number.encode("utf-8"), key=LEGACY_HASH_KEY, digest_size=16
    ).hexdigest()


def _rekey_legacy_hashes(bind: sa.Connection, batch: int = 50_000) -> None:
    """Old rows: BLAKE2b (reversible by anyone with the source) -> the server's HMAC.

    The server knows every card number, so it can find each old hash's card by hashing
    them all once; the hash itself is then erased. A hash of a number the store does not
    know (an unknown card) cannot be re-keyed and is erased too.
    """
    wanted = set(
        bind.exec_driver_sql(
            "SELECT DISTINCT card_hash FROM audit_event WHERE card_hash IS NOT NULL"
        ).scalars()
    )
    if not wanted:
        return
    bind.exec_driver_sql(
        "CREATE TEMP TABLE legacy_card (card_hash text PRIMARY KEY, card_number text NOT NULL)"
        " ON COMMIT DROP"
    )
    last = ""
    page = sa.text(
        "SELECT card_number FROM card WHERE card_number > :last ORDER BY card_number LIMIT :n"
    )
    while numbers := list(bind.execute(page, {"last": last, "n": batch}).scalars()):
        found = [
            {"h": h, "c": n} for n in numbers if (h := _legacy_hash(n)) in wanted
        ]
        if found:
            bind.execute(
                sa.text(
                    "INSERT INTO legacy_card VALUES (:h, :c) ON CONFLICT (card_hash) DO NOTHING"
                ),
                found,
            )
        last = numbers[-1]
    bind.exec_driver_sql(
        f"UPDATE audit_event a SET card_ref = {SCHEMA}.card_ref_of(l.card_number)"
        " FROM legacy_card l WHERE a.card_hash = l.card_hash"
    )
    bind.exec_driver_sql("UPDATE audit_event SET card_hash = NULL WHERE card_hash IS NOT NULL")


def _row_security(owner: str) -> list[str]:
    own = "kiosk_id::text = session_user::text"
    return [
        "ALTER TABLE public.audit_event ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE public.audit_event FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY audit_event_owner ON public.audit_event FOR ALL TO {owner}"
        " USING (true) WITH CHECK (true)",
        f"CREATE POLICY audit_event_own_read ON public.audit_event FOR SELECT USING ({own})",
        f"CREATE POLICY audit_event_own_insert ON public.audit_event FOR INSERT"
        f" WITH CHECK ({own})",
        "ALTER TABLE public.kiosk_heartbeat ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE public.kiosk_heartbeat FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY kiosk_heartbeat_owner ON public.kiosk_heartbeat FOR ALL TO {owner}"
        " USING (true) WITH CHECK (true)",
        f"CREATE POLICY kiosk_heartbeat_own_read ON public.kiosk_heartbeat FOR SELECT"
        f" USING ({own})",
        f"CREATE POLICY kiosk_heartbeat_own_insert ON public.kiosk_heartbeat FOR INSERT"
        f" WITH CHECK ({own})",
        f"CREATE POLICY kiosk_heartbeat_own_update ON public.kiosk_heartbeat FOR UPDATE"
        f" USING ({own}) WITH CHECK ({own})",
    ]


# -- the functions ---------------------------------------------------------------------------
#
# Each screen answers one JSON object (type json: see _rows) whose keys name the statements
# of kiosk/store/queries.py the screen needs, in lower case, each an array of row objects
# with exactly that statement's column names; or {"refused": why} and nothing else.
# Timestamps come out as ISO-8601 without a zone, dates as YYYY-MM-DD, numeric as exact
# JSON numbers. The fragments below are those statements, written out in SQL so they are
# frozen with the revision; each screen runs them as ONE statement (one plan, cached by
# PL/pgSQL).

_ENTRY_COLUMNS = """
    l.entry_no, l.posted_at, l.kind, l.amount, l.balance_after, l.pooled_amount,
    l.quota_used, l.counterpart_id, l.reference, l.institution_id,
    i.name AS institution_name, i.kind AS institution_kind, i.region_code,
    cp.name AS counterpart_name"""
# A person has a few dozen entries a year: look each institution up by its key (OFFSET 0
# keeps the planner from hashing the whole institution table for them).
_ENTRY_FROM = """
    FROM public.ledger_entry l
    LEFT JOIN LATERAL (
        SELECT i.name, i.kind, i.region_code FROM public.institution i
         WHERE i.id = l.institution_id OFFSET 0) i ON true
    LEFT JOIN public.person cp ON cp.id = l.counterpart_id"""


def _rows(select: str, order: str = "") -> str:
    """A scalar subquery: the rows of `select` as a JSON array of objects, in `order`.

    json, not jsonb: json_agg writes the text straight away, where jsonb_agg builds and
    sorts every object first; measured here, that halves the cost of a screen.
    """
    order_by = f" ORDER BY {order}" if order else ""
    return f"(SELECT coalesce(json_agg(r{order_by}), '[]'::json) FROM ({select}) r)"


def _resolve(card: str, year: str) -> str:
    return _rows(
        f"""SELECT c.status, c.expires_on, c.issued_on, p.id AS person_id, p.name,
            p.citizen_id, p.insurance_type, p.home_region, a.balance, q.quota_limit,
            q.used AS quota_used,
            (SELECT max(o.status_changed_at) FROM public.card o
              WHERE o.person_id = c.person_id AND o.status IN ('lost', 'replaced'))
              AS last_lost_at
        FROM public.card c
        JOIN public.person p ON p.id = c.person_id
        LEFT JOIN public.account a ON a.person_id = p.id
        LEFT JOIN public.outpatient_quota q ON q.person_id = p.id AND q.year = {year}
        WHERE c.card_number = {card}"""
    )


def _entries_since(since: str) -> str:
    return _rows(
        f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM}"
        f" WHERE l.person_id = v_person AND l.posted_at >= {since}",
        "r.entry_no",
    )


def _history(kind: str, since: str, limit: str, offset: str) -> str:
    return _rows(
        f"""SELECT {_ENTRY_COLUMNS}, count(*) OVER () AS total {_ENTRY_FROM}
        WHERE l.person_id = v_person AND ({kind} IS NULL OR l.kind = {kind})
          AND ({since} IS NULL OR l.posted_at >= {since})
        ORDER BY l.entry_no DESC LIMIT {limit} OFFSET {offset}""",
        "r.entry_no DESC",
    )


def _history_count(kind: str, since: str) -> str:
    # count_1: the name SQLAlchemy gives queries.HISTORY_COUNT's unlabelled count(*).
    return _rows(
        f"""SELECT count(*) AS count_1 FROM public.ledger_entry l
        WHERE l.person_id = v_person AND ({kind} IS NULL OR l.kind = {kind})
          AND ({since} IS NULL OR l.posted_at >= {since})"""
    )


_CONTRIBUTION_COLUMNS = (
    "k.person_id, k.period, k.base, k.employee, k.employer, k.to_personal_account, k.arrived_at"
)
_LAST_CONTRIBUTION = _rows(
    f"SELECT {_CONTRIBUTION_COLUMNS} FROM public.contribution k"
    " WHERE k.person_id = v_person ORDER BY k.period DESC LIMIT 1"
)


def _contributions(since: str) -> str:
    return _rows(
        f"SELECT {_CONTRIBUTION_COLUMNS} FROM public.contribution k"
        f" WHERE k.person_id = v_person AND k.period >= {since}",
        "r.period DESC",
    )


_FILINGS = _rows(
    """SELECT f.id, f.person_id, f.filing_type, f.region_code, f.valid_from, f.valid_until,
        f.status, g.name AS region_name
    FROM public.remote_filing f JOIN public.region g ON g.code = f.region_code
    WHERE f.person_id = v_person""",
    "r.valid_from DESC, r.id DESC",
)
# Both directions, payer rows first (as the UNION ALL of queries.BINDINGS returns them).
_BINDINGS = _rows(
    """SELECT 'payer'::text AS direction, b.relation, b.since,
            b.beneficiary_id AS counterpart_id, cp.name AS counterpart_name
        FROM public.family_binding b JOIN public.person cp ON cp.id = b.beneficiary_id
        WHERE b.payer_id = v_person
    UNION ALL
    SELECT 'beneficiary'::text, b.relation, b.since, b.payer_id, cp.name
        FROM public.family_binding b JOIN public.person cp ON cp.id = b.payer_id
        WHERE b.beneficiary_id = v_person""",
    "r.direction DESC, r.counterpart_id",
)


def _year_entries(start: str, stop: str) -> str:
    return _rows(
        f"""SELECT l.entry_no, l.posted_at, l.kind, l.amount, l.balance_after
        FROM public.ledger_entry l
        WHERE l.person_id = v_person AND l.posted_at >= {start} AND l.posted_at < {stop}""",
        "r.entry_no",
    )


def _balance_before(start: str) -> str:
    return _rows(
        f"""SELECT l.balance_after FROM public.ledger_entry l
        WHERE l.person_id = v_person AND l.posted_at < {start}
        ORDER BY l.entry_no DESC LIMIT 1"""
    )


def _region_name(code: str) -> str:
    return _rows(f"SELECT g.name FROM public.region g WHERE g.code = {code}")


_NOW = "localtimestamp"  # inside the functions: the transaction's time in the pinned zone
_RECENT = f"({_NOW} - interval '{LOOKBACK}')"
_THIS_YEAR = f"extract(year FROM {_NOW})::int"


def _screens() -> dict[str, tuple[str, str, dict[str, str]]]:
    """name -> (parameters, checks before the gate, {key: fragment})."""

    def p(name: str, parameter: str) -> str:
        return f"{name}.{parameter}"

    history_page_kind, history_page_since = p("history_page", "kind"), p("history_page", "since")
    history_limit = p("history_page", "page_limit")
    history_offset = p("history_page", "page_offset")
    receipt_limit = p("receipt_data", "entries")
    return {
        "overview": (
            "card_number text, citizen_id text, year int, region_code text DEFAULT NULL",
            "",
            {
                "resolve": _resolve(p("overview", "card_number"), p("overview", "year")),
                "entries_since": _entries_since(_RECENT),
                "filings": _FILINGS,
                "last_contribution": _LAST_CONTRIBUTION,
                "bindings": _BINDINGS,
                "region_name": _region_name(p("overview", "region_code")),
            },
        ),
        "history_page": (
            "card_number text, citizen_id text, kind text, since timestamp,"
            " page_limit int, page_offset int",
            _page_checks(history_limit, history_offset),
            {
                "resolve": _resolve(p("history_page", "card_number"), _THIS_YEAR),
                "history": _history(
                    history_page_kind, history_page_since, history_limit, history_offset
                ),
                "history_count": _history_count(history_page_kind, history_page_since),
                # For the flags of the page's recent rows (reads.history).
                "entries_since": _entries_since(_RECENT),
                "filings": _FILINGS,
            },
        ),
        "contributions": (
            "card_number text, citizen_id text, since date",
            "",
            {
                "resolve": _resolve(p("contributions", "card_number"), _THIS_YEAR),
                "contributions": _contributions(p("contributions", "since")),
            },
        ),
        "annual_statement": (
            "card_number text, citizen_id text, start timestamp, stop timestamp",
            "",
            {
                "resolve": _resolve(p("annual_statement", "card_number"), _THIS_YEAR),
                "year_entries": _year_entries(
                    p("annual_statement", "start"), p("annual_statement", "stop")
                ),
                "balance_before": _balance_before(p("annual_statement", "start")),
            },
        ),
        "family_aid": (
            "card_number text, citizen_id text, since timestamp",
            "",
            {
                "resolve": _resolve(p("family_aid", "card_number"), _THIS_YEAR),
                "entries_since": _entries_since(p("family_aid", "since")),
                "bindings": _BINDINGS,
            },
        ),
        "filings": (
            "card_number text, citizen_id text",
            "",
            {
                "resolve": _resolve(p("filings", "card_number"), _THIS_YEAR),
                "filings": _FILINGS,
            },
        ),
        "charges_to_check": (
            "card_number text, citizen_id text, since timestamp",
            "",
            {
                "resolve": _resolve(p("charges_to_check", "card_number"), _THIS_YEAR),
                "entries_since": _entries_since(p("charges_to_check", "since")),
                "filings": _FILINGS,
            },
        ),
        "receipt_data": (
            "card_number text, citizen_id text, since timestamp, entries int,"
            " region_code text DEFAULT NULL",
            _page_checks(receipt_limit, "0"),
            {
                "resolve": _resolve(p("receipt_data", "card_number"), _THIS_YEAR),
                "history": _history("NULL::text", "NULL::timestamp", receipt_limit, "0"),
                "history_count": _history_count("NULL::text", "NULL::timestamp"),
                "entries_since": _entries_since(p("receipt_data", "since")),
                "filings": _FILINGS,
                "last_contribution": _LAST_CONTRIBUTION,
                "region_name": _region_name(p("receipt_data", "region_code")),
            },
        ),
    }


def _page_checks(limit: str, offset: str) -> str:
    # Refused before anything is read or audited: the kiosk never asks for such a page.
    return f"""
    IF {limit} IS NULL OR {limit} < 1 OR {limit} > {MAX_PAGE}
       OR {offset} IS NULL OR {offset} < 0 THEN
        RAISE EXCEPTION 'kiosk_api: a page is 1 to {MAX_PAGE} rows at an offset >= 0'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;"""


def _screen_function(name: str, parameters: str, checks: str, keys: dict[str, str]) -> str:
    served = ",\n            ".join(f"'{key}', {fragment}" for key, fragment in keys.items())
    return f"""
CREATE FUNCTION {SCHEMA}.{name}({parameters}) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_person int;
    v_refusal text;
BEGIN{checks}
    SELECT g.person_id, g.refusal INTO v_person, v_refusal
      FROM {SCHEMA}.gate('{name}', {name}.card_number, {name}.citizen_id, true) g;
    IF v_refusal IS NOT NULL THEN
        RETURN json_build_object('refused', v_refusal);
    END IF;
    RETURN json_build_object(
            {served});
END
$fn$"""


def _functions(crypto: str) -> list[str]:
    hmac = f"{_ident(crypto)}.hmac"
    server_actions = ", ".join(f"'{a}'" for a in SERVER_ACTIONS)
    suspicious = ", ".join(f"'{o}'" for o in SUSPICIOUS_OUTCOMES)
    functions = [
        # The pseudonym. Not granted to kiosks: no function returns a card_ref to them, so
        # none is an HMAC oracle. What the functions that take a card number are is an
        # oracle of that card's status (card_status) and, with its citizen ID, of its
        # accounts (the screens); the ceiling bounds both: at most cards_per_hour distinct
        # numbers an hour get any answer but 'ceiling', and the refusals above it show the
        # kiosk in suspicious_kiosks. A screen answers only a card whose opening is
        # committed, so every account read leaves a row; card_status under a rollback
        # leaves none but still answers at most cards_per_hour new numbers a transaction.
        # At 60 an hour the 2.6 billion possible numbers stay out of a thief's reach.
        f"""
CREATE FUNCTION {SCHEMA}.card_ref(card_number text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER $SETTINGS$ AS $fn$
BEGIN
    RETURN {SCHEMA}.card_ref_of(card_ref.card_number);
END
$fn$""",
        # The same, as an invoker function for the other functions (they run as sscard_api
        # already; a second definer hop would only cost time). PL/pgSQL, not SQL: it keeps
        # its plan, where a SQL function with SET clauses is planned again on every call.
        f"""
CREATE FUNCTION {SCHEMA}.card_ref_of(p_card text) RETURNS text
LANGUAGE plpgsql STABLE $SETTINGS$ AS $fn$
BEGIN
    RETURN (SELECT encode({hmac}(convert_to(p_card, 'UTF8'), k.key, 'sha256'), 'hex')
              FROM {SCHEMA}.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1);
END
$fn$""",
        # Every card-number question passes here: one kiosk role at a time, the ceiling,
        # the card, the citizen ID, the opening, and the audit row, in the caller's
        # transaction. Returns the person when served, else why not.
        f"""
CREATE FUNCTION {SCHEMA}.gate(
    p_action text, p_card text, p_citizen text, p_screen boolean,
    OUT person_id int, OUT refusal text
) LANGUAGE plpgsql VOLATILE $SETTINGS$ AS $fn$
DECLARE
    v_kiosk text := session_user;
    v_at timestamp := clock_timestamp()::timestamp;
    v_ref text;
    v_limit int;
    v_others bigint;
    v_seen boolean := false;
    v_opened boolean := false;
    v_opening xid8;
    v_status text;
    v_expires date;
    v_citizen text;
BEGIN
    -- Later statements must see rows other calls committed meanwhile (the ceiling, the
    -- opening); a snapshot taken before the lock would not.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'kiosk_api: call the kiosk functions in READ COMMITTED transactions'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(v_kiosk));
    v_ref := {SCHEMA}.card_ref_of(p_card);
    v_limit := coalesce(
        (SELECT l.cards_per_hour FROM {SCHEMA}.kiosk_limit l WHERE l.kiosk_role = v_kiosk::name),
        (SELECT l.cards_per_hour FROM {SCHEMA}.kiosk_limit l WHERE l.kiosk_role = '*'),
        {DEFAULT_CARDS_PER_HOUR});
    -- The distinct cards of this kiosk's last hour, from card_seen: the same set as its
    -- audit rows of the hour (ceiling refusals left out) give, but at most cards_per_hour
    -- rows to read however many calls the hour saw.
    DELETE FROM {SCHEMA}.card_seen s
     WHERE s.kiosk_role = v_kiosk AND s.last_at < v_at - interval '1 hour';
    SELECT count(*) INTO v_others
      FROM {SCHEMA}.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref <> v_ref;
    -- An opening counts once it is committed: one this transaction made (in a savepoint
    -- or not) could still be rolled back, and pg_xact_status says 'in progress' for it.
    SELECT true, s.opened_at >= v_at - interval '1 hour'
                 AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress'
      INTO v_seen, v_opened
      FROM {SCHEMA}.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref = v_ref;
    v_seen := coalesce(v_seen, false);
    v_opened := coalesce(v_opened, false);
    IF NOT v_seen AND v_others + 1 > v_limit THEN
        refusal := 'ceiling';
    ELSE
        SELECT c.status, c.expires_on, p.citizen_id, c.person_id
          INTO v_status, v_expires, v_citizen, person_id
          FROM public.card c JOIN public.person p ON p.id = c.person_id
         WHERE c.card_number = p_card;
        IF NOT FOUND THEN
            refusal := 'unknown';
        -- As the kiosk compares them: the check character may be read as x or X.
        ELSIF p_screen AND upper(btrim(v_citizen)) IS DISTINCT FROM upper(btrim(p_citizen)) THEN
            refusal := 'mismatch';
        ELSIF v_status <> 'active' THEN
            refusal := CASE WHEN v_status IN ('lost', 'replaced', 'suspended', 'cancelled')
                            THEN v_status ELSE 'cancelled' END;
        ELSIF v_expires < v_at::date THEN
            refusal := 'expired';
        ELSIF p_screen AND NOT v_opened THEN
            refusal := 'unopened';
        END IF;
        -- Asked, so counted (whatever the answer), and opened by an active card's status.
        IF NOT p_screen AND refusal IS NULL THEN
            v_opening := pg_current_xact_id();
        END IF;
        INSERT INTO {SCHEMA}.card_seen AS s (kiosk_role, card_ref, last_at, opened_at,
                                             opened_xid)
        VALUES (v_kiosk, v_ref, v_at, CASE WHEN v_opening IS NOT NULL THEN v_at END,
                v_opening)
        ON CONFLICT (kiosk_role, card_ref) DO UPDATE SET
            last_at = excluded.last_at,
            opened_at = coalesce(excluded.opened_at, s.opened_at),
            opened_xid = coalesce(excluded.opened_xid, s.opened_xid);
    END IF;
    IF refusal IS NOT NULL THEN
        person_id := NULL;
    END IF;
    INSERT INTO public.audit_event (at, kiosk_id, action, outcome, card_ref, event_key)
    VALUES (v_at, v_kiosk, p_action, coalesce('refused_' || refusal, 'ok'), v_ref,
            's' || replace(gen_random_uuid()::text, '-', ''));
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.card_status(card_number text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_refusal text;
BEGIN
    SELECT g.refusal INTO v_refusal
      FROM {SCHEMA}.gate('card_status', card_status.card_number, NULL, false) g;
    -- 'ceiling' is the one answer that is not a card status: this kiosk is over its
    -- ceiling, and nothing was looked up.
    RETURN coalesce(v_refusal, 'active');
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.heartbeat(
    reader_state text, printer_state text, paper_left_mm int, last_error text,
    version text, alerts text
) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
BEGIN
    -- The row is always session_user's; row security would refuse any other anyway.
    INSERT INTO public.kiosk_heartbeat AS h (kiosk_id, last_seen, reader_state,
        printer_state, paper_left_mm, last_error, version, alerts)
    VALUES (session_user, date_trunc('second', clock_timestamp()::timestamp),
        left(coalesce(heartbeat.reader_state, ''), 32),
        left(coalesce(heartbeat.printer_state, ''), 32),
        heartbeat.paper_left_mm,
        left(coalesce(heartbeat.last_error, ''), 200),
        left(coalesce(heartbeat.version, ''), 32),
        left(coalesce(heartbeat.alerts, ''), 200))
    ON CONFLICT (kiosk_id) DO UPDATE SET
        last_seen = excluded.last_seen, reader_state = excluded.reader_state,
        printer_state = excluded.printer_state, paper_left_mm = excluded.paper_left_mm,
        last_error = excluded.last_error, version = excluded.version,
        alerts = excluded.alerts;
END
$fn$""",
        # What only the kiosk sees (a print, a wrong PIN), written again and again by the
        # outbox until it lands: idempotent by event_key. True when the row is new.
        f"""
CREATE FUNCTION {SCHEMA}.record(
    action text, outcome text, card_number text, kiosk_at timestamp, event_key text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
BEGIN
    IF record.action IS NULL OR record.action = '' OR record.outcome IS NULL
       OR record.event_key IS NULL OR length(record.event_key) NOT BETWEEN 1 AND 40 THEN
        RAISE EXCEPTION 'kiosk_api.record: action, outcome and an event_key (1-40) needed'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lower(btrim(record.action)) IN ({server_actions}) THEN
        -- The server writes these itself; a kiosk claiming one could forge an opening.
        RAISE EXCEPTION 'kiosk_api.record: % rows are written by the server', record.action
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.audit_event (at, kiosk_id, action, outcome, card_ref, kiosk_at,
                                    event_key)
    VALUES (clock_timestamp()::timestamp, session_user, left(record.action, 32),
            left(record.outcome, 32),
            CASE WHEN record.card_number IS NOT NULL AND record.card_number <> ''
                 THEN {SCHEMA}.card_ref_of(record.card_number) END,
            record.kiosk_at, record.event_key)
    ON CONFLICT ON CONSTRAINT uq_audit_event_event_key DO NOTHING;
    RETURN FOUND;
END
$fn$""",
        # For `kiosk fleet status`, not for kiosks. SECURITY INVOKER on purpose: as
        # sscard_api it would see only the caller's own rows (row security), so it reads
        # with the admin's rights, and a kiosk that got EXECUTE would still read nothing.
        # One index range per kiosk role (kiosk_id, at) rather than a scan of all audit rows.
        f"""
CREATE FUNCTION {SCHEMA}.suspicious_kiosks(since interval DEFAULT interval '1 hour')
RETURNS TABLE (kiosk_id text, refusals bigint, last_refusal timestamptz)
LANGUAGE sql STABLE SECURITY INVOKER $SETTINGS$ AS $fn$
    SELECT k.rolname::text, s.refusals, s.last_refusal::timestamptz
      FROM pg_catalog.pg_auth_members m
      JOIN pg_catalog.pg_roles k ON k.oid = m.member
      CROSS JOIN LATERAL (
          SELECT count(*) AS refusals, max(a.at) AS last_refusal
            FROM public.audit_event a
           WHERE a.kiosk_id = k.rolname::text
             AND a.at >= (now() - suspicious_kiosks.since)::timestamp
             AND a.outcome IN ({suspicious})) s
     WHERE m.roleid = '{KIOSK_GROUP}'::regrole AND s.refusals > 0
     ORDER BY s.refusals DESC, k.rolname
$fn$""",
    ]
    for name, (parameters, checks, keys) in _screens().items():
        functions.append(_screen_function(name, parameters, checks, keys))
    return functions


KIOSK_FUNCTIONS = (
    "card_status(text)",
    "overview(text, text, int, text)",
    "history_page(text, text, text, timestamp, int, int)",
    "contributions(text, text, date)",
    "annual_statement(text, text, timestamp, timestamp)",
    "family_aid(text, text, timestamp)",
    "filings(text, text)",
    "charges_to_check(text, text, timestamp)",
    "receipt_data(text, text, timestamp, int, text)",
    "heartbeat(text, text, int, text, text, text)",
    "record(text, text, text, timestamp, text)",
)
INTERNAL_FUNCTIONS = (
    "card_ref(text)",
    "card_ref_of(text)",
    "gate(text, text, text, boolean)",
    "suspicious_kiosks(interval)",
)


def _function_rights() -> list[str]:
    statements = []
    for signature in (*KIOSK_FUNCTIONS, *INTERNAL_FUNCTIONS):
        statements += [
            f"ALTER FUNCTION {SCHEMA}.{signature} OWNER TO {API_OWNER}",
            f"REVOKE ALL ON FUNCTION {SCHEMA}.{signature} FROM PUBLIC",
        ]
    statements += [
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{signature} TO {KIOSK_GROUP}"
        for signature in KIOSK_FUNCTIONS
    ]
    return statements


def _postgres_downgrade(bind: sa.Connection) -> None:
    account_tables = ", ".join(f"public.{t}" for t in ACCOUNT_TABLES)
    _run(
        bind,
        [
            f"DROP SCHEMA {SCHEMA} CASCADE",
            *(
                f"DROP POLICY IF EXISTS {policy} ON public.{table}"
                for table, policies in (
                    ("audit_event", ("owner", "own_read", "own_insert")),
                    ("kiosk_heartbeat", ("owner", "own_read", "own_insert", "own_update")),
                )
                for policy in (f"{table}_{p}" for p in policies)
            ),
            "ALTER TABLE public.audit_event NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE public.audit_event DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.kiosk_heartbeat NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE public.kiosk_heartbeat DISABLE ROW LEVEL SECURITY",
            f"REVOKE ALL ON {account_tables}, public.audit_event, public.kiosk_heartbeat"
            f" FROM {API_OWNER}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {API_OWNER}",
            # The erased BLAKE2b hashes do not come back; the roles stay (cluster-wide,
            # other databases may use them); pgcrypto stays (others may use it).
        ],
    )

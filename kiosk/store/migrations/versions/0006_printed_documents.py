"""Printed documents: the digest of every certificate and receipt, so anyone can verify a slip.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:00:00.000000

Both stores get what the insurance certificate (参保证明) needs and the store lacked:

- `employer_unit` (参保单位: credit code, name, region) and `enrolment` (one row a person:
  since when, status, unit, and the contribution months from before the months the
  contribution table holds, so a total can be honest about them);
- `average_wage` (a region's average monthly wage of a year), by which the certificate
  prints the latest contribution base as a band (60 %-300 % of it), never the base itself;
- `printed_document`: one row per certificate or receipt printed: its verification code,
  the document key id, kind, print time (as printed), the store's time, the kiosk, the masked
  name as printed, and an HMAC-SHA-256 digest over all of that and every printed fact.

PostgreSQL only, beside them:

- `kiosk_api.document_key` (key_id, 32 random bytes): readable by sscard_api alone, like
  the pseudonym key. The newest key signs new documents; older ones stay to check the
  slips they signed (rotating = inserting a key with a higher key_id).
- `kiosk_api.document_digest(...)`: the digest (an invoker helper; nobody else may run it).
- `kiosk_api.record_document(card, citizen ID, code, kind, printed_at, masked name, facts)`
  for kiosks: passes the gate (card number AND citizen ID, the card opened by this kiosk),
  which writes the audit row `print_<kind>` with the server's time and session_user; the
  row's kiosk is session_user. Returns {"key_id": n} or {"refused": why}.
- `kiosk_api.certificate_data(card, citizen ID, year, region_code)` for kiosks: the
  certificate's rows in one call, gated and audited as the screens are.
- Role `sscard_verifier` (NOLOGIN group; the verification service logs in as a member) and
  schema `verify_api` with one SECURITY DEFINER function, `check_document(code, key_id,
  facts)`: whether the facts are what was printed under that code. It answers the masked
  name, kind, time and kiosk only for a genuine slip. The group has USAGE on verify_api
  and EXECUTE on that function, nothing else: no table, no kiosk_api function.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

API_OWNER = "sscard_api"
KIOSK_GROUP = "sscard_kiosk"
VERIFIER_GROUP = "sscard_verifier"
SCHEMA = "kiosk_api"
VERIFY_SCHEMA = "verify_api"
# kiosk.store.printed_documents' limits, frozen here (a test checks they agree).
CODE_PATTERN = "^[A-Z2-7]{12}$"
MAX_FACTS = 4000
KINDS = ("certificate", "receipt")
DIGEST_PREFIX = "sscard-document-v1"
NEW_TABLES = ("employer_unit", "enrolment", "average_wage")


def upgrade() -> None:
    op.create_table('employer_unit',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_employer_unit_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_unit')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_employer_unit_credit_code'))
    )
    op.create_table('enrolment',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('months_before_records', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_enrolment_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['employer_unit.id'], name=op.f('fk_enrolment_unit_id_employer_unit')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_enrolment'))
    )
    op.create_table('average_wage',
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('monthly', kiosk.store.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_average_wage_region_code_region')),
    sa.PrimaryKeyConstraint('region_code', 'year', name=op.f('pk_average_wage'))
    )
    op.create_table('printed_document',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('printed_at', kiosk.store.types.timestamp(), nullable=False),
    sa.Column('recorded_at', kiosk.store.types.timestamp(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=64), nullable=False),
    sa.Column('masked_name', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printed_document')),
    sa.UniqueConstraint('code', name=op.f('uq_printed_document_code'))
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_upgrade(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _run(
            bind,
            [
                f"DROP SCHEMA {VERIFY_SCHEMA} CASCADE",
                f"DROP FUNCTION {SCHEMA}.record_document(text, text, text, text, timestamp,"
                " text, text)",
                f"DROP FUNCTION {SCHEMA}.certificate_data(text, text, int, text)",
                f"DROP FUNCTION {SCHEMA}.document_digest(int, text, text, timestamp, text,"
                " text, text)",
                f"DROP TABLE {SCHEMA}.document_key",
                # The role stays: roles are cluster-wide, other databases may use it.
            ],
        )
    op.drop_table('printed_document')
    op.drop_table('average_wage')
    op.drop_table('enrolment')
    op.drop_table('employer_unit')


# -- PostgreSQL ------------------------------------------------------------------------------


def _run(bind: sa.Connection, statements: Iterable[str]) -> None:
    for statement in statements:
        # psycopg reads % as a placeholder even without parameters.
        bind.exec_driver_sql(statement.replace("%", "%%"))


def _postgres_upgrade(bind: sa.Connection) -> None:
    crypto = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
    ).scalar_one()
    zone = str(bind.exec_driver_sql("SHOW TimeZone").scalar_one()).replace("'", "''")
    sequence = bind.exec_driver_sql(
        "SELECT pg_get_serial_sequence('printed_document', 'id')"
    ).scalar_one()
    settings = (
        f"SET search_path = {SCHEMA}, public, pg_temp SET TimeZone = '{zone}' SET jit = off"
    )
    statements = [
        _ROLE,
        f"GRANT SELECT ON {', '.join(f'public.{t}' for t in NEW_TABLES)} TO {API_OWNER}",
        f"GRANT SELECT, INSERT ON public.printed_document TO {API_OWNER}",
        f"GRANT USAGE ON SEQUENCE {sequence} TO {API_OWNER}",
        f"""
        CREATE TABLE {SCHEMA}.document_key (
            key_id int PRIMARY KEY CHECK (key_id > 0),
            key bytea NOT NULL CHECK (octet_length(key) >= 32),
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"ALTER TABLE {SCHEMA}.document_key OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.document_key FROM PUBLIC",
        f"INSERT INTO {SCHEMA}.document_key (key_id, key)"
        f' VALUES (1, "{crypto}".gen_random_bytes(32))',
        f"COMMENT ON TABLE {SCHEMA}.document_key IS 'HMAC keys of printed_document.digest:"
        " readable by sscard_api only. The newest key_id signs new documents; keep old keys"
        " so the slips they signed stay verifiable.'",
        f"CREATE SCHEMA {VERIFY_SCHEMA} AUTHORIZATION {API_OWNER}",
        f"REVOKE ALL ON SCHEMA {VERIFY_SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {VERIFY_SCHEMA} TO {VERIFIER_GROUP}",
    ]
    _run(bind, statements)
    for body in (_digest(crypto), _record(), _certificate(), _check()):
        _run(bind, [body.replace("$SETTINGS$", settings)])
    _run(bind, _rights())


_ROLE = f"""
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{VERIFIER_GROUP}') THEN
        CREATE ROLE {VERIFIER_GROUP} NOLOGIN;
    END IF;
    ALTER ROLE {VERIFIER_GROUP} NOLOGIN;
END
$roles$
"""


def _digest(crypto: str) -> str:
    # One message, written the same way by kiosk.store.printed_documents on SQLite.
    return f"""
CREATE FUNCTION {SCHEMA}.document_digest(
    p_key_id int, p_code text, p_kind text, p_printed_at timestamp, p_kiosk text,
    p_name text, p_facts text
) RETURNS text
LANGUAGE plpgsql STABLE $SETTINGS$ AS $fn$
BEGIN
    RETURN (SELECT encode("{crypto}".hmac(convert_to(
                '{DIGEST_PREFIX}' || E'\\n' || p_code || E'\\n' || p_kind || E'\\n'
                || to_char(p_printed_at, 'YYYY-MM-DD HH24:MI:SS') || E'\\n' || p_kiosk
                || E'\\n' || p_name || E'\\n' || p_facts, 'UTF8'), k.key, 'sha256'), 'hex')
              FROM {SCHEMA}.document_key k WHERE k.key_id = p_key_id);
END
$fn$"""


def _record() -> str:
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    return f"""
CREATE FUNCTION {SCHEMA}.record_document(
    card_number text, citizen_id text, code text, kind text, printed_at timestamp,
    masked_name text, facts text
) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_person int;
    v_refusal text;
    v_key int;
    v_taken public.printed_document%ROWTYPE;
    v_at timestamp := date_trunc('second', record_document.printed_at);
BEGIN
    IF record_document.code IS NULL OR record_document.code !~ '{CODE_PATTERN}'
       OR record_document.kind IS NULL OR record_document.kind NOT IN ({kinds})
       OR v_at IS NULL OR record_document.masked_name IS NULL
       OR length(record_document.masked_name) > 64
       OR record_document.facts IS NULL OR length(record_document.facts) > {MAX_FACTS} THEN
        RAISE EXCEPTION 'kiosk_api.record_document: a code of 12 base32 letters, a known kind, a time, a masked name and facts of bounded length'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT g.person_id, g.refusal INTO v_person, v_refusal
      FROM {SCHEMA}.gate('print_' || record_document.kind, record_document.card_number,
                         record_document.citizen_id, true) g;
    IF v_refusal IS NOT NULL THEN
        RETURN json_build_object('refused', v_refusal);
    END IF;
    -- The same slip again (a retry after the paper ran out): the row it has already.
    SELECT * INTO v_taken FROM public.printed_document d WHERE d.code = record_document.code;
    IF FOUND THEN
        IF v_taken.kiosk_id = session_user AND v_taken.digest = {SCHEMA}.document_digest(
               v_taken.key_id, record_document.code, record_document.kind, v_at,
               session_user, record_document.masked_name, record_document.facts) THEN
            RETURN json_build_object('key_id', v_taken.key_id);
        END IF;
        RAISE EXCEPTION 'kiosk_api.record_document: that code is another document''s'
            USING ERRCODE = 'unique_violation';
    END IF;
    SELECT max(k.key_id) INTO v_key FROM {SCHEMA}.document_key k;
    INSERT INTO public.printed_document (code, key_id, kind, printed_at, recorded_at,
                                         kiosk_id, masked_name, digest)
    VALUES (record_document.code, v_key, record_document.kind, v_at,
            date_trunc('second', clock_timestamp()::timestamp), session_user,
            record_document.masked_name,
            {SCHEMA}.document_digest(v_key, record_document.code, record_document.kind, v_at,
                                     session_user, record_document.masked_name,
                                     record_document.facts));
    RETURN json_build_object('key_id', v_key);
END
$fn$"""


def _rows(select: str) -> str:
    return f"(SELECT coalesce(json_agg(r), '[]'::json) FROM ({select}) r)"


# kiosk_api's resolve of 0004, frozen again here: the holder, as every screen reads it.
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


# The same statements as kiosk/store/certificate_reads.py runs on SQLite.
_COUNTED = "(k.employee + k.employer > 0)"
_MONTHS_OF_ROW = "CASE WHEN p.insurance_type = 'resident' THEN 12 ELSE 1 END"


def _certificate() -> str:
    year = "certificate_data.year"
    served = {
        "resolve": _resolve("certificate_data.card_number", year),
        "enrolment": _rows(
            """SELECT e.started_on, e.status, e.months_before_records, u.name AS unit_name,
                u.credit_code AS unit_code
            FROM public.enrolment e LEFT JOIN public.employer_unit u ON u.id = e.unit_id
            WHERE e.person_id = v_person"""
        ),
        "months": _rows(
            f"""SELECT coalesce(sum(CASE WHEN {_COUNTED} THEN {_MONTHS_OF_ROW} ELSE 0 END), 0)
                  AS on_record,
                coalesce(sum(CASE WHEN {_COUNTED} AND k.period >= make_date({year}, 1, 1)
                                   AND k.period < make_date({year} + 1, 1, 1)
                              THEN {_MONTHS_OF_ROW} ELSE 0 END), 0) AS this_year
            FROM public.contribution k JOIN public.person p ON p.id = k.person_id
            WHERE k.person_id = v_person"""
        ),
        "base": _rows(
            """SELECT k.period, k.base,
                (SELECT w.monthly FROM public.average_wage w JOIN public.person p
                    ON w.region_code = p.home_region
                  WHERE p.id = v_person AND w.year <= extract(year FROM k.period)
                  ORDER BY w.year DESC LIMIT 1) AS average_wage
            FROM public.contribution k
            WHERE k.person_id = v_person AND k.base > 0
            ORDER BY k.period DESC LIMIT 1"""
        ),
        "region_name": _rows(
            "SELECT g.name FROM public.region g WHERE g.code = certificate_data.region_code"
        ),
    }
    body = ",\n            ".join(f"'{key}', {fragment}" for key, fragment in served.items())
    return f"""
CREATE FUNCTION {SCHEMA}.certificate_data(
    card_number text, citizen_id text, year int, region_code text DEFAULT NULL
) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_person int;
    v_refusal text;
BEGIN
    SELECT g.person_id, g.refusal INTO v_person, v_refusal
      FROM {SCHEMA}.gate('certificate', certificate_data.card_number,
                         certificate_data.citizen_id, true) g;
    IF v_refusal IS NOT NULL THEN
        RETURN json_build_object('refused', v_refusal);
    END IF;
    RETURN json_build_object(
            {body});
END
$fn$"""


def _check() -> str:
    return f"""
CREATE FUNCTION {VERIFY_SCHEMA}.check_document(code text, key_id int, facts text)
RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    d public.printed_document%ROWTYPE;
BEGIN
    IF check_document.code IS NULL OR check_document.facts IS NULL
       OR length(check_document.facts) > {MAX_FACTS} THEN
        RETURN json_build_object('found', false);
    END IF;
    SELECT * INTO d FROM public.printed_document p WHERE p.code = upper(check_document.code);
    IF NOT FOUND THEN
        RETURN json_build_object('found', false);
    END IF;
    -- Who, when and where only for the slip as printed: a code alone reveals nothing.
    IF d.key_id IS DISTINCT FROM check_document.key_id
       OR d.digest IS DISTINCT FROM {SCHEMA}.document_digest(
              d.key_id, d.code, d.kind, d.printed_at, d.kiosk_id, d.masked_name,
              check_document.facts) THEN
        RETURN json_build_object('found', true, 'genuine', false);
    END IF;
    RETURN json_build_object('found', true, 'genuine', true, 'kind', d.kind,
        'printed_at', d.printed_at, 'kiosk_id', d.kiosk_id, 'masked_name', d.masked_name,
        'key_id', d.key_id);
END
$fn$"""


KIOSK_FUNCTIONS = (
    "record_document(text, text, text, text, timestamp, text, text)",
    "certificate_data(text, text, int, text)",
)
INTERNAL_FUNCTIONS = ("document_digest(int, text, text, timestamp, text, text, text)",)
VERIFY_FUNCTIONS = ("check_document(text, int, text)",)


def _rights() -> list[str]:
    statements = []
    for schema, signature in (
        *((SCHEMA, s) for s in (*KIOSK_FUNCTIONS, *INTERNAL_FUNCTIONS)),
        *((VERIFY_SCHEMA, s) for s in VERIFY_FUNCTIONS),
    ):
        statements += [
            f"ALTER FUNCTION {schema}.{signature} OWNER TO {API_OWNER}",
            f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC",
        ]
    statements += [
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{s} TO {KIOSK_GROUP}" for s in KIOSK_FUNCTIONS
    ]
    statements += [
        f"GRANT EXECUTE ON FUNCTION {VERIFY_SCHEMA}.{s} TO {VERIFIER_GROUP}"
        for s in VERIFY_FUNCTIONS
    ]
    return statements

"""Loss reports made without the card, the service password, and remote-care filing requests.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 18:00:00.000000

Both stores get four tables: service_password (scrypt salt, parameters and the SHA-256 of
the scrypt key: kiosk/store/service_password.py), service_password_try (wrong tries and the
24-hour lock, keyed by the citizen ID's pseudonym so an ID nobody enrolled behaves exactly as
an enrolled one), loss_report and filing_request (whose remote_filing row reads 'pending').

PostgreSQL also gets the kiosk_api functions (SECURITY DEFINER, owned by sscard_api, settings
pinned, JIT off, as 0004 and 0005 made them):

- The loss report takes three calls, each in a transaction of its own (refused otherwise),
  so that no verdict is ever seen before the try it costs is committed: a kiosk that rolls
  back learns nothing for free. `loss_report_challenge(citizen_id)` counts the ID towards
  the kiosk's ceiling (card_seen, the same distinct-per-hour set as cards) and answers the
  salt, the scrypt parameters and a one-time nonce (a salt made from the ID under the
  pseudonym key for an ID without a password, so the answer does not say which IDs are
  enrolled); `loss_report_answer(nonce, proof)` checks the proof, counts the try (five
  wrong lock the ID for 24 hours), audits it and answers only 'answered';
  `loss_report_outcome(nonce, days)` then says what the committed verdict was and, when it
  was right, makes (or answers the standing) report. The password never reaches the server:
  the kiosk sends scrypt-key XOR HMAC(stored_key, nonce), which the server checks against
  SHA-256(scrypt key) (docs/security.md). A log line holding it is good for nothing once
  the nonce is spent.
- `lift_loss_report(card, citizen)`, `request_filing(card, citizen, ...)` pass the gate;
  `filing_destinations()` is reference data.
- 0004's and 0005's functions are patched, not rewritten, at their current definitions
  (each anchor must be there exactly once, or the upgrade stops; the downgrade undoes each):
  the gates (gate_counted, gate) refuse a card with a temporary report in force as
  'reported_lost', and card_status's answer 'reported_lost' opens the card for
  `lift_loss_report` alone (every other screen still refuses it); every screen's resolve
  row gains the person's latest report (last_report_at, last_report_end), as
  queries.RESOLVE has it, so charges made while it held are flagged; `record` refuses the
  actions these functions audit, so a kiosk cannot forge their rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

API_OWNER = "sscard_api"
KIOSK_GROUP = "sscard_kiosk"
SCHEMA = "kiosk_api"
DEFAULT_CARDS_PER_HOUR = 60
LOCK_CLASS = 160004  # 0004's per-kiosk lock: loss-report attempts queue with card calls
FILING_LOCK = 160007  # remote_filing ids are max + 1: one request at a time takes one
# Frozen copies of the kiosk's constants (a test checks they agree).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # kiosk/store/service_password.py
MAX_FAILURES = 5
LOCK_HOURS = 24
CHALLENGE_MINUTES = 5
MAX_REPORT_DAYS = 30  # kiosk/config.py services.loss_report_days
MAX_FILING_DAYS = 365  # kiosk/store/filing_requests.py
MAX_FILING_LEAD_DAYS = 90
FILING_KINDS = ("long_term", "temporary", "referral")
LIFT_ACTION = "lift_loss_report"
SERVER_ACTIONS = ("service_password", "loss_report", LIFT_ACTION, "request_filing")


def upgrade() -> None:
    op.create_table(
        'service_password',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('r', sa.Integer(), nullable=False),
        sa.Column('p', sa.Integer(), nullable=False),
        sa.Column('stored_key', sa.String(length=64), nullable=False),
        sa.Column('set_at', kiosk.store.types.timestamp(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_service_password_person_id_person')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_service_password')),
    )
    op.create_table(
        'service_password_try',
        sa.Column('citizen_ref', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', kiosk.store.types.timestamp(), nullable=True),
        sa.Column('last_at', kiosk.store.types.timestamp(), nullable=False),
        sa.PrimaryKeyConstraint('citizen_ref', name=op.f('pk_service_password_try')),
    )
    op.create_table(
        'loss_report',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('card_number', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.String(length=64), nullable=False),
        sa.Column('reported_at', kiosk.store.types.timestamp(), nullable=False),
        sa.Column('expires_at', kiosk.store.types.timestamp(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('closed_at', kiosk.store.types.timestamp(), nullable=True),
        sa.ForeignKeyConstraint(['card_number'], ['card.card_number'],
                                name=op.f('fk_loss_report_card_number_card')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_loss_report_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loss_report')),
    )
    with op.batch_alter_table('loss_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loss_report_card_number'), ['card_number'])
        batch_op.create_index(batch_op.f('ix_loss_report_person_id'), ['person_id'])
    op.create_table(
        'filing_request',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('remote_filing_id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.String(length=64), nullable=False),
        sa.Column('requested_at', kiosk.store.types.timestamp(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['remote_filing_id'], ['remote_filing.id'],
                                name=op.f('fk_filing_request_remote_filing_id_remote_filing')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_request')),
        sa.UniqueConstraint('remote_filing_id', name=op.f('uq_filing_request_remote_filing_id')),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_upgrade(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_downgrade(bind)
    op.drop_table('filing_request')
    with op.batch_alter_table('loss_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loss_report_person_id'))
        batch_op.drop_index(batch_op.f('ix_loss_report_card_number'))
    op.drop_table('loss_report')
    op.drop_table('service_password_try')
    op.drop_table('service_password')


# -- PostgreSQL ------------------------------------------------------------------------------


def _run(bind: sa.Connection, statements: list[str]) -> None:
    for statement in statements:
        bind.exec_driver_sql(statement.replace("%", "%%"))


def _postgres_upgrade(bind: sa.Connection) -> None:
    crypto = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
    ).scalar_one()
    zone = str(bind.exec_driver_sql("SHOW TimeZone").scalar_one()).replace("'", "''")
    settings = (
        f"SET search_path = {SCHEMA}, public, pg_temp SET TimeZone = '{zone}' SET jit = off"
    )
    sequences = [
        bind.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar_one()
        for table in ("loss_report", "filing_request")
    ]
    _run(bind, [
        "GRANT SELECT ON public.service_password TO sscard_api",
        "GRANT SELECT, INSERT, UPDATE ON public.service_password_try TO sscard_api",
        "GRANT SELECT, INSERT, UPDATE ON public.loss_report TO sscard_api",
        "GRANT SELECT, INSERT ON public.filing_request TO sscard_api",
        "GRANT INSERT ON public.remote_filing TO sscard_api",
        *(f"GRANT USAGE ON SEQUENCE {s} TO {API_OWNER}" for s in sequences if s),
        f"""
        CREATE TABLE {SCHEMA}.password_challenge (
            nonce text PRIMARY KEY,
            kiosk_role text NOT NULL,
            citizen_ref text NOT NULL,
            person_id int,
            created_at timestamp NOT NULL,
            answered_at timestamp,
            answered_xid xid8,
            verdict text,
            tries_left int,
            locked_until timestamp,
            outcome_at timestamp
        )""",
        f"CREATE INDEX password_challenge_kiosk_role_created_at"
        f" ON {SCHEMA}.password_challenge (kiosk_role, created_at)",
        f"ALTER TABLE {SCHEMA}.password_challenge OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.password_challenge FROM PUBLIC",
    ])
    hmac = f'"{crypto}".hmac'
    _run(bind, [f.replace("$SETTINGS$", settings) for f in _functions(f'"{crypto}"', hmac)])
    _patch_gates(bind, upgrade=True)
    _patch_screens(bind, upgrade=True)
    for signature in (*KIOSK_FUNCTIONS, *INTERNAL_FUNCTIONS):
        _run(bind, [
            f"ALTER FUNCTION {SCHEMA}.{signature} OWNER TO {API_OWNER}",
            f"REVOKE ALL ON FUNCTION {SCHEMA}.{signature} FROM PUBLIC",
        ])
    _run(bind, [
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{signature} TO {KIOSK_GROUP}"
        for signature in KIOSK_FUNCTIONS
    ])


def _postgres_downgrade(bind: sa.Connection) -> None:
    _patch_screens(bind, upgrade=False)
    _patch_gates(bind, upgrade=False)
    _run(bind, [
        *(f"DROP FUNCTION {SCHEMA}.{s}" for s in (*KIOSK_FUNCTIONS, *INTERNAL_FUNCTIONS)),
        f"DROP TABLE {SCHEMA}.password_challenge",
    ])


KIOSK_FUNCTIONS = (
    "loss_report_challenge(text)",
    "loss_report_answer(text, text)",
    "loss_report_outcome(text, int)",
    "lift_loss_report(text, text)",
    "filing_destinations()",
    "request_filing(text, text, text, text, date, int)",
)
INTERNAL_FUNCTIONS = (
    "citizen_ref_of(text)",
    "own_transaction()",
    "count_asked(text, timestamp)",
    "report_in_force(text, timestamp)",
    "audit_row(text, text, text, timestamp)",
    "masked_name(text)",
)

# Every screen's resolve row carries the person's latest loss report too (queries.RESOLVE's
# last_report_at and last_report_end, for the after-lost rule), added beside last_lost_at
# in 0004's fragment: two index look-ups, no second pass over the answer.
SCREENS = ("overview", "history_page", "contributions", "annual_statement", "family_aid",
           "filings", "charges_to_check", "receipt_data")
_LAST_LOST = "AS last_lost_at\n"
_LATEST_REPORT = """(SELECT {column} FROM public.loss_report r
              WHERE r.person_id = c.person_id AND r.status IN ('temporary', 'lifted')
              ORDER BY r.reported_at DESC, r.id DESC LIMIT 1)"""
_WITH_REPORT = (
    "AS last_lost_at,\n            "
    + _LATEST_REPORT.format(column="r.reported_at")
    + " AS last_report_at,\n            "
    + _LATEST_REPORT.format(
        column="CASE WHEN r.status = 'lifted' THEN r.closed_at ELSE r.expires_at END"
    )
    + " AS last_report_end\n"
)


def _patch_screens(bind: sa.Connection, *, upgrade: bool) -> None:
    old, new = (_LAST_LOST, _WITH_REPORT) if upgrade else (_WITH_REPORT, _LAST_LOST)
    for name in SCREENS:
        signature = bind.execute(
            sa.text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p"
                " WHERE p.pronamespace = 'kiosk_api'::regnamespace AND p.proname = :name"
            ),
            {"name": name},
        ).scalar_one()
        definition = str(bind.exec_driver_sql(
            f"SELECT pg_get_functiondef('{signature}'::regprocedure)"
        ).scalar_one())
        if definition.count(old) != 1:
            raise RuntimeError(f"0007: {signature} is not the screen this revision patches")
        bind.exec_driver_sql(definition.replace(old, new).replace("%", "%%"))


# (function, anchor, replacement): the gates' own text, edited where a report must refuse.
_REPORT_CHECK = f"""
        ELSIF p_action <> '{LIFT_ACTION}' AND {SCHEMA}.report_in_force(p_card, v_at) THEN
            refusal := 'reported_lost';"""
_GATE_PATCHES = (
    ("gate_counted(text, text, text, boolean)", "\n            refusal := 'expired';",
     "\n            refusal := 'expired';" + _REPORT_CHECK),
    ("gate_counted(text, text, text, boolean)",
     "IF NOT p_screen AND refusal IS NULL THEN",
     "IF NOT p_screen AND (refusal IS NULL OR refusal = 'reported_lost') THEN"),
    ("gate(text, text, text, boolean)", "\n        refusal := 'expired';",
     "\n        refusal := 'expired';" + _REPORT_CHECK.replace("\n    ", "\n")),
    # The rows these functions write are the server's: `record` must not forge them.
    ("record(text, text, text, timestamp, text)", "'charges_to_check', 'receipt_data')",
     "'charges_to_check', 'receipt_data', " + ", ".join(f"'{a}'" for a in SERVER_ACTIONS) + ")"),
)


def _patch_gates(bind: sa.Connection, *, upgrade: bool) -> None:
    for signature, anchor, replacement in _GATE_PATCHES:
        old, new = (anchor, replacement) if upgrade else (replacement, anchor)
        definition = str(bind.exec_driver_sql(
            f"SELECT pg_get_functiondef('{SCHEMA}.{signature}'::regprocedure)"
        ).scalar_one())
        if definition.count(old) != 1:
            raise RuntimeError(f"0007: {signature} is not the gate this revision patches")
        bind.exec_driver_sql(definition.replace(old, new).replace("%", "%%"))


def _functions(crypto: str, hmac: str) -> list[str]:
    kinds = ", ".join(f"'{k}'" for k in FILING_KINDS)
    return [
        # The citizen ID's pseudonym: the card pseudonym's key, another domain of input.
        f"""
CREATE FUNCTION {SCHEMA}.citizen_ref_of(p_citizen text) RETURNS text
LANGUAGE plpgsql STABLE $SETTINGS$ AS $fn$
BEGIN
    RETURN (SELECT encode({hmac}(convert_to('citizen:' || upper(btrim(p_citizen)), 'UTF8'),
                                 k.key, 'sha256'), 'hex')
              FROM {SCHEMA}.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1);
END
$fn$""",
        # A verdict must be committed before anything tells it: each call of the loss
        # report is the first thing its transaction writes, in READ COMMITTED.
        f"""
CREATE FUNCTION {SCHEMA}.own_transaction() RETURNS void
LANGUAGE plpgsql VOLATILE $SETTINGS$ AS $fn$
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL
       OR current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'kiosk_api: call the loss report in a READ COMMITTED transaction of its own'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
END
$fn$""",
        # 0004's ceiling for a citizen ID: the same distinct-per-hour set as the cards, so
        # a kiosk role asks about at most cards_per_hour cards and IDs together an hour.
        f"""
CREATE FUNCTION {SCHEMA}.count_asked(p_ref text, p_at timestamp) RETURNS boolean
LANGUAGE plpgsql VOLATILE $SETTINGS$ AS $fn$
DECLARE
    v_kiosk text := session_user;
    v_limit int;
    v_others bigint;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(v_kiosk));
    v_limit := coalesce(
        (SELECT l.cards_per_hour FROM {SCHEMA}.kiosk_limit l WHERE l.kiosk_role = v_kiosk::name),
        (SELECT l.cards_per_hour FROM {SCHEMA}.kiosk_limit l WHERE l.kiosk_role = '*'),
        {DEFAULT_CARDS_PER_HOUR});
    DELETE FROM {SCHEMA}.card_seen s
     WHERE s.kiosk_role = v_kiosk AND s.last_at < p_at - interval '1 hour';
    IF NOT EXISTS (SELECT 1 FROM {SCHEMA}.card_seen s
                    WHERE s.kiosk_role = v_kiosk AND s.card_ref = p_ref) THEN
        SELECT count(*) INTO v_others FROM {SCHEMA}.card_seen s WHERE s.kiosk_role = v_kiosk;
        IF v_others + 1 > v_limit THEN
            RETURN false;
        END IF;
    END IF;
    INSERT INTO {SCHEMA}.card_seen AS s (kiosk_role, card_ref, last_at)
    VALUES (v_kiosk, p_ref, p_at)
    ON CONFLICT (kiosk_role, card_ref) DO UPDATE SET last_at = excluded.last_at;
    RETURN true;
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.report_in_force(p_card text, p_at timestamp) RETURNS boolean
LANGUAGE plpgsql STABLE $SETTINGS$ AS $fn$
BEGIN
    RETURN EXISTS (SELECT 1 FROM public.loss_report r
                    WHERE r.card_number = p_card AND r.status = 'temporary'
                      AND r.expires_at > p_at);
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.audit_row(p_action text, p_outcome text, p_ref text, p_at timestamp)
RETURNS void LANGUAGE plpgsql VOLATILE $SETTINGS$ AS $fn$
BEGIN
    INSERT INTO public.audit_event (at, kiosk_id, action, outcome, card_ref, event_key)
    VALUES (p_at, session_user, p_action, p_outcome, p_ref,
            's' || replace(gen_random_uuid()::text, '-', ''));
END
$fn$""",
        # As kiosk.masking.mask_name: 张* , 张*三, 欧**明.
        f"""
CREATE FUNCTION {SCHEMA}.masked_name(p_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE $SETTINGS$ AS $fn$
BEGIN
    IF p_name IS NULL OR length(p_name) <= 1 THEN
        RETURN p_name;
    ELSIF length(p_name) = 2 THEN
        RETURN left(p_name, 1) || '*';
    END IF;
    RETURN left(p_name, 1) || repeat('*', length(p_name) - 2) || right(p_name, 1);
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.loss_report_challenge(citizen_id text) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_at timestamp := clock_timestamp()::timestamp;
    v_id text := upper(btrim(loss_report_challenge.citizen_id));
    v_ref text;
    v_locked timestamp;
    v_person int;
    v_salt text;
    v_n int := {SCRYPT_N};
    v_r int := {SCRYPT_R};
    v_p int := {SCRYPT_P};
    v_nonce text := encode({crypto}.gen_random_bytes(16), 'hex');
BEGIN
    PERFORM {SCHEMA}.own_transaction();
    IF v_id IS NULL OR v_id !~ '^[0-9]{{17}}[0-9X]$' THEN
        RAISE EXCEPTION 'kiosk_api: a citizen ID is 17 digits and a check character'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_ref := {SCHEMA}.citizen_ref_of(v_id);
    IF NOT {SCHEMA}.count_asked(v_ref, v_at) THEN
        PERFORM {SCHEMA}.audit_row('loss_report', 'refused_ceiling', v_ref, v_at);
        RETURN json_build_object('refused', 'ceiling');
    END IF;
    SELECT t.locked_until INTO v_locked
      FROM public.service_password_try t WHERE t.citizen_ref = v_ref;
    IF v_locked > v_at THEN
        PERFORM {SCHEMA}.audit_row('service_password', 'refused_locked', v_ref, v_at);
        RETURN json_build_object('refused', 'locked', 'until', v_locked);
    END IF;
    SELECT p.id, s.salt, s.n, s.r, s.p INTO v_person, v_salt, v_n, v_r, v_p
      FROM public.person p JOIN public.service_password s ON s.person_id = p.id
     WHERE p.citizen_id IN (v_id, lower(v_id));
    IF NOT FOUND THEN
        -- The same answer as for an enrolled ID: a salt of its own, the usual parameters.
        v_salt := (SELECT encode(substring({hmac}(convert_to('salt:' || v_id, 'UTF8'),
                                                  k.key, 'sha256') FROM 1 FOR 16), 'hex')
                     FROM {SCHEMA}.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1);
        v_n := {SCRYPT_N};
        v_r := {SCRYPT_R};
        v_p := {SCRYPT_P};
    END IF;
    DELETE FROM {SCHEMA}.password_challenge c
     WHERE c.kiosk_role = session_user AND c.created_at < v_at - interval '1 day';
    INSERT INTO {SCHEMA}.password_challenge (nonce, kiosk_role, citizen_ref, person_id,
                                             created_at)
    VALUES (v_nonce, session_user, v_ref, v_person, v_at);
    RETURN json_build_object('nonce', v_nonce, 'salt', v_salt, 'n', v_n, 'r', v_r, 'p', v_p);
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.loss_report_answer(nonce text, proof text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_at timestamp := clock_timestamp()::timestamp;
    c {SCHEMA}.password_challenge;
    v_key bytea;
    v_sig bytea;
    v_proof bytea;
    v_client bytea;
    v_ok boolean := false;
    v_failures int;
    v_locked timestamp;
    v_verdict text;
BEGIN
    PERFORM {SCHEMA}.own_transaction();
    IF loss_report_answer.proof IS NULL OR loss_report_answer.proof !~ '^[0-9a-f]{{64}}$' THEN
        RAISE EXCEPTION 'kiosk_api: a proof is 64 hex digits'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO c FROM {SCHEMA}.password_challenge ch
     WHERE ch.nonce = loss_report_answer.nonce AND ch.kiosk_role = session_user
       FOR UPDATE;
    IF NOT FOUND OR c.answered_at IS NOT NULL
       OR c.created_at < v_at - interval '{CHALLENGE_MINUTES} minutes' THEN
        RETURN 'expired';
    END IF;
    IF c.person_id IS NOT NULL THEN
        SELECT decode(s.stored_key, 'hex') INTO v_key
          FROM public.service_password s WHERE s.person_id = c.person_id;
    END IF;
    IF v_key IS NOT NULL THEN
        v_sig := {hmac}(decode(c.nonce, 'hex'), v_key, 'sha256');
        v_proof := decode(loss_report_answer.proof, 'hex');
        v_client := v_proof;
        FOR i IN 0..31 LOOP
            v_client := set_byte(v_client, i, get_byte(v_proof, i) # get_byte(v_sig, i));
        END LOOP;
        v_ok := {crypto}.digest(v_client, 'sha256') = v_key;
    END IF;
    -- Another kiosk may have locked the ID since the challenge.
    SELECT t.failures, t.locked_until INTO v_failures, v_locked
      FROM public.service_password_try t WHERE t.citizen_ref = c.citizen_ref FOR UPDATE;
    v_failures := CASE WHEN v_locked IS NOT NULL AND v_locked <= v_at THEN 0
                       ELSE coalesce(v_failures, 0) END;
    IF v_locked > v_at THEN
        v_verdict := 'locked';
    ELSIF v_ok THEN
        v_verdict := 'ok';
        v_failures := 0;
        v_locked := NULL;
    ELSE
        v_failures := v_failures + 1;
        v_verdict := 'wrong';
        v_locked := NULL;
        IF v_failures >= {MAX_FAILURES} THEN
            v_verdict := 'locked';
            v_locked := v_at + interval '{LOCK_HOURS} hours';
            v_failures := 0;
        END IF;
    END IF;
    INSERT INTO public.service_password_try AS t (citizen_ref, failures, locked_until, last_at)
    VALUES (c.citizen_ref, v_failures, v_locked, v_at)
    ON CONFLICT (citizen_ref) DO UPDATE SET failures = excluded.failures,
        locked_until = excluded.locked_until, last_at = excluded.last_at;
    UPDATE {SCHEMA}.password_challenge ch
       SET answered_at = v_at, answered_xid = pg_current_xact_id(), verdict = v_verdict,
           tries_left = {MAX_FAILURES} - v_failures, locked_until = v_locked
     WHERE ch.nonce = c.nonce;
    PERFORM {SCHEMA}.audit_row('service_password',
        CASE v_verdict WHEN 'ok' THEN 'ok' WHEN 'wrong' THEN 'refused_password'
                       ELSE 'refused_locked' END, c.citizen_ref, v_at);
    RETURN 'answered';
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.loss_report_outcome(nonce text, days int) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_at timestamp := clock_timestamp()::timestamp;
    c {SCHEMA}.password_challenge;
    v_card text;
    v_name text;
    v_report public.loss_report;
BEGIN
    PERFORM {SCHEMA}.own_transaction();
    IF loss_report_outcome.days IS NULL OR loss_report_outcome.days NOT BETWEEN 1
       AND {MAX_REPORT_DAYS} THEN
        RAISE EXCEPTION 'kiosk_api: a temporary report holds 1 to {MAX_REPORT_DAYS} days'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO c FROM {SCHEMA}.password_challenge ch
     WHERE ch.nonce = loss_report_outcome.nonce AND ch.kiosk_role = session_user
       FOR UPDATE;
    IF NOT FOUND OR c.answered_at IS NULL OR c.outcome_at IS NOT NULL
       OR pg_xact_status(c.answered_xid) IS DISTINCT FROM 'committed' THEN
        RETURN json_build_object('refused', 'expired');
    END IF;
    UPDATE {SCHEMA}.password_challenge ch SET outcome_at = v_at WHERE ch.nonce = c.nonce;
    IF c.verdict = 'locked' THEN
        RETURN json_build_object('refused', 'locked', 'until', c.locked_until);
    ELSIF c.verdict <> 'ok' THEN
        RETURN json_build_object('refused', 'password', 'tries_left', c.tries_left);
    END IF;
    SELECT k.card_number, p.name INTO v_card, v_name
      FROM public.card k JOIN public.person p ON p.id = k.person_id
     WHERE k.person_id = c.person_id AND k.status = 'active'
     ORDER BY k.issued_on DESC, k.card_number DESC LIMIT 1;
    IF NOT FOUND THEN
        PERFORM {SCHEMA}.audit_row('loss_report', 'refused_no_card', c.citizen_ref, v_at);
        RETURN json_build_object('refused', 'no_card');
    END IF;
    SELECT * INTO v_report FROM public.loss_report r
     WHERE r.card_number = v_card AND r.status = 'temporary' AND r.expires_at > v_at
     ORDER BY r.id DESC LIMIT 1;
    IF NOT FOUND THEN
        INSERT INTO public.loss_report (card_number, person_id, kiosk_id, reported_at,
                                        expires_at, status)
        VALUES (v_card, c.person_id, session_user, v_at,
                v_at + make_interval(days => loss_report_outcome.days), 'temporary')
        RETURNING * INTO v_report;
    END IF;
    PERFORM {SCHEMA}.audit_row('loss_report', 'ok', {SCHEMA}.card_ref_of(v_card), v_at);
    RETURN json_build_object('report_no', v_report.id, 'reported_at', v_report.reported_at,
        'expires_at', v_report.expires_at, 'name', {SCHEMA}.masked_name(v_name));
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.lift_loss_report(card_number text, citizen_id text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_person int;
    v_refusal text;
BEGIN
    SELECT g.person_id, g.refusal INTO v_person, v_refusal
      FROM {SCHEMA}.gate('{LIFT_ACTION}', lift_loss_report.card_number,
                         lift_loss_report.citizen_id, true) g;
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;
    UPDATE public.loss_report r SET status = 'lifted', closed_at = localtimestamp
     WHERE r.card_number = lift_loss_report.card_number AND r.status = 'temporary'
       AND r.expires_at > localtimestamp;
    RETURN CASE WHEN FOUND THEN 'lifted' ELSE 'not_reported' END;
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.filing_destinations() RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER $SETTINGS$ AS $fn$
BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object('province', v.province,
                                                       'cities', v.cities)
                                     ORDER BY v.province), '[]'::json)
              FROM (SELECT g.province, json_agg(json_build_object('code', g.code,
                                                                  'name', g.name)
                                                ORDER BY g.code) AS cities
                      FROM public.region g GROUP BY g.province) v);
END
$fn$""",
        f"""
CREATE FUNCTION {SCHEMA}.request_filing(
    card_number text, citizen_id text, kind text, region_code text, start date, days int
) RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER $SETTINGS$ AS $fn$
DECLARE
    v_at timestamp := clock_timestamp()::timestamp;
    v_person int;
    v_refusal text;
    v_home text;
    v_region public.region;
    v_filing int;
    v_request int;
BEGIN
    IF request_filing.kind IS NULL OR request_filing.kind NOT IN ({kinds})
       OR request_filing.days IS NULL OR request_filing.days NOT BETWEEN 1 AND {MAX_FILING_DAYS}
       OR request_filing.start IS NULL OR request_filing.start < v_at::date
       OR request_filing.start > v_at::date + {MAX_FILING_LEAD_DAYS} THEN
        RAISE EXCEPTION 'kiosk_api: a filing is long_term, temporary or referral, 1 to'
            ' {MAX_FILING_DAYS} days, starting within {MAX_FILING_LEAD_DAYS} days from today'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT g.person_id, g.refusal INTO v_person, v_refusal
      FROM {SCHEMA}.gate('request_filing', request_filing.card_number,
                         request_filing.citizen_id, true) g;
    IF v_refusal IS NOT NULL THEN
        RETURN json_build_object('refused', v_refusal);
    END IF;
    SELECT * INTO v_region FROM public.region g WHERE g.code = request_filing.region_code;
    SELECT p.home_region INTO v_home FROM public.person p WHERE p.id = v_person;
    IF v_region.code IS NULL THEN
        RETURN json_build_object('refused', 'region');
    ELSIF v_region.code = v_home THEN
        RETURN json_build_object('refused', 'home_region');
    END IF;
    PERFORM pg_advisory_xact_lock({FILING_LOCK}, 0);
    v_filing := (SELECT coalesce(max(f.id), 0) + 1 FROM public.remote_filing f);
    INSERT INTO public.remote_filing (id, person_id, filing_type, region_code, valid_from,
                                      valid_until, status)
    VALUES (v_filing, v_person, request_filing.kind, v_region.code, request_filing.start,
            request_filing.start + request_filing.days - 1, 'pending');
    INSERT INTO public.filing_request (remote_filing_id, kiosk_id, requested_at, days)
    VALUES (v_filing, session_user, v_at, request_filing.days)
    RETURNING id INTO v_request;
    RETURN json_build_object('request_no', v_request, 'region_name', v_region.name,
        'province', v_region.province, 'valid_from', request_filing.start,
        'valid_until', request_filing.start + request_filing.days - 1,
        'requested_at', v_at);
END
$fn$""",
    ]

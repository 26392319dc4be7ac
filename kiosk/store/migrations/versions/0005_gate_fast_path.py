"""The kiosk_api gate serves a card this kiosk already opened without the ceiling's work;
no kiosk_api function is JIT-compiled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:10:00.000000

Every screen of a session passes `kiosk_api.gate`, and until now each of them did all the
ceiling's work as card_status does: the per-kiosk advisory lock, the kiosk's limit, the
deletion of its card_seen rows older than an hour, the count of the others, the upsert of
this card's row. A screen is served only for a card this kiosk's card_status opened (an
active card, committed, within the hour), and such a card is counted already: no screen
adds a card to the hour. So the new `gate` looks at the card's own card_seen row first; if
the opening stands, it checks the card (status, expiry, citizen ID) and writes the audit
row, and nothing else. Any other case (card_status itself, a card never opened, an opening
older than an hour or not yet committed) goes on to the old gate, renamed `gate_counted`,
unchanged. The pseudonym is computed once and handed on, not again by card_ref_of.

What a screen no longer does: move the card's last_at, so a card counts towards the
ceiling for the hour after its card_status rather than after its last screen. Sessions last
minutes, and every card a kiosk adds goes through card_status and is counted there.
JIT off in every kiosk_api function (`SET jit = off`). PostgreSQL 15 compiles a statement
with LLVM once its estimated cost passes jit_above_cost (100,000), which takes tens to
hundreds of milliseconds; a screen runs in about one. Whether a generic plan of a screen's
statement passes the threshold depends on the statistics of the day, so no call may risk it.

PostgreSQL only; SQLite gets nothing.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

API_OWNER = "sscard_api"
SCHEMA = "kiosk_api"
_ARGUMENTS = "p_action text, p_card text, p_citizen text, p_screen boolean"
_SIGNATURE = "gate(text, text, text, boolean)"
_COUNTED = "gate_counted(text, text, text, boolean)"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    crypto = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
    ).scalar_one()
    zone = str(bind.exec_driver_sql("SHOW TimeZone").scalar_one()).replace("'", "''")
    settings = f"SET search_path = {SCHEMA}, public, pg_temp SET TimeZone = '{zone}'"
    for statement in (
        f"ALTER FUNCTION {SCHEMA}.{_SIGNATURE} RENAME TO gate_counted",
        _gate(f'"{crypto}"', settings),
        f"ALTER FUNCTION {SCHEMA}.{_SIGNATURE} OWNER TO {API_OWNER}",
        f"REVOKE ALL ON FUNCTION {SCHEMA}.{_SIGNATURE} FROM PUBLIC",
    ):
        bind.exec_driver_sql(statement)
    for function in _functions(bind):
        bind.exec_driver_sql(f"ALTER FUNCTION {function} SET jit = off")


def _functions(bind: Connection) -> list[str]:
    return [
        str(row[0])
        for row in bind.exec_driver_sql(
            f"SELECT oid::regprocedure::text FROM pg_proc WHERE pronamespace = '{SCHEMA}'::regnamespace"
        )
    ]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(f"DROP FUNCTION {SCHEMA}.{_SIGNATURE}")
    bind.exec_driver_sql(f"ALTER FUNCTION {SCHEMA}.{_COUNTED} RENAME TO gate")
    for function in _functions(bind):
        bind.exec_driver_sql(f"ALTER FUNCTION {function} RESET jit")


def _gate(crypto: str, settings: str) -> str:
    return f"""
CREATE FUNCTION {SCHEMA}.gate(
    {_ARGUMENTS}, OUT person_id int, OUT refusal text
) LANGUAGE plpgsql VOLATILE {settings} AS $fn$
DECLARE
    v_kiosk text := session_user;
    v_at timestamp := clock_timestamp()::timestamp;
    v_ref text;
    v_opened boolean;
    v_status text;
    v_expires date;
    v_citizen text;
BEGIN
    IF NOT p_screen OR current_setting('transaction_isolation') <> 'read committed' THEN
        SELECT g.person_id, g.refusal INTO person_id, refusal
          FROM {SCHEMA}.gate_counted(p_action, p_card, p_citizen, p_screen) g;
        RETURN;
    END IF;
    v_ref := (SELECT encode({crypto}.hmac(convert_to(p_card, 'UTF8'), k.key, 'sha256'), 'hex')
                FROM {SCHEMA}.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1);
    -- As gate_counted decides an opening: committed (not this transaction's), in the hour.
    SELECT s.opened_at >= v_at - interval '1 hour'
           AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress'
      INTO v_opened
      FROM {SCHEMA}.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref = v_ref;
    IF NOT coalesce(v_opened, false) THEN
        SELECT g.person_id, g.refusal INTO person_id, refusal
          FROM {SCHEMA}.gate_counted(p_action, p_card, p_citizen, p_screen) g;
        RETURN;
    END IF;
    SELECT c.status, c.expires_on, p.citizen_id, c.person_id
      INTO v_status, v_expires, v_citizen, person_id
      FROM public.card c JOIN public.person p ON p.id = c.person_id
     WHERE c.card_number = p_card;
    IF NOT FOUND THEN
        refusal := 'unknown';
    ELSIF upper(btrim(v_citizen)) IS DISTINCT FROM upper(btrim(p_citizen)) THEN
        refusal := 'mismatch';
    ELSIF v_status <> 'active' THEN
        refusal := CASE WHEN v_status IN ('lost', 'replaced', 'suspended', 'cancelled')
                        THEN v_status ELSE 'cancelled' END;
    ELSIF v_expires < v_at::date THEN
        refusal := 'expired';
    END IF;
    IF refusal IS NOT NULL THEN
        person_id := NULL;
    END IF;
    INSERT INTO public.audit_event (at, kiosk_id, action, outcome, card_ref, event_key)
    VALUES (v_at, v_kiosk, p_action, coalesce('refused_' || refusal, 'ok'), v_ref,
            's' || replace(gen_random_uuid()::text, '-', ''));
END
$fn$"""

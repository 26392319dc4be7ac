"""The gates ask in one statement what they asked in several (issue 16's store bench).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:00:00.000000

Every kiosk_api call passes a gate, and PL/pgSQL pays for each statement it runs (a plan
lookup, a snapshot, an executor start) and each function it calls (a frame, its pinned
settings) on top of the statement's own work. The gates are patched at their current
definitions, as 0007 patched them (each anchor must be there exactly once, or the upgrade
stops; the downgrade undoes each), and decide exactly as before:

- `gate` (a screen of an opened card): the pseudonym, this kiosk's opening of the card, the
  card and whether a temporary loss report is in force, in one statement where there were
  three and a call of report_in_force. caller() is asked after the hand-over to
  gate_counted, which asks it itself (card_status asked it twice).
- `gate_counted` (card_status, and any card not opened): the pseudonym, the kiosk's limit,
  the count of its other cards and this card's own row in one statement where there were
  four and a call of card_ref_of; the card and its report in one where there were two. The
  card is still looked up only under the ceiling.

PostgreSQL only; SQLite gets nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SCHEMA = "kiosk_api"
LIFT_ACTION = "lift_loss_report"
LOCK_CLASS = 160004  # 0004's per-kiosk lock
DEFAULT_CARDS_PER_HOUR = 60  # 0004's
_GATE = "gate(text, text, text, boolean)"
_COUNTED = "gate_counted(text, text, text, boolean)"
_REPORTED = (
    "EXISTS (SELECT 1 FROM public.loss_report l WHERE l.card_number = p_card"
    " AND l.status = 'temporary' AND l.expires_at > v_at)"
)  # report_in_force(p_card, v_at), inline


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _patch(bind, upgrade=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _patch(bind, upgrade=False)


def _patch(bind: sa.Connection, *, upgrade: bool) -> None:
    crypto = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
    ).scalar_one()
    hmac = f'"{crypto}".hmac'
    for signature, patches in ((_GATE, _gate_patches(hmac)), (_COUNTED, _counted_patches(hmac))):
        definition = str(
            bind.exec_driver_sql(
                f"SELECT pg_get_functiondef('{SCHEMA}.{signature}'::regprocedure)"
            ).scalar_one()
        )
        for anchor, replacement in patches if upgrade else reversed(patches):
            old, new = (anchor, replacement) if upgrade else (replacement, anchor)
            if definition.count(old) != 1:
                raise RuntimeError(f"0009: {signature} is not the gate this revision patches")
            definition = definition.replace(old, new)
        bind.exec_driver_sql(definition.replace("%", "%%"))


def _gate_patches(hmac: str) -> list[tuple[str, str]]:
    return [
        (
            "    v_kiosk text := kiosk_api.caller();\n",
            "    v_kiosk text;\n",
        ),
        (
            "    v_citizen text;\nBEGIN\n",
            "    v_citizen text;\n    v_reported boolean;\nBEGIN\n",
        ),
        (
            f"""        RETURN;
    END IF;
    v_ref := (SELECT encode({hmac}(convert_to(p_card, 'UTF8'), k.key, 'sha256'), 'hex')
                FROM kiosk_api.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1);
    -- As gate_counted decides an opening: committed (not this transaction's), in the hour.
    SELECT s.opened_at >= v_at - interval '1 hour'
           AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress'
      INTO v_opened
      FROM kiosk_api.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref = v_ref;
    IF NOT coalesce(v_opened, false) THEN
        SELECT g.person_id, g.refusal INTO person_id, refusal
          FROM kiosk_api.gate_counted(p_action, p_card, p_citizen, p_screen) g;
        RETURN;
    END IF;
    SELECT c.status, c.expires_on, p.citizen_id, c.person_id
      INTO v_status, v_expires, v_citizen, person_id
      FROM public.card c JOIN public.person p ON p.id = c.person_id
     WHERE c.card_number = p_card;
    IF NOT FOUND THEN
""",
            f"""        RETURN;
    END IF;
    v_kiosk := kiosk_api.caller();
    -- One statement (0009): the pseudonym, this kiosk's opening of the card (as
    -- gate_counted decides one: committed, not this transaction's, in the hour), the card
    -- and whether a loss report is in force on it.
    SELECT r.ref, s.opened_at >= v_at - interval '1 hour'
                  AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress',
           c.status, c.expires_on, p.citizen_id, c.person_id, {_REPORTED}
      INTO v_ref, v_opened, v_status, v_expires, v_citizen, person_id, v_reported
      FROM (SELECT (SELECT encode({hmac}(convert_to(p_card, 'UTF8'), k.key, 'sha256'), 'hex')
                      FROM kiosk_api.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1) AS ref) r
      LEFT JOIN kiosk_api.card_seen s ON s.kiosk_role = v_kiosk AND s.card_ref = r.ref
      LEFT JOIN (public.card c JOIN public.person p ON p.id = c.person_id)
             ON c.card_number = p_card;
    IF NOT coalesce(v_opened, false) THEN
        SELECT g.person_id, g.refusal INTO person_id, refusal
          FROM kiosk_api.gate_counted(p_action, p_card, p_citizen, p_screen) g;
        RETURN;
    END IF;
    IF v_status IS NULL THEN
""",
        ),
        (
            f"    ELSIF p_action <> '{LIFT_ACTION}' AND kiosk_api.report_in_force(p_card, v_at) THEN\n",
            f"    ELSIF p_action <> '{LIFT_ACTION}' AND v_reported THEN\n",
        ),
    ]


def _counted_patches(hmac: str) -> list[tuple[str, str]]:
    return [
        (
            "    v_citizen text;\nBEGIN\n",
            "    v_citizen text;\n    v_reported boolean;\nBEGIN\n",
        ),
        (
            f"""    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(v_kiosk));
    v_ref := kiosk_api.card_ref_of(p_card);
    v_limit := coalesce(
        (SELECT l.cards_per_hour FROM kiosk_api.kiosk_limit l WHERE l.kiosk_role = v_kiosk::name),
        (SELECT l.cards_per_hour FROM kiosk_api.kiosk_limit l WHERE l.kiosk_role = '*'),
        {DEFAULT_CARDS_PER_HOUR});
""",
            f"    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(v_kiosk));\n",
        ),
        (
            """    SELECT count(*) INTO v_others
      FROM kiosk_api.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref <> v_ref;
    -- An opening counts once it is committed: one this transaction made (in a savepoint
    -- or not) could still be rolled back, and pg_xact_status says 'in progress' for it.
    SELECT true, s.opened_at >= v_at - interval '1 hour'
                 AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress'
      INTO v_seen, v_opened
      FROM kiosk_api.card_seen s WHERE s.kiosk_role = v_kiosk AND s.card_ref = v_ref;
    v_seen := coalesce(v_seen, false);
""",
            f"""    -- One statement (0009): the pseudonym (card_ref_of's), the kiosk's limit, its other
    -- cards of the hour and this card's row. An opening counts once it is committed: one
    -- this transaction made (in a savepoint or not) could still be rolled back, and
    -- pg_xact_status says 'in progress' for it.
    SELECT r.ref,
           coalesce(
               (SELECT l.cards_per_hour FROM kiosk_api.kiosk_limit l
                 WHERE l.kiosk_role = v_kiosk::name),
               (SELECT l.cards_per_hour FROM kiosk_api.kiosk_limit l WHERE l.kiosk_role = '*'),
               {DEFAULT_CARDS_PER_HOUR}),
           (SELECT count(*) FROM kiosk_api.card_seen o
             WHERE o.kiosk_role = v_kiosk AND o.card_ref <> r.ref),
           s.card_ref IS NOT NULL,
           s.opened_at >= v_at - interval '1 hour'
               AND pg_xact_status(s.opened_xid) IS DISTINCT FROM 'in progress'
      INTO v_ref, v_limit, v_others, v_seen, v_opened
      FROM (SELECT (SELECT encode({hmac}(convert_to(p_card, 'UTF8'), k.key, 'sha256'), 'hex')
                      FROM kiosk_api.pseudonym_key k ORDER BY k.key_id DESC LIMIT 1) AS ref) r
      LEFT JOIN kiosk_api.card_seen s ON s.kiosk_role = v_kiosk AND s.card_ref = r.ref;
""",
        ),
        (
            """        SELECT c.status, c.expires_on, p.citizen_id, c.person_id
          INTO v_status, v_expires, v_citizen, person_id
          FROM public.card c JOIN public.person p ON p.id = c.person_id
         WHERE c.card_number = p_card;
""",
            f"""        SELECT c.status, c.expires_on, p.citizen_id, c.person_id, {_REPORTED}
          INTO v_status, v_expires, v_citizen, person_id, v_reported
          FROM public.card c JOIN public.person p ON p.id = c.person_id
         WHERE c.card_number = p_card;
""",
        ),
        (
            f"        ELSIF p_action <> '{LIFT_ACTION}' AND kiosk_api.report_in_force(p_card, v_at) THEN\n",
            f"        ELSIF p_action <> '{LIFT_ACTION}' AND v_reported THEN\n",
        ),
    ]

"""One shared PgBouncer pool for the fleet: kiosks prove themselves per call (issue 16).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00.000000

Through PgBouncer every kiosk role is a pool of its own, so 1,000 kiosks want 1,000
backends (docs/benchmarks.md, fleet). PgBouncer can log every client in to PostgreSQL as
one server role (`user=` on the database), one pool for the city; then session_user is
that role and says nothing about the kiosk. So a pooled kiosk names itself and proves it on
every call, with a key only it and the server know, and the functions take the kiosk from
`kiosk_api.caller()` instead of session_user.

PostgreSQL only (SQLite gets nothing):

- Role `sscard_pool` (NOLOGIN group): PgBouncer's server login is a member. It may EXECUTE
  the `kiosk_pool` functions and nothing else: no table, no kiosk_api function.
- `kiosk_api.kiosk_key`: each kiosk role's key as its SHA-256 (the key itself is 256 bits
  the kiosk derives from its own password: kiosk/store/pool_calls.py), set by `kiosk db
  grant-kiosk-role`. Readable by sscard_api alone.
- `kiosk_pool.enter(kiosk, key)` checks the key, that the role is still a direct member of
  sscard_kiosk and may log in, and sets the transaction-local `sscard.caller`; a wrong key
  raises (28000) and the call does nothing. For every function a kiosk may EXECUTE there is
  `kiosk_pool.<name>(kiosk, key, <its arguments>)`: enter, then the kiosk_api function.
  They are generated from the catalog (a later revision that adds a kiosk function calls
  `pool_wrappers` again), SECURITY DEFINER, owned by sscard_api, settings pinned.
- `kiosk_api.caller()`: session_user for every login but a direct member of sscard_pool,
  whose caller is the kiosk `enter` proved in this transaction (none proved: it raises).
  So a kiosk logging in directly cannot claim another kiosk by setting `sscard.caller`,
  and the pool role cannot reach a kiosk_api function except through a wrapper, which
  always sets the caller it just verified. Every kiosk_api function that read session_user
  reads caller() now (patched at its current definition; the downgrade patches it back),
  and the row-security policies on audit_event and kiosk_heartbeat accept the verified
  caller of a pooled session as its own kiosk.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

API_OWNER = "sscard_api"
KIOSK_GROUP = "sscard_kiosk"
POOL_GROUP = "sscard_pool"
SCHEMA = "kiosk_api"
POOL_SCHEMA = "kiosk_pool"
CALLER_SETTING = "sscard.caller"
_SESSION_USER = re.compile(r"\bsession_user\b")
_CALLER = f"{SCHEMA}.caller()"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_upgrade(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_downgrade(bind)


def _run(bind: sa.Connection, statements: list[str]) -> None:
    for statement in statements:
        bind.exec_driver_sql(statement.replace("%", "%%"))


def _settings(bind: sa.Connection) -> str:
    zone = str(bind.exec_driver_sql("SHOW TimeZone").scalar_one()).replace("'", "''")
    return f"SET search_path = {SCHEMA}, public, pg_temp SET TimeZone = '{zone}' SET jit = off"


def _postgres_upgrade(bind: sa.Connection) -> None:
    settings = _settings(bind)
    _run(bind, [
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{POOL_GROUP}') THEN
                CREATE ROLE {POOL_GROUP} NOLOGIN;
            END IF;
        END $$""",
        f"CREATE TABLE {SCHEMA}.kiosk_key (kiosk_role text PRIMARY KEY,"
        " digest bytea NOT NULL CHECK (length(digest) = 32),"
        " set_at timestamptz NOT NULL DEFAULT now())",
        f"ALTER TABLE {SCHEMA}.kiosk_key OWNER TO {API_OWNER}",
        f"REVOKE ALL ON {SCHEMA}.kiosk_key FROM PUBLIC",
        f"""
CREATE FUNCTION {SCHEMA}.caller() RETURNS text
LANGUAGE plpgsql STABLE {settings} AS $fn$
DECLARE
    v_kiosk text;
BEGIN
    -- A direct membership: a superuser is a member of every role, and is no pool. A login
    -- that is a kiosk too could EXECUTE kiosk_api itself with a caller it set by hand: it
    -- is only ever itself.
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                     JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                     JOIN pg_catalog.pg_roles u ON u.oid = m.member
                    WHERE g.rolname = '{POOL_GROUP}' AND u.rolname = session_user)
       OR pg_has_role(session_user, '{KIOSK_GROUP}', 'MEMBER') THEN
        RETURN session_user;
    END IF;
    v_kiosk := nullif(current_setting('{CALLER_SETTING}', true), '');
    IF v_kiosk IS NULL THEN
        RAISE EXCEPTION 'kiosk_pool: no kiosk proved in this transaction'
            USING ERRCODE = '28000';
    END IF;
    RETURN v_kiosk;
END
$fn$""",
        f"ALTER FUNCTION {SCHEMA}.caller() OWNER TO {API_OWNER}",
        f"REVOKE ALL ON FUNCTION {SCHEMA}.caller() FROM PUBLIC",
        f"CREATE SCHEMA {POOL_SCHEMA} AUTHORIZATION {API_OWNER}",
        f"REVOKE ALL ON SCHEMA {POOL_SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {POOL_SCHEMA} TO {POOL_GROUP}",
        f"""
CREATE FUNCTION {POOL_SCHEMA}.enter(p_kiosk text, p_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {settings} AS $fn$
BEGIN
    IF p_kiosk IS NULL OR p_key IS NULL OR NOT EXISTS (
        SELECT 1 FROM {SCHEMA}.kiosk_key k
          JOIN pg_catalog.pg_roles u ON u.rolname = k.kiosk_role AND u.rolcanlogin
          JOIN pg_catalog.pg_auth_members m ON m.member = u.oid
          JOIN pg_catalog.pg_roles g ON g.oid = m.roleid AND g.rolname = '{KIOSK_GROUP}'
         WHERE k.kiosk_role = p_kiosk
           AND k.digest = sha256(convert_to(p_key, 'UTF8'))) THEN
        RAISE EXCEPTION 'kiosk_pool: this kiosk key is refused' USING ERRCODE = '28000';
    END IF;
    PERFORM set_config('{CALLER_SETTING}', p_kiosk, true);
END
$fn$""",
        f"ALTER FUNCTION {POOL_SCHEMA}.enter(text, text) OWNER TO {API_OWNER}",
        f"REVOKE ALL ON FUNCTION {POOL_SCHEMA}.enter(text, text) FROM PUBLIC",
    ])
    _patch_callers(bind, upgrade=True)
    _run(bind, _policies(_OWN_POOLED))
    pool_wrappers(bind, settings)


def _postgres_downgrade(bind: sa.Connection) -> None:
    _run(bind, [f"DROP SCHEMA {POOL_SCHEMA} CASCADE"])
    _patch_callers(bind, upgrade=False)
    _run(bind, _policies(_OWN))
    _run(bind, [f"DROP FUNCTION {SCHEMA}.caller()", f"DROP TABLE {SCHEMA}.kiosk_key"])
    # Roles are cluster-wide (other databases may use sscard_pool): never dropped here.


# 0004's row security: any role but the owner sees and writes only its own kiosk's rows.
# The functions write as sscard_api, so the policies hold them too: a pooled call's kiosk
# is the caller its wrapper verified (inline, not caller(): a policy runs with the reading
# role's rights, and caller() is sscard_api's alone).
_OWN = "kiosk_id::text = session_user::text"
_OWN_POOLED = (
    f"{_OWN} OR (kiosk_id::text = current_setting('{CALLER_SETTING}', true)"
    " AND EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m"
    " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
    " JOIN pg_catalog.pg_roles u ON u.oid = m.member"
    f" WHERE g.rolname = '{POOL_GROUP}' AND u.rolname = session_user))"
)


def _policies(own: str) -> list[str]:
    return [
        f"ALTER POLICY audit_event_own_read ON public.audit_event USING ({own})",
        f"ALTER POLICY audit_event_own_insert ON public.audit_event WITH CHECK ({own})",
        f"ALTER POLICY kiosk_heartbeat_own_read ON public.kiosk_heartbeat USING ({own})",
        f"ALTER POLICY kiosk_heartbeat_own_insert ON public.kiosk_heartbeat WITH CHECK ({own})",
        f"ALTER POLICY kiosk_heartbeat_own_update ON public.kiosk_heartbeat"
        f" USING ({own}) WITH CHECK ({own})",
    ]


def _patch_callers(bind: sa.Connection, *, upgrade: bool) -> None:
    """session_user -> caller() (or back) in every kiosk_api function that names it."""
    old = r"\msession_user\M" if upgrade else r"kiosk_api\.caller\(\)"
    rows = bind.execute(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.pronamespace = 'kiosk_api'::regnamespace AND p.proname <> 'caller'"
            " AND p.prosrc ~ :old ORDER BY 1"
        ),
        {"old": old},
    ).scalars()
    for signature in list(rows):
        definition = str(
            bind.exec_driver_sql(
                f"SELECT pg_get_functiondef('{signature}'::regprocedure)"
            ).scalar_one()
        )
        if upgrade:
            patched = _SESSION_USER.sub(_CALLER, definition)
        else:
            patched = definition.replace(_CALLER, "session_user")
        bind.exec_driver_sql(patched.replace("%", "%%"))


def pool_wrappers(bind: sa.Connection, settings: str) -> None:
    """kiosk_pool.<name>(kiosk, key, ...) for every kiosk_api function a kiosk may EXECUTE
    that has none yet."""
    rows = bind.execute(
        sa.text(
            "SELECT p.proname, pg_get_function_arguments(p.oid),"
            " pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),"
            " p.pronargs, p.proretset FROM pg_proc p"
            " WHERE p.pronamespace = 'kiosk_api'::regnamespace"
            " AND has_function_privilege(:group, p.oid, 'EXECUTE')"
            " AND NOT EXISTS (SELECT 1 FROM pg_proc w"
            "  WHERE w.pronamespace = 'kiosk_pool'::regnamespace AND w.proname = p.proname)"
            " ORDER BY p.proname"
        ),
        {"group": KIOSK_GROUP},
    ).all()
    for name, arguments, identity, result, count, returns_set in rows:
        if returns_set:
            raise RuntimeError(f"0008: kiosk_api.{name} returns a set; no wrapper is made")
        passed = ", ".join(f"${n}" for n in range(3, count + 3))
        call = f"{SCHEMA}.{name}({passed})"
        body = f"PERFORM {call};\n    RETURN;" if result == "void" else f"RETURN {call};"
        head = ", ".join(["p_kiosk text", "p_key text"] + ([arguments] if arguments else []))
        wrapped = ", ".join(["text", "text"] + ([identity] if identity else []))
        _run(bind, [
            f"""
CREATE FUNCTION {POOL_SCHEMA}.{name}({head}) RETURNS {result}
LANGUAGE plpgsql SECURITY DEFINER {settings} AS $fn$
BEGIN
    PERFORM {POOL_SCHEMA}.enter(p_kiosk, p_key);
    {body}
END
$fn$""",
            f"ALTER FUNCTION {POOL_SCHEMA}.{name}({wrapped}) OWNER TO {API_OWNER}",
            f"REVOKE ALL ON FUNCTION {POOL_SCHEMA}.{name}({wrapped}) FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {POOL_SCHEMA}.{name}({wrapped}) TO {POOL_GROUP}",
        ])

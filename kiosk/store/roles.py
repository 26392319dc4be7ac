"""The PostgreSQL login role a kiosk connects as: no table rights at all (issue 16).

A kiosk calls the functions of the `kiosk_api` schema (migration 0004) and nothing else:
its role is a member of the group `sscard_kiosk`, which may use that schema and EXECUTE
those functions, and it may CONNECT to the store's database. The functions run as
`sscard_api` (SECURITY DEFINER), check that card number and citizen ID belong together,
keep to a ceiling of distinct cards per hour, and write the audit row themselves with the
server's clock and `session_user`. So the role's name is the kiosk's id in the fleet store:
its heartbeat and audit rows carry it. A stolen kiosk password therefore reads one person
at a time, only with that person's card number and citizen ID, at most `cards_per_hour`
people an hour, each read audited; it cannot SELECT or COPY a table, change a balance or
touch the audit trail.

`grant_statements` is plain SQL an operator can read (`kiosk db grant-kiosk-role
--print-sql`); `grant_kiosk_role` runs it as the store's owner. Running it again re-applies
exactly these rights: table, sequence and function rights granted to the role by hand, and
memberships in other roles, are taken away first.

The password, if given, never travels as text: psycopg (libpq's PQencryptPasswordConn)
turns it into a SCRAM-SHA-256 verifier here, and only the verifier is sent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

# What the store holds, for the REVOKEs (the kiosk reads none of it).
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
AUDIT_TABLE = "audit_event"
HEARTBEAT_TABLE = "kiosk_heartbeat"
SCHEMA = "public"
API_SCHEMA = "kiosk_api"
API_OWNER = "sscard_api"  # owns kiosk_api and its functions; nobody logs in as it
KIOSK_GROUP = "sscard_kiosk"  # may EXECUTE the kiosk functions; every kiosk role is a member
# A kiosk needs one connection (a heartbeat may briefly want a second, and a reconnect
# may come before the server has noticed the old connection died). A thief gains nothing
# from more (one kiosk role's calls run one at a time), but could tie up backends.
CONNECTION_LIMIT = 3
_RESERVED = {"postgres", API_OWNER, KIOSK_GROUP}
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleNameError(ValueError):
    """A role name we refuse to paste into SQL (lower-case letters, digits, '_')."""


class KioskRoleError(RoleNameError):
    """The role exists but must not become a kiosk (a superuser, say), or the store lacks
    the kiosk_api schema (`kiosk db upgrade` first)."""


def checked_role_name(role: str) -> str:
    if not _ROLE_NAME.fullmatch(role) or role.startswith("pg_") or role in _RESERVED:
        raise RoleNameError(
            f"role name {role!r}: use lower-case letters, digits and '_' "
            f"(not pg_*, postgres, {API_OWNER} or {KIOSK_GROUP})"
        )
    return role


def grant_statements(role: str) -> list[str]:
    """The SQL that gives `role` exactly the kiosk's rights (the role must exist)."""
    role = checked_role_name(role)
    all_tables = ", ".join(
        f"{SCHEMA}.{t}" for t in (*ACCOUNT_TABLES, AUDIT_TABLE, HEARTBEAT_TABLE, "alembic_version")
    )
    return [
        # Start from nothing, so a second run also takes away rights granted by hand.
        f"REVOKE ALL ON {all_tables} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {API_SCHEMA} FROM {role}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {API_SCHEMA} FROM {role}",
        f"REVOKE ALL ON SCHEMA {API_SCHEMA} FROM {role}",
        # INHERIT: the group's EXECUTE applies without SET ROLE. No CREATEDB/CREATEROLE.
        f"ALTER ROLE {role} LOGIN INHERIT NOCREATEDB NOCREATEROLE"
        f" CONNECTION LIMIT {CONNECTION_LIMIT}",
        # Its only rights: the group's (USAGE on kiosk_api, EXECUTE on its kiosk functions).
        f"GRANT {KIOSK_GROUP} TO {role}",
        # Its calls commit without waiting for the WAL flush (0.15-0.2 ms of a 1 ms screen
        # here): what a server crash may lose is the audit rows of the last ~0.6 s of reads
        # (3 x wal_writer_delay), never an account's figures, which kiosks cannot change.
        f"ALTER ROLE {role} SET synchronous_commit = off",
    ]


def grant_kiosk_role(engine: Engine, role: str, password: str | None = None) -> list[str]:
    """Create `role` (LOGIN) if missing, set its password if given, and apply the grants.

    Runs as the engine's user, which must own the tables (the one that ran
    `kiosk db upgrade`) and may create roles. Returns the statements run, the password's
    verifier left out.
    """
    from sqlalchemy import text

    role = checked_role_name(role)
    with engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            raise ValueError("database roles exist only on PostgreSQL stores")
        if connection.execute(
            text("SELECT to_regnamespace(:schema) IS NULL OR to_regrole(:group) IS NULL"),
            {"schema": API_SCHEMA, "group": KIOSK_GROUP},
        ).scalar_one():
            raise KioskRoleError(
                f"the store has no {API_SCHEMA} schema yet: run `kiosk db upgrade` first"
            )
        found = _existing_weak_role(connection, role, "a kiosk role")
        done: list[str] = []
        if not found:
            create = f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
            connection.exec_driver_sql(create)
            done.append(create)
        if password:
            done.append(_set_password(connection, role, password))
            done.extend(_set_pool_key(connection, role, password))
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = [
            f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {role}",
            *_foreign_memberships(connection, role),
            *grant_statements(role),
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
        return done + statements


def grant_pool_role(engine: Engine, role: str, timeout_seconds: float = 3.0) -> list[str]:
    """Make `role` the login PgBouncer's shared pool uses (migration 0008): LOGIN, a member
    of sscard_pool and nothing else, so it may call kiosk_pool's wrappers only. Its
    password (if any) is set by the operator as for any role; on a private socket, trust.

    Its role settings bound every statement, lock wait and idle transaction by
    `timeout_seconds` (the kiosks' store.timeout_seconds): the shared pool's PgBouncer
    resets each backend after every transaction (RESET ALL), which returns to these."""
    from sqlalchemy import text

    role = checked_role_name(role)
    ms = int(timeout_seconds * 1000)
    with engine.begin() as connection:
        if connection.execute(text("SELECT to_regnamespace('kiosk_pool') IS NULL")).scalar_one():
            raise KioskRoleError("the store has no kiosk_pool schema yet: run `kiosk db upgrade`")
        found = _existing_weak_role(connection, role, "the pool's login")
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = [
            *([] if found else [f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"]),
            f"ALTER ROLE {role} LOGIN INHERIT NOCREATEDB NOCREATEROLE",
            f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {role}",
            # Never a kiosk too: kiosk_api.caller() would know it as itself, not its callers.
            *_foreign_memberships(connection, role, keep="sscard_pool"),
            f"GRANT sscard_pool TO {role}",
            # What a kiosk role is also given (grant_statements): the per-role settings.
            f"ALTER ROLE {role} SET synchronous_commit = off",
            f"ALTER ROLE {role} SET statement_timeout = {ms}",
            f"ALTER ROLE {role} SET lock_timeout = {ms}",
            f"ALTER ROLE {role} SET idle_in_transaction_session_timeout = {max(ms * 10, 10000)}",
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
        return statements


def _existing_weak_role(connection: Connection, role: str, what: str) -> bool:
    """Whether `role` exists; KioskRoleError if it is a superuser or has BYPASSRLS or
    REPLICATION: such a role reads every table whatever we revoke, so refuse rather than
    pretend."""
    from sqlalchemy import text

    found = connection.execute(
        text("SELECT rolsuper, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = :r"),
        {"r": role},
    ).first()
    if found is not None and any(found):
        raise KioskRoleError(
            f"role {role} is a superuser or has BYPASSRLS or REPLICATION: "
            f"{what} must have none of them"
        )
    return found is not None


def _set_pool_key(connection: Connection, role: str, password: str) -> list[str]:
    """The digest of the kiosk's shared-pool key (migration 0008), made here from the same
    password: the key never reaches the server, only its SHA-256."""
    from sqlalchemy import text

    if connection.execute(text("SELECT to_regclass('kiosk_api.kiosk_key') IS NULL")).scalar_one():
        return []  # a store before 0008
    set_pool_keys(connection, [role], password)
    return [f"-- kiosk_api.kiosk_key for {role}: the SHA-256 of its pool key, made on this machine"]


def set_pool_keys(connection: Connection, roles: list[str], password: str) -> None:
    """Each role's pool-key digest, in one statement (the fleet bench sets a thousand)."""
    from sqlalchemy import text

    from kiosk.store.pool_calls import key_digest, pool_key

    connection.execute(
        text(
            "INSERT INTO kiosk_api.kiosk_key (kiosk_role, digest) VALUES (:r, :d)"
            " ON CONFLICT (kiosk_role) DO UPDATE SET digest = EXCLUDED.digest, set_at = now()"
        ),
        [{"r": role, "d": key_digest(pool_key(role, password))} for role in roles],
    )


def _set_password(connection: Connection, role: str, password: str) -> str:
    """ALTER ROLE ... PASSWORD with a SCRAM-SHA-256 verifier computed on this machine.

    The server stores a SCRAM verifier as it is, so the password itself is never sent,
    never in a statement the server might log, never in pg_stat_activity.
    """
    from sqlalchemy import text

    driver = connection.connection.driver_connection
    pgconn = getattr(driver, "pgconn", None)
    if pgconn is None:
        raise ValueError("setting a kiosk password needs the psycopg driver")
    verifier = pgconn.encrypt_password(
        password.encode("utf-8"), role.encode("utf-8"), b"scram-sha-256"
    ).decode("ascii")
    if not verifier.startswith("SCRAM-SHA-256$"):  # never fall back to sending less
        raise ValueError("libpq did not produce a SCRAM-SHA-256 verifier")
    literal = connection.execute(text("SELECT quote_literal(:v)"), {"v": verifier}).scalar_one()
    connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD {literal}")
    return f"ALTER ROLE {role} PASSWORD 'SCRAM-SHA-256$...'  -- verifier made on this machine"


def _foreign_memberships(connection: Connection, role: str, keep: str = KIOSK_GROUP) -> list[str]:
    """REVOKEs for every role `role` belongs to besides `keep` (granted by hand)."""
    from sqlalchemy import text

    granted = connection.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m"
            " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member"
            " WHERE r.rolname = :role AND g.rolname <> :group ORDER BY g.rolname"
        ),
        {"role": role, "group": keep},
    ).scalars()
    return [f"REVOKE {_quoted(name)} FROM {role}" for name in granted]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'

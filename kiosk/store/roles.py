"""The least-privilege PostgreSQL role the kiosks log in as.

A kiosk reads accounts and writes audit rows and its heartbeat; nothing else. So its role
may SELECT the account tables, INSERT into audit_event (and use its id sequence), and
INSERT/UPDATE kiosk_heartbeat (the heartbeat is an upsert). It may not change a balance,
write the ledger, delete or rewrite audit rows, or create anything. A stolen kiosk
password therefore reads accounts (as a kiosk does) but cannot alter them or cover tracks.

`grant_statements` is plain SQL an operator can read (`kiosk db grant-kiosk-role --print`);
`grant_kiosk_role` runs it as the store's owner. Running it again re-applies exactly these
rights: everything else the role had on these tables is revoked first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

# What a kiosk's AccountService reads (kiosk.store.reads).
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
# ON CONFLICT (event_key) DO NOTHING and ON CONFLICT (kiosk_id) DO UPDATE must read the
# conflict column, and SQLAlchemy's INSERT ... RETURNING id reads the new id: PostgreSQL
# asks for SELECT on exactly those columns, so the kiosk never reads an audit row's content.
AUDIT_READABLE_COLUMNS = "id, event_key"
HEARTBEAT_READABLE_COLUMNS = "kiosk_id"
SCHEMA = "public"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleNameError(ValueError):
    """A role name we refuse to paste into SQL (lower-case letters, digits, '_')."""


def checked_role_name(role: str) -> str:
    if not _ROLE_NAME.fullmatch(role) or role.startswith("pg_") or role == "postgres":
        raise RoleNameError(
            f"role name {role!r}: use lower-case letters, digits and '_' (not pg_*, not postgres)"
        )
    return role


def grant_statements(role: str, audit_sequence: str | None = f"{AUDIT_TABLE}_id_seq") -> list[str]:
    """The SQL that gives `role` exactly the kiosk's rights (the role must exist)."""
    role = checked_role_name(role)
    all_tables = ", ".join((*ACCOUNT_TABLES, AUDIT_TABLE, HEARTBEAT_TABLE, "alembic_version"))
    statements = [
        # Start from nothing, so a second run also takes away rights granted by hand.
        f"REVOKE ALL ON {all_tables} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM {role}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}",
        f"GRANT SELECT ON {', '.join(ACCOUNT_TABLES)} TO {role}",
        f"GRANT INSERT ON {AUDIT_TABLE} TO {role}",
        f"GRANT SELECT ({AUDIT_READABLE_COLUMNS}) ON {AUDIT_TABLE} TO {role}",
        f"GRANT INSERT, UPDATE ON {HEARTBEAT_TABLE} TO {role}",
        f"GRANT SELECT ({HEARTBEAT_READABLE_COLUMNS}) ON {HEARTBEAT_TABLE} TO {role}",
    ]
    if audit_sequence:
        statements.append(f"GRANT USAGE ON SEQUENCE {audit_sequence} TO {role}")
    return statements


def grant_kiosk_role(engine: Engine, role: str, password: str | None = None) -> list[str]:
    """Create `role` (LOGIN) if missing, set its password if given, and apply the grants.

    Runs as the engine's user, which must own the tables (the one that ran
    `kiosk db upgrade`). Returns the statements run, password left out.
    """
    from sqlalchemy import text

    role = checked_role_name(role)
    with engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            raise ValueError("database roles exist only on PostgreSQL stores")
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        done: list[str] = []
        if not exists:
            create = f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
            connection.exec_driver_sql(create)
            done.append(create)
        if password:
            # The password goes as a bound literal, never into the returned text or a log.
            literal = connection.execute(
                text("SELECT quote_literal(:p)"), {"p": password}
            ).scalar_one()
            connection.exec_driver_sql(f"ALTER ROLE {role} PASSWORD {literal}")
            done.append(f"ALTER ROLE {role} PASSWORD '...'")
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": AUDIT_TABLE}
        ).scalar_one_or_none()
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = [
            f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {role}",
            *grant_statements(role, sequence),
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
        return done + statements


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'

"""The PostgreSQL login role the verification service connects as (migration 0006).

A member of `sscard_verifier`, which may use schema verify_api and EXECUTE
verify_api.check_document, and nothing else: no table, no kiosk_api function, not the kiosk
group. check_document runs as sscard_api and answers one code's verdict at a time, with who,
when and where only for the slip as printed. So a stolen verifier password learns nothing a
slip's holder does not already know; what it can do is ask, as fast as the server answers,
whether guessed facts match a code it already holds (docs/security.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.store.roles import API_SCHEMA, KIOSK_GROUP, checked_role_name

if TYPE_CHECKING:
    from sqlalchemy import Engine

VERIFIER_GROUP = "sscard_verifier"
VERIFY_SCHEMA = "verify_api"
CONNECTION_LIMIT = 10  # uvicorn's worker threads each hold one at most


def grant_statements(role: str) -> list[str]:
    """The SQL that gives `role` exactly the verifier's rights (the role must exist)."""
    role = checked_role_name(role)
    if role == VERIFIER_GROUP:
        raise ValueError(f"{VERIFIER_GROUP} is the group; name a login role")
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {API_SCHEMA} FROM {role}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {API_SCHEMA} FROM {role}",
        f"REVOKE ALL ON SCHEMA {API_SCHEMA} FROM {role}",
        f"REVOKE {KIOSK_GROUP} FROM {role}",
        f"ALTER ROLE {role} LOGIN INHERIT NOCREATEDB NOCREATEROLE"
        f" CONNECTION LIMIT {CONNECTION_LIMIT}",
        f"GRANT {VERIFIER_GROUP} TO {role}",
    ]


def grant_verifier_role(engine: Engine, role: str, password: str | None = None) -> list[str]:
    """Create `role` (LOGIN) if missing, set its password if given, apply the grants.

    Runs as the store's owner (who ran `kiosk db upgrade`). Returns the statements run,
    the password's verifier left out.
    """
    from sqlalchemy import text

    from kiosk.store.roles import KioskRoleError, _quoted, _set_password

    role = checked_role_name(role)
    with engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            raise ValueError("database roles exist only on PostgreSQL stores")
        if connection.execute(
            text("SELECT to_regnamespace(:schema) IS NULL OR to_regrole(:group) IS NULL"),
            {"schema": VERIFY_SCHEMA, "group": VERIFIER_GROUP},
        ).scalar_one():
            raise KioskRoleError(f"no {VERIFY_SCHEMA} schema yet: run `kiosk db upgrade` first")
        found = connection.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        if found is not None and found[0]:
            raise KioskRoleError(f"role {role} is a superuser or has BYPASSRLS")
        done: list[str] = []
        if found is None:
            create = f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
            connection.exec_driver_sql(create)
            done.append(create)
        if password:
            done.append(_set_password(connection, role, password))
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = [f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {role}"]
        statements += grant_statements(role)
        for statement in statements:
            connection.exec_driver_sql(statement)
        return done + statements

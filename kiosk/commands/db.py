"""`kiosk db`: upgrade the schema, create the demo store, seed a city-scale store, or set up
a kiosk's PostgreSQL role (no table rights: it EXECUTEs the kiosk_api functions only), or
the shared pool's login (the kiosk_pool wrappers only)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

HELP = "account store: upgrade the schema, demo or seeded data, the kiosks' database role"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("upgrade", help="create or migrate the store's schema to the newest")
    demo = sub.add_parser("demo", help="replace the store with the demo people (every card)")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--years", type=int, default=3, help="years of history (default 3)")
    seed = sub.add_parser("seed", help="replace the store with the demo people plus N more")
    seed.add_argument("--persons", type=int, required=True, help="generated people")
    seed.add_argument("--years", type=int, default=1, help="years of history (default 1)")
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sub.add_parser("status", help="show the schema revision and row counts")
    grant = sub.add_parser(
        "grant-kiosk-role",
        help="PostgreSQL: create/refresh a kiosk's login role (kiosk_api functions only)",
    )
    grant.add_argument(
        "role", metavar="ROLE", help="role name = the kiosk's id in the fleet, e.g. kiosk_0042"
    )
    grant.add_argument(
        "--password-env",
        metavar="VAR",
        default="",
        help="set the role's password from this environment variable (sent as a SCRAM "
        "verifier made here, never as the password)",
    )
    grant.add_argument(
        "--print-sql", action="store_true", help="only print the SQL; connect to nothing"
    )
    pool = sub.add_parser(
        "grant-pool-role",
        help="PostgreSQL: create/refresh the login PgBouncer's one shared pool uses "
        "(kiosk_pool wrappers only; see docs/operations.md)",
    )
    pool.add_argument("role", metavar="ROLE", help="e.g. sscard_pool_login")


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit, setup_logging_for

    if args.db_command == "grant-kiosk-role" and args.print_sql:
        return _print_grants(args.role)
    config = config_or_exit(args)
    setup_logging_for(config)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    url = config.store_url()
    try:
        if args.db_command == "upgrade":
            return _upgrade(url, config.store.timeout_seconds, config.data_dir)
        if args.db_command == "status":
            return _status(url, config.store.timeout_seconds)
        if args.db_command == "grant-kiosk-role":
            return _grant(url, config.store.timeout_seconds, args.role, args.password_env)
        if args.db_command == "grant-pool-role":
            return _grant_pool(url, config.store.timeout_seconds, args.role)
        persons = args.persons if args.db_command == "seed" else 0
        return _seed(url, persons, args.years, args.seed)
    except Exception as error:  # a broken store must give a message, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(error, SQLAlchemyError | OSError):
            raise
        print(f"kiosk db: the store failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _upgrade(url: str, timeout: float, data_dir: Path) -> int:
    from kiosk import pseudonym_key
    from kiosk.store.engine import make_engine
    from kiosk.store.legacy_pseudonyms import rekey_embedded
    from kiosk.store.migrate import current_revision, upgrade

    engine = make_engine(url, timeout, create=True)
    upgrade(engine)
    print(f"store schema at revision {current_revision(engine)}")
    if engine.dialect.name == "sqlite":
        # The embedded store's old audit pseudonyms, under this installation's key.
        key = pseudonym_key.load_or_create(data_dir).key
        changed = rekey_embedded(engine, key)
        if changed:
            print(f"re-keyed the card pseudonyms of {changed:,} old audit row(s)")
    return 0


def _status(url: str, timeout: float) -> int:
    from sqlalchemy import func, select

    from kiosk.store.engine import make_engine
    from kiosk.store.migrate import current_revision, head_revision
    from kiosk.store.models import Base

    engine = make_engine(url, timeout)
    print(f"revision {current_revision(engine)} (newest {head_revision()})")
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            print(f"  {table.name}: {count:,}")
    return 0


def _seed(url: str, persons: int, years: int, seed: int) -> int:
    from datetime import datetime

    from kiosk.store.seeding import create_store

    if persons < 0 or not 1 <= years <= 20:
        print("kiosk db: --persons must be >= 0 and --years from 1 to 20", file=sys.stderr)
        return 2
    result = create_store(
        url,
        datetime.now(),
        persons=persons,
        years=years,
        seed=seed,
        progress=lambda message: print(f"  {message}", flush=True),
    )
    print(
        f"store ready: {result.persons:,} people, {result.ledger_rows:,} generated ledger rows "
        f"in {result.seconds} s"
    )
    return 0


def _print_grants(role: str) -> int:
    from kiosk.store.roles import RoleNameError, grant_statements

    try:
        statements = grant_statements(role)
    except RoleNameError as error:
        print(f"kiosk db: {error}", file=sys.stderr)
        return 2
    print(f"CREATE ROLE {role} LOGIN;  -- if it does not exist yet")
    print(f"GRANT CONNECT ON DATABASE <the store's database> TO {role};")
    print("-- and REVOKE any other role it was made a member of")
    print("\n".join(f"{s};" for s in statements))
    print("-- a password: ALTER ROLE ... PASSWORD with a SCRAM-SHA-256 verifier, never the")
    print("-- password itself (psql's \\password makes one; so does --password-env)")
    return 0


def _grant(url: str, timeout: float, role: str, password_env: str) -> int:
    import os

    from kiosk.store.roles import grant_kiosk_role

    password = os.environ.get(password_env, "") if password_env else ""
    if password_env and not password:
        print(f"kiosk db: ${password_env} is empty or unset", file=sys.stderr)
        return 2
    return _grant_on_postgres(
        url,
        timeout,
        lambda engine: grant_kiosk_role(engine, role, password or None),
        f"role {role}: no table rights; EXECUTE on the kiosk_api functions (member of "
        "sscard_kiosk), CONNECT to this database",
    )


def _grant_pool(url: str, timeout: float, role: str) -> int:
    from kiosk.store.roles import grant_pool_role

    return _grant_on_postgres(
        url,
        timeout,
        lambda engine: grant_pool_role(engine, role, timeout),
        f"role {role}: no table rights; EXECUTE on the kiosk_pool wrappers (member of "
        "sscard_pool), which run a kiosk_api function only for a kiosk whose key checks out",
    )


def _grant_on_postgres(
    url: str, timeout: float, grant: Callable[[Engine], list[str]], rights: str
) -> int:
    """Run `grant` on the store; print what it ran and the role's rights."""
    from kiosk.store.engine import make_engine
    from kiosk.store.roles import RoleNameError

    if not url.startswith("postgresql"):
        print("kiosk db: database roles need a PostgreSQL store (store.url)", file=sys.stderr)
        return 2
    engine = make_engine(url, timeout)
    try:
        done = grant(engine)
    except RoleNameError as error:  # KioskRoleError is one too
        print(f"kiosk db: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print("\n".join(f"{s};" for s in done))
    print(rights)
    return 0

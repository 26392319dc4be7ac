"""`kiosk db`: upgrade the schema, create the demo store, or seed a city-scale store."""

from __future__ import annotations

import argparse
import logging
import sys

HELP = "account store: upgrade the schema, create the demo store, seed a large store"


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


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.common import config_or_exit, setup_logging_for

    config = config_or_exit(args)
    setup_logging_for(config)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    url = config.store_url()
    try:
        if args.db_command == "upgrade":
            return _upgrade(url, config.store.timeout_seconds)
        if args.db_command == "status":
            return _status(url, config.store.timeout_seconds)
        persons = args.persons if args.db_command == "seed" else 0
        return _seed(url, persons, args.years, args.seed)
    except Exception as error:  # a broken store must give a message, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(error, SQLAlchemyError | OSError):
            raise
        print(f"kiosk db: the store failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _upgrade(url: str, timeout: float) -> int:
    from kiosk.store.engine import make_engine
    from kiosk.store.migrate import current_revision, upgrade

    engine = make_engine(url, timeout, create=True)
    upgrade(engine)
    print(f"store schema at revision {current_revision(engine)}")
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
        url, datetime.now(), persons=persons, years=years, seed=seed,
        progress=lambda message: print(f"  {message}", flush=True),
    )  # fmt: skip
    print(
        f"store ready: {result.persons:,} people, {result.ledger_rows:,} generated ledger rows "
        f"in {result.seconds} s"
    )
    return 0

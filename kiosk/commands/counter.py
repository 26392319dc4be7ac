"""`kiosk counter`: what the insurance counter's staff do for a person who came in.

set-service-password  a new service password (服务密码), typed twice or from stdin
confirm-loss          make a temporary loss report a formal one (it no longer lapses)
loss-reports          the newest loss reports, masked

On PostgreSQL these run as the store's owner or an operator (the URL of kiosk.toml, or
--store-url): a kiosk role may not, and is refused before anything is asked.
"""

from __future__ import annotations

import argparse
import getpass
import sys

HELP = "counter staff: set a service password, confirm or list loss reports"
EXIT_REFUSED = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store-url", default="", help="the owner/operator store URL (default: kiosk.toml's)"
    )
    commands = parser.add_subparsers(dest="counter_command", required=True)
    password = commands.add_parser("set-service-password", help="set a person's service password")
    password.add_argument("--citizen-id", required=True, help="the person's citizen ID")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    confirm = commands.add_parser("confirm-loss", help="confirm a temporary loss report")
    confirm.add_argument("--report", required=True, type=int, help="the report number")
    listing = commands.add_parser("loss-reports", help="list the newest loss reports")
    listing.add_argument("--limit", type=int, default=50, help="how many (default 50)")


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from kiosk.commands.common import config_or_exit
    from kiosk.pseudonym_key import PseudonymKey
    from kiosk.store import counter_desk, fleet_api
    from kiosk.store.engine import make_engine
    from kiosk.store.service_password import PasswordFormatError

    config = config_or_exit(args)
    engine = make_engine(args.store_url or config.store_url(), config.store.timeout_seconds)
    try:
        with engine.connect() as connection:
            if fleet_api.is_kiosk_role(connection):
                print("kiosk counter: run this as the store's owner or an operator, not a"
                      " kiosk role (--store-url)", file=sys.stderr)  # fmt: skip
                return EXIT_REFUSED
        now = datetime.now()
        if args.counter_command == "set-service-password":
            typed = _password(args.password_stdin)
            if typed is None:
                return EXIT_REFUSED
            # The embedded store keys its pseudonyms with the installation's key.
            key = PseudonymKey(config.data_dir).key if engine.dialect.name == "sqlite" else b""
            try:
                with engine.begin() as connection:
                    counter_desk.set_service_password(connection, args.citizen_id, typed, now, key)
            finally:
                typed[:] = bytes(len(typed))
            print("service password set; earlier wrong tries and any lock are cleared")
        elif args.counter_command == "confirm-loss":
            with engine.begin() as connection:
                counter_desk.confirm_loss(connection, args.report, now)
            print(f"loss report {args.report} confirmed: the card is lost from the report's time")
        else:
            with engine.connect() as connection:
                lines = counter_desk.loss_report_lines(connection, now, args.limit)
            for line in lines:
                print(
                    f"{line.report_no:>8}  {line.state:<9}  {line.reported_at:%Y-%m-%d %H:%M}"
                    f"  {line.expires_at:%Y-%m-%d %H:%M}  {line.kiosk_id:<20}  {line.name}"
                    f"  {line.citizen_id}  card …{line.card_number_tail}"
                )
        return 0
    except (counter_desk.CounterError, PasswordFormatError) as error:
        print(f"kiosk counter: {error}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> bytearray | None:
    if from_stdin:
        return bytearray(sys.stdin.readline().strip().encode("ascii", "replace"))
    first = getpass.getpass("New service password (6 digits): ")
    if getpass.getpass("Again: ") != first:
        print("kiosk counter: the two passwords differ; nothing was changed", file=sys.stderr)
        return None
    return bytearray(first.encode("ascii", "replace"))

"""`kiosk admin-pin-hash`: make the salted hash that kiosk.toml's admin.pin_hash holds."""

from __future__ import annotations

import argparse
import getpass
import sys

HELP = "print the scrypt hash of a new maintenance PIN for kiosk.toml"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdin", action="store_true", help="read the PIN from standard input")


def run(args: argparse.Namespace) -> int:
    from kiosk.admin_pin import hash_admin_pin

    pin = sys.stdin.readline().strip() if args.stdin else getpass.getpass("New admin PIN: ")
    if not (pin.isdigit() and 6 <= len(pin) <= 12):
        print("kiosk: the admin PIN must be 6 to 12 digits", file=sys.stderr)
        return 2
    print(f'pin_hash = "{hash_admin_pin(pin)}"')
    return 0

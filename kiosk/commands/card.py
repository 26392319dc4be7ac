"""`kiosk card read|simulate|watch`: the card reader from the command line.

Exit codes of `read`: 0 read, 3 configuration, 4 no reader, 5 no card, 6 not a
social-security card, 7 card data damaged, 8 card removed during the read, 9 other card or
reader failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

HELP = "read a card, watch the reader, or serve a simulated card to vpcd"

EXIT_NO_READER = 4
EXIT_NO_CARD = 5
EXIT_NOT_SSSE = 6
EXIT_DAMAGED = 7
EXIT_REMOVED = 8
EXIT_CARD_FAILURE = 9


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    read = sub.add_parser("read", help="read the identity of the card in the reader")
    read.add_argument("--json", action="store_true", help="print the identity as JSON")
    read.add_argument("--reader", default=None, help="use the reader whose name contains this")
    read.add_argument("--backend", choices=("pcsc", "virtual"), default=None)
    read.add_argument("--profile", default="zhang-wei", help="virtual backend: card profile")
    read.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    simulate = sub.add_parser("simulate", help="serve a simulated card to vpcd until Ctrl-C")
    simulate.add_argument("--profile", required=True)
    simulate.add_argument("--vpcd", default="127.0.0.1:35963", metavar="HOST:PORT")
    watch = sub.add_parser("watch", help="print reader and card events")
    watch.add_argument("--reader", default=None)
    watch.add_argument("--seconds", type=float, default=None, help="stop after this long")
    sub.add_parser("profiles", help="list the simulated card profiles")


def run(args: argparse.Namespace) -> int:
    handlers = {
        "read": _read,
        "simulate": _simulate,
        "watch": _watch,
        "profiles": _profiles,
    }
    result: int = handlers[args.card_command](args)
    return result


def _exit_code(error: Exception) -> int:
    from card_reader import errors

    codes: list[tuple[type[Exception], int]] = [
        (errors.NoReaderError, EXIT_NO_READER),
        (errors.NoCardError, EXIT_NO_CARD),
        (errors.NotSSSECardError, EXIT_NOT_SSSE),
        (errors.CardDataDamagedError, EXIT_DAMAGED),
        (errors.CardRemovedError, EXIT_REMOVED),
    ]
    for kind, code in codes:
        if isinstance(error, kind):
            return code
    return EXIT_CARD_FAILURE


def _identity_json(identity: Any, apdus: int, elapsed_ms: float) -> dict[str, Any]:
    return {
        "card_number": identity.card_number,
        "ssn": identity.ssn,
        "name": identity.name,
        "sex": identity.sex,
        "birth_date": identity.birth_date.isoformat(),
        "issue_date": identity.issue_date.isoformat(),
        "expiry_date": identity.expiry_date.isoformat(),
        "spec_version": identity.spec_version,
        "card_type": identity.card_type,
        "region_code": identity.region_code,
        "issuer_code": identity.issuer_code,
        "atr": identity.atr,
        "apdu_count": apdus,
        "elapsed_ms": round(elapsed_ms, 3),
    }


def _read(args: argparse.Namespace) -> int:
    from card_reader import open_card
    from card_reader.errors import CardError, NoCardError
    from kiosk.commands.common import config_or_exit

    config = config_or_exit(args)
    backend_name = args.backend or config.reader.backend
    pattern = args.reader if args.reader is not None else config.reader.name_pattern
    try:
        if backend_name == "virtual":
            from card_reader.backends.virtual import VirtualBackend
            from card_reader.simulator import build_card, profile

            backend: Any = VirtualBackend()
            try:
                backend.insert(build_card(profile(args.profile)))
            except KeyError as error:
                print(f"kiosk card: {error.args[0]}", file=sys.stderr)
                return 2
            reader = backend.reader
        else:
            from card_reader.backends.pcsc import PcscBackend, wait_for_card

            backend = PcscBackend(pattern)
            try:
                reader, _atr = wait_for_card(backend, max(args.wait, 0.3))
            finally:
                backend.close()
        started = time.perf_counter()
        connection = backend.connect(reader)
        try:
            card = open_card(connection)
            identity = card.read_identity()
        finally:
            connection.disconnect()
        elapsed_ms = (time.perf_counter() - started) * 1000
    except CardError as error:
        print(f"kiosk card: {error.user_message('en')} ({error.operator_message})", file=sys.stderr)
        if isinstance(error, NoCardError) and args.wait == 0:
            print("(use --wait SECONDS to wait for a card)", file=sys.stderr)
        return _exit_code(error)
    figures = _identity_json(identity, card.channel.apdu_count, elapsed_ms)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>13}: {value}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from card_reader.simulator import build_card, profile
    from card_reader.vpcd import VirtualCardSlot

    host, _, port = args.vpcd.rpartition(":")
    try:
        card = build_card(profile(args.profile))
    except KeyError as error:
        print(f"kiosk card: {error.args[0]}", file=sys.stderr)
        return 2
    slot = VirtualCardSlot(host or "127.0.0.1", int(port))
    try:
        slot.insert(card)
    except OSError as error:
        print(f"kiosk card: cannot reach vpcd at {args.vpcd}: {error.strerror}", file=sys.stderr)
        return EXIT_NO_READER
    print(f"serving card profile {args.profile!r} to vpcd at {args.vpcd}; Ctrl-C removes it")
    try:
        while slot.inserted:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        slot.remove()
    return 0


def _watch(args: argparse.Namespace) -> int:
    from card_reader.backends.pcsc import PcscBackend
    from card_reader.events import ReaderEvent
    from kiosk.commands.common import config_or_exit

    config = config_or_exit(args)
    pattern = args.reader if args.reader is not None else config.reader.name_pattern

    def show(event: ReaderEvent) -> None:
        fields = {
            k: (v.hex().upper() if isinstance(v, bytes) else v) for k, v in vars(event).items()
        }
        print(f"{time.strftime('%H:%M:%S')} {type(event).__name__} {fields}", flush=True)

    backend = PcscBackend(pattern)
    backend.subscribe(show)
    try:
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        backend.close()
    return 0


def _profiles(args: argparse.Namespace) -> int:
    del args
    from card_reader.simulator import load_profiles

    for p in load_profiles():
        print(f"{p.key:<14} {p.description}")
    return 0

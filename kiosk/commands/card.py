"""`kiosk card read|simulate|watch`: the card reader from the command line.

Exit codes of `read`: 0 read, 3 configuration, 4 no reader, 5 no card, 6 not a
social-security card, 7 card data damaged, 8 card removed during the read, 9 other card or
reader failure, 10 the card stopped answering, 11 the personal data needs the PIN (give
`--pin`) or stays locked after it, 12 wrong PIN, 13 PIN blocked.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from typing import Any

HELP = "read a card, watch the reader, or serve a simulated card to vpcd"

EXIT_NO_READER = 4
EXIT_NO_CARD = 5
EXIT_NOT_SSSE = 6
EXIT_DAMAGED = 7
EXIT_REMOVED = 8
EXIT_CARD_FAILURE = 9
EXIT_NOT_RESPONDING = 10
EXIT_PIN_NEEDED = 11
EXIT_PIN_WRONG = 12
EXIT_PIN_BLOCKED = 13


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    read = sub.add_parser("read", help="read the identity of the card in the reader")
    read.add_argument("--json", action="store_true", help="print the identity as JSON")
    read.add_argument("--reader", default=None, help="use the reader whose name contains this")
    read.add_argument("--backend", choices=("pcsc", "virtual"), default=None)
    read.add_argument("--profile", default="zhang-wei", help="virtual backend: card profile")
    read.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    read.add_argument(
        "--pin",
        default=None,
        metavar="PIN",
        help="verify this PIN first, for cards whose personal data needs it ('-': read it "
        "from standard input, for scripts)",
    )
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
        (errors.CardNotRespondingError, EXIT_NOT_RESPONDING),
        (errors.PinRequiredError, EXIT_PIN_NEEDED),
        (errors.PinBlockedError, EXIT_PIN_BLOCKED),
    ]
    for kind, code in codes:
        if isinstance(error, kind):
            return code
    return EXIT_CARD_FAILURE


def _identity_json(
    facts: Any, holder: Any, tries_left: int | None, apdus: int, elapsed_ms: float
) -> dict[str, Any]:
    """What the card told us; the personal fields are null when the card kept them locked."""
    return {
        "card_number": facts.card_number,
        "card_id": facts.card_id,
        "ssn": holder.ssn if holder else None,
        "name": holder.name if holder else None,
        "sex": holder.sex if holder else None,
        "birth_date": holder.birth_date.isoformat() if holder else None,
        "issue_date": facts.issue_date.isoformat() if facts.issue_date else None,
        "expiry_date": None if facts.expiry_date == date.max else facts.expiry_date.isoformat(),
        "spec_version": facts.spec_version,
        "card_type": facts.card_type,
        "region_code": facts.region_code,
        "issuer_code": facts.issuer_code,
        "atr": facts.atr,
        "pin_tries_left": tries_left,
        "personal_data": "read" if holder else "locked",
        "apdu_count": apdus,
        "elapsed_ms": round(elapsed_ms, 3),
    }


def _pin_argument(value: str | None) -> bytearray | None:
    """The --pin value as a bytearray (zeroed by VERIFY); '-' reads one line of stdin."""
    if value is None:
        return None
    if value == "-":
        value = sys.stdin.readline().strip()
    return bytearray(value.encode("ascii", "replace"))


def _read(args: argparse.Namespace) -> int:
    from card_reader.errors import CardError, NoCardError
    from kiosk.commands.common import config_or_exit
    from kiosk.words.failures import failure_text

    config = config_or_exit(args)
    backend_name = args.backend or config.reader.backend
    pattern = args.reader if args.reader is not None else config.reader.name_pattern
    pin = _pin_argument(args.pin)
    if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 12):
        print("kiosk card: --pin takes 4 to 12 digits", file=sys.stderr)
        return 2
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
        return _read_card(backend, reader, pin, args.json, config.timeouts.card_command_seconds)
    except CardError as error:
        words = failure_text(error, "en")
        print(f"kiosk card: {words} ({error.operator_message})", file=sys.stderr)
        if isinstance(error, NoCardError) and args.wait == 0:
            print("(use --wait SECONDS to wait for a card)", file=sys.stderr)
        return _exit_code(error)


def _read_card(
    backend: Any, reader: str, pin: bytearray | None, as_json: bool, deadline: float
) -> int:
    """Connect, read what the card allows, disconnect; print it."""
    from card_reader import open_card
    from card_reader.deadline import call_with_deadline

    started = time.perf_counter()
    connection = call_with_deadline(backend.connect, reader, deadline, "connect")
    card = open_card(connection, deadline_seconds=deadline)
    try:
        facts, holder, tries, status = _read_what_the_card_allows(card, pin)
    finally:
        if not card.channel.mute:  # a mute card's driver call still holds the connection
            connection.disconnect()
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status == EXIT_PIN_WRONG:
        print(f"kiosk card: wrong PIN, {tries} tries left", file=sys.stderr)
        return status
    figures = _identity_json(facts, holder, tries, card.channel.apdu_count, elapsed_ms)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>14}: {value}")
    return status


def _read_what_the_card_allows(card: Any, pin: bytearray | None) -> tuple[Any, Any, Any, int]:
    """(card facts, holder or None, tries left, exit status): probe, EF05, VERIFY when a PIN
    was given, EF06 (which some cards open only after the PIN)."""
    from card_reader.errors import PinBlockedError, PinRequiredError
    from card_reader.sscard import PinStatus

    tries = card.probe().tries_left
    if pin is not None:  # first: some cards open even the card file only after the PIN
        result = card.verify_pin(pin)
        if result.status is PinStatus.BLOCKED:
            raise PinBlockedError("VERIFY: PIN blocked")
        if not result.ok:
            return None, None, result.tries_left, EXIT_PIN_WRONG
    facts = card.read_facts()
    try:
        return facts, card.read_holder(), tries, 0
    except PinRequiredError as locked:
        print(
            "kiosk card: this card's personal data (EF06) needs the PIN: give --pin PIN "
            "(or --pin - to read it from standard input)"
            if pin is None
            else "kiosk card: the personal data stays locked after the PIN: this card wants "
            f"external authentication (a PSAM) ({locked.operator_message})",
            file=sys.stderr,
        )
        return facts, None, tries, EXIT_PIN_NEEDED


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

"""Coverage-guided fuzzing with atheris (libFuzzer) of the card and config parsers.

Not a pytest module (hypothesis covers CI); run by hand for a longer search:

    pip install atheris            # a manylinux wheel: no compiler needed on x86_64
    python -m tests.fuzz.atheris_harness apdu   -atheris_runs=200000
    python -m tests.fuzz.atheris_harness sscard -atheris_runs=200000
    mkdir -p out/config-corpus && cp kiosk.toml deploy/kiosk.toml.production out/config-corpus/
    python -m tests.fuzz.atheris_harness config out/config-corpus -atheris_runs=1000000

Each target lets only the documented error type through; anything else is a finding and
libFuzzer stops with the input that caused it (saved as crash-*).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports():
    from card_reader.apdu import ApduChannel, Command, Response
    from card_reader.errors import CardError
    from card_reader.identity import checked_citizen_id, decode_date, decode_name
    from card_reader.sscard import SSCard
    from kiosk.config import ConfigError, parse_config

APDU_LIMIT = 500


def fuzz_apdu(data: bytes) -> None:
    source = atheris.FuzzedDataProvider(data)
    try:
        Response.from_bytes(source.ConsumeBytes(source.ConsumeIntInRange(0, 64)))
        decode_date(source.ConsumeBytes(4), "date")
        decode_name(source.ConsumeBytes(30))
        checked_citizen_id(source.ConsumeBytes(18))
    except CardError:
        pass
    sent = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        if sent > APDU_LIMIT:
            raise RuntimeError("runaway exchange")
        return source.ConsumeBytes(source.ConsumeIntInRange(0, 40))

    with contextlib.suppress(CardError):
        ApduChannel(transmit).send(Command(0x00, 0xB2, 0x07, 0x00, le=11))


def fuzz_sscard(data: bytes) -> None:
    source = atheris.FuzzedDataProvider(data)
    sent = 0

    def transmit(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        if sent > APDU_LIMIT:
            raise RuntimeError("runaway exchange")
        if source.remaining_bytes() == 0:
            return b"\x6a\x82"
        return source.ConsumeBytes(source.ConsumeIntInRange(0, 48))

    card = SSCard(ApduChannel(transmit))
    try:
        card.read_identity()
        card.pin_tries_left()
        card.verify_pin(bytearray(b"123456"))
    except CardError:
        pass


def fuzz_config(data: bytes) -> None:
    # Plain UTF-8, so kiosk.toml and deploy/kiosk.toml.production work as a seed corpus.
    text = data.decode("utf-8", "replace")
    with contextlib.suppress(ConfigError):
        parse_config(text)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "apdu": fuzz_apdu,
    "sscard": fuzz_sscard,
    "config": fuzz_config,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: python -m tests.fuzz.atheris_harness {{{','.join(TARGETS)}}}")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

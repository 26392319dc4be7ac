"""card_read section: the identity read through a real pcscd + vpcd, APDU by APDU.

`apdus` is what a person waits for on a real reader (5-40 ms each); `ms_per_apdu` is the
loopback transmit time as the reader sees it (through the per-APDU deadline's runner thread);
`overhead_pct` is the time our code adds on top of those transmits. The floor beside them:
the same APDUs sent straight to the same connection (`raw_read_ms` a read's worth of them,
`raw_ms_per_apdu` one), so `deadline_us_per_apdu` is what bounding every transmit costs.
"""

from __future__ import annotations

import time
from typing import Any

from bench.figures import distribution, single
from bench.stats import summarise
from card_reader import open_card
from card_reader.backends.pcsc import PcscBackend, wait_for_card
from card_reader.simulator import build_card, profile
from card_reader.vpcd import VirtualCardSlot
from kiosk.config import KioskConfig
from realparts.pcscd import READER_SLOT0, PcscdHarness


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    del config
    reads = 50 if quick else 1000
    harness = PcscdHarness()
    harness.start()
    slot = VirtualCardSlot(port=harness.port)
    backend = PcscBackend(READER_SLOT0)
    try:
        slot.insert(build_card(profile("zhang-wei")))
        reader, _atr = wait_for_card(backend, 5)
        connection = backend.connect(reader)
        sent = _identity_apdus(connection)
        totals: list[float] = []
        transmits: list[float] = []
        counts: list[int] = []
        raw_reads: list[float] = []
        for _read in range(reads):  # each read beside its floor, so both see the same moment
            card = open_card(connection)
            started = time.perf_counter()
            card.read_identity()
            totals.append((time.perf_counter() - started) * 1000)
            transmits.append(card.channel.transmit_seconds * 1000)
            counts.append(card.channel.apdu_count)
            raw_reads.append(_raw_read_ms(connection, sent))
        connection.disconnect()
    finally:
        backend.close()
        slot.remove()
        harness.cleanup()
    total_ms, transmit_ms = sum(totals), sum(transmits)
    ms_per_apdu = transmit_ms / sum(counts)
    raw = sum(raw_reads) / (reads * len(sent))
    raw_floor = "the same APDUs sent straight to the same connection"
    return {
        "apdus": single(counts[0], unit="count", floor_of="none: the identity's APDUs, counted"),
        "identity_read_ms": distribution(totals, floor=raw_reads, floor_of=raw_floor),
        "ms_per_apdu": single(
            round(ms_per_apdu, 4), unit="ms", floor=round(raw, 4), floor_of=raw_floor + " (mean)"
        ),
        "overhead_pct": single(
            round(100 * (total_ms - transmit_ms) / total_ms, 2),
            unit="%",
            floor_of="none: it is our code's share over the transmits themselves",
        ),
        "details": {
            "profile": "zhang-wei (2.00, no 61xx)",
            "reads": reads,
            "apdus": counts[0],
            "ms_per_apdu": round(ms_per_apdu, 4),
            "raw_ms_per_apdu": round(raw, 4),
            "deadline_us_per_apdu": round((ms_per_apdu - raw) * 1000, 1),
            "identity_read_ms": summarise(totals),
            "raw_read_ms": summarise(raw_reads),
            "transmit_ms_per_read": summarise(transmits),
        },
    }


def _identity_apdus(connection: Any) -> list[bytes]:
    """The APDUs an identity read sends, recorded once on `connection`."""
    sent: list[bytes] = []
    inner = connection.transmit

    def recording(apdu: bytes) -> bytes:
        sent.append(apdu)
        return bytes(inner(apdu))

    connection.transmit = recording
    try:
        open_card(connection).read_identity()
    finally:
        connection.transmit = inner
    return sent


def _raw_read_ms(connection: Any, sent: list[bytes]) -> float:
    """ms for `sent` straight to the connection: no parsing, no deadline, no checks."""
    started = time.perf_counter()
    for apdu in sent:
        connection.transmit(apdu)
    return (time.perf_counter() - started) * 1000

"""card_read section: the identity read through a real pcscd + vpcd, APDU by APDU.

`apdus` is what a person waits for on a real reader (5-40 ms each); `ms_per_apdu` is the
loopback transmit time as the reader sees it (through the per-APDU deadline's runner thread);
`overhead_pct` is the time our code adds on top of those transmits. The floor beside them:
`raw_ms_per_apdu`, the same APDUs sent straight to the same connection, so
`deadline_us_per_apdu` is what bounding every transmit costs.
"""

from __future__ import annotations

import time
from typing import Any

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
        totals: list[float] = []
        transmits: list[float] = []
        counts: list[int] = []
        for _read in range(reads):
            card = open_card(connection)
            started = time.perf_counter()
            card.read_identity()
            totals.append((time.perf_counter() - started) * 1000)
            transmits.append(card.channel.transmit_seconds * 1000)
            counts.append(card.channel.apdu_count)
        raw = _raw_transmits(connection, reads)
        connection.disconnect()
    finally:
        backend.close()
        slot.remove()
        harness.cleanup()
    total_ms, transmit_ms = sum(totals), sum(transmits)
    ms_per_apdu = transmit_ms / sum(counts)
    return {
        "profile": "zhang-wei (2.00, no 61xx)",
        "reads": reads,
        "apdus": counts[0],
        "ms_per_apdu": round(ms_per_apdu, 4),
        "raw_ms_per_apdu": round(raw, 4),
        "deadline_us_per_apdu": round((ms_per_apdu - raw) * 1000, 1),
        "identity_read_ms": summarise(totals),
        "transmit_ms_per_read": summarise(transmits),
        "overhead_pct": round(100 * (total_ms - transmit_ms) / total_ms, 2),
    }


def _raw_transmits(connection: Any, reads: int) -> float:
    """ms per APDU for the identity read's own APDUs sent straight to `connection`."""
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
    started = time.perf_counter()
    for _read in range(reads):
        for apdu in sent:
            inner(apdu)
    return (time.perf_counter() - started) * 1000 / (reads * len(sent))

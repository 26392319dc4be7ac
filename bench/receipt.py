"""receipt section: render time of an 80 mm receipt with 20 entries (font registration apart).

`first_render_ms` is the first render after start-up (fonts registered, nothing else warm);
`render_ms` the steady state over many renders of the demo person 张伟's receipt.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.stats import summarise
from kiosk.config import KioskConfig
from kiosk.domain import MaskingRules
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store

CARD = "A32010001"
ENTRIES = 20


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    del config
    now = datetime.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-receipt-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        create_store(url, now, persons=0, years=2, seed=1)
        service = AccountService(
            make_engine(url, 3.0),
            "bench",
            lambda: now,
            outbox_path=Path(folder) / "outbox.sqlite3",
            audit=False,
            kiosk_location="示范社区卫生服务中心",
        )
        try:
            data = service.receipt_data(
                CARD, now, "bench-00000000-0001", MaskingRules(), entries=ENTRIES
            )
        finally:
            service.close()

    started = time.perf_counter()
    from printing.receipt import register_fonts, render

    register_fonts()
    register_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    first = render(data, 80)
    first_ms = (time.perf_counter() - started) * 1000
    samples: dict[int, list[float]] = {80: [], 58: []}
    rounds = 50 if quick else 300
    for _round in range(rounds):
        for width, found in samples.items():
            began = time.perf_counter()
            render(data, width)
            found.append((time.perf_counter() - began) * 1000)
    return {
        "entries": len(data.entries),
        "font_register_ms": round(register_ms, 1),
        "first_render_ms": round(first_ms, 1),
        "render_ms": summarise(samples[80]),
        "render_58mm_ms": summarise(samples[58]),
        "pdf_bytes": len(first.pdf),
        "length_mm": first.length_mm,
    }

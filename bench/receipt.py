"""receipt section: render time of an 80 mm receipt with 20 entries (font registration apart).

`first_render_ms` is the first render after start-up (fonts registered, nothing else warm);
`render_ms` the steady state over many renders of the demo person 张伟's receipt, each
beside its floor (bench/receipt_floor.py: the same text in the same fonts on a bare
ReportLab canvas). `font_register_ms` is a fresh process importing the receipt module and
registering its fonts, beside one registering wqy-zenhei alone with ReportLab.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.figures import Goal, distribution
from bench.stats import summarise
from kiosk.config import KioskConfig
from kiosk.domain import MaskingRules
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store

CARD = "A32010001"
ENTRIES = 20
GOAL_RENDER_MS = 20.0
_OUR_FONTS = """
import time
started = time.perf_counter()
from printing.receipt import register_fonts
register_fonts()
print((time.perf_counter() - started) * 1000)
"""
_BARE_FONT = """
import sys, time
started = time.perf_counter()
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
pdfmetrics.registerFont(TTFont("Bare", sys.argv[1]))
print((time.perf_counter() - started) * 1000)
"""


def _fresh_ms(script: str, *args: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _font_registration(runs: int) -> dict[str, Any]:
    from printing.fonts import CJK_CANDIDATES

    cjk = next(str(p) for p in CJK_CANDIDATES if p.exists())
    ours, bare = [], []
    for _run in range(runs):
        ours.append(_fresh_ms(_OUR_FONTS))
        bare.append(_fresh_ms(_BARE_FONT, cjk))
    return distribution(
        ours,
        floor=bare,
        floor_of="a fresh process registering wqy-zenhei alone with ReportLab",
        stat="p50",
        digits=1,
    )


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
    from bench.receipt_floor import bare_render, record

    pages = {width: record(data, width) for width in (80, 58)}
    samples: dict[str, list[float]] = {f"{k}{w}": [] for k in ("", "floor") for w in (80, 58)}
    rounds = 50 if quick else 300
    for _round in range(rounds):
        for width in (80, 58):  # each render beside its floor: the same moment of the machine
            began = time.perf_counter()
            render(data, width)
            samples[f"{width}"].append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            bare_render(pages[width])
            samples[f"floor{width}"].append((time.perf_counter() - began) * 1000)
    floor_of = "the same text in the same fonts on a bare ReportLab canvas"
    return {
        "render_ms": distribution(
            samples["80"],
            floor=samples["floor80"],
            floor_of=floor_of,
            stat="p95",
            goal=Goal(below=GOAL_RENDER_MS),
        ),
        "render_58mm_ms": distribution(
            samples["58"], floor=samples["floor58"], floor_of=floor_of, stat="p95"
        ),
        "font_register_ms": _font_registration(3 if quick else 5),
        "details": {
            "entries": len(data.entries),
            "font_register_in_process_ms": round(register_ms, 1),
            "first_render_ms": round(first_ms, 1),
            "render_ms": summarise(samples["80"]),
            "floor_ms": summarise(samples["floor80"]),
            "render_58mm_ms": summarise(samples["58"]),
            "floor_58mm_ms": summarise(samples["floor58"]),
            "pdf_bytes": len(first.pdf),
            "floor_pdf_bytes": len(bare_render(pages[80])),
            "length_mm": first.length_mm,
        },
    }

"""Content made anew on every render must leave nothing behind in the C++ heap.

The soak found the kiosk growing ~3 KB a session: the steps bar (and the idle countdown)
emptied their layouts with takeAt(), whose QLayoutItems PySide never frees. Python's own
counters (tracemalloc, the widget count) cannot see that, so tests/ui/layout_leak_probe.py
measures glibc's heap in use (mallinfo2) over many redraws, in a process of its own so no
other test's application state is in the figure: before the fix a pair of steps left ~700
bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
MOST_BYTES_A_ROUND = 40  # allocator noise; a leaked item is ~100 bytes, a render leaked 700


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.layout_leak_probe"],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_steps_bar_redrawn_leaves_no_layout_items(probe: dict[str, Any]) -> None:
    bar = probe["steps_bar"]
    assert bar["bytes"] < MOST_BYTES_A_ROUND, f"{bar['bytes']:.0f} bytes a redraw"
    assert bar["shown"] == 7  # the four steps and three arrows of the last redraw, no more
    assert bar["steps_shown"]


def test_the_idle_countdown_ticking_leaves_no_layout_items(probe: dict[str, Any]) -> None:
    grown = probe["idle_countdown"]["bytes"]
    assert grown < MOST_BYTES_A_ROUND, f"{grown:.0f} bytes a tick"

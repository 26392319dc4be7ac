"""Start-up section: cold start of the `kiosk` CLI and of the kiosk's Qt window.

Each figure is a fresh process, timed from spawn to exit (CLI) or to the first painted
frame (Qt, offscreen), so imports and font loading are inside the figure. Beside them, in
turn with them, their floors: the interpreter doing nothing (`python -c pass`, the venv's
site included), and a bare PySide6 window with a CJK label painted once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from bench.figures import Goal, distribution
from bench.stats import summarise
from kiosk.config import KioskConfig

GOAL_START_TO_ATTRACT_MS = 1500.0
BARE_WINDOW = "a bare PySide6 window with a CJK label, painted (fresh process)"

# A bare window with Chinese text: the floor the kiosk's own start-up is compared with.
_BARE_QT_WINDOW = """
import sys, time
t0 = float(sys.argv[1])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("请插入社会保障卡 Please insert your card")
label.resize(1280, 800)
label.show()
def painted():
    print(round((time.time() - t0) * 1000, 1))
    app.quit()
QTimer.singleShot(0, painted)
app.exec()
"""


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)
    return (time.perf_counter() - started) * 1000


def reported_ms(command: list[str], env: dict[str, str]) -> float:
    """Run a child that prints its own milliseconds-since-spawn as the last stdout line."""
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[2:4]} exited {result.returncode}: {result.stderr[-300:]}")
    return float(result.stdout.strip().splitlines()[-1])


def bare_window_ms(env: dict[str, str]) -> float:
    """One fresh process painting the bare window: the floor of any Qt start-up here."""
    return reported_ms([sys.executable, "-c", _BARE_QT_WINDOW, repr(time.time())], env)


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    runs = 3 if quick else 10
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if config.source:
        env["KIOSK_CONFIG"] = str(config.source)
    cli = [sys.executable, "-m", "ui.cli", "--help"]
    smoke = [sys.executable, "-m", "ui.cli", "run", "--smoke"]
    samples: dict[str, list[float]] = {"cli": [], "python": [], "bare": [], "kiosk": []}
    error = ""
    for _run in range(runs):  # interleaved, so a busy moment of the machine hits both
        samples["cli"].append(_timed(cli, env))
        samples["python"].append(_timed([sys.executable, "-c", "pass"], env))
        samples["bare"].append(bare_window_ms(env))
        try:
            samples["kiosk"].append(reported_ms(smoke, env))
        except (RuntimeError, ValueError, IndexError) as failed:
            error = str(failed)[:200]
    if error:
        raise RuntimeError(f"kiosk run --smoke: {error}")
    return {
        "cli_help_ms": distribution(
            samples["cli"],
            floor=samples["python"],
            floor_of="`python -c pass` (the interpreter and the venv's site, fresh process)",
            stat="p50",
            digits=1,
        ),
        "kiosk_run_to_attract_ms": distribution(
            samples["kiosk"],
            floor=samples["bare"],
            floor_of=BARE_WINDOW,
            stat="p95",
            goal=Goal(below=GOAL_START_TO_ATTRACT_MS),
            digits=1,
        ),
        "details": {
            "runs": runs,
            "python_bare_ms": summarise(samples["python"], 1),
            "qt_bare_window_ms": summarise(samples["bare"], 1),
        },
    }

"""Start-up section: cold start of the `kiosk` CLI and of the kiosk's Qt window.

Each figure is a fresh process, timed from spawn to exit (CLI) or to the first painted
frame (Qt, offscreen), so imports and font loading are inside the figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from bench.stats import summarise
from kiosk.config import KioskConfig

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


def run(config: KioskConfig, quick: bool, **_: Any) -> dict[str, Any]:
    runs = 3 if quick else 10
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if config.source:
        env["KIOSK_CONFIG"] = str(config.source)
    cli = [sys.executable, "-m", "ui.cli", "--help"]
    figures: dict[str, Any] = {
        "cli_help_ms": summarise([_timed(cli, env) for _ in range(runs)], 1),
        "qt_bare_window_ms": summarise(
            [
                reported_ms([sys.executable, "-c", _BARE_QT_WINDOW, repr(time.time())], env)
                for _ in range(runs)
            ],
            1,
        ),
    }
    smoke = [sys.executable, "-m", "ui.cli", "run", "--smoke"]
    try:
        figures["kiosk_run_to_attract_ms"] = summarise(
            [reported_ms(smoke, env) for _ in range(runs)], 1
        )
    except (RuntimeError, ValueError, IndexError) as error:
        figures["kiosk_run_to_attract_ms"] = {"error": str(error)[:200]}
    return figures

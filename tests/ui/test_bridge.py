"""The one door into the UI thread must not leak or lose references, session after session."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_posting_to_the_ui_thread_keeps_the_reference_counts_of_true_and_false() -> None:
    # In a child process: PySide6 6.12.0 loses a reference to True per Signal.emit, and
    # Python then aborts (bool_dealloc) after a few thousand posts: a crash, not a failure.
    script = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        from ui.bridge import UiThreadBridge
        app = QApplication([])
        bridge = UiThreadBridge()
        ran = []
        before = sys.getrefcount(True), sys.getrefcount(False)
        for _ in range(20_000):  # about 2,500 kiosk sessions' worth
            bridge.post(lambda: ran.append(1))
        app.processEvents()
        after = sys.getrefcount(True), sys.getrefcount(False)
        print(len(ran), before[0] - after[0], before[1] - after[1])
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-500:]
    ran, lost_true, lost_false = map(int, result.stdout.split())
    assert ran == 20_000
    assert abs(lost_true) < 50
    assert abs(lost_false) < 50

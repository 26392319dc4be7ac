"""Run as a script: the C++ heap a redraw leaves behind, for test_no_layout_leak.py.

The soak found the kiosk growing ~3 KB a session: the steps bar (and the idle countdown)
emptied their layouts with takeAt(), whose QLayoutItems PySide never frees. Python's own
counters (tracemalloc, the widget count) cannot see that, so this measures glibc's heap in
use (mallinfo2) over many renders: before the fix a pair of steps left ~700 bytes.
"""

from __future__ import annotations

import ctypes
import gc
import json
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ui.frame import StepsBar
from ui.theme import Theme
from ui.widgets.overlays import IdleWarning

ROUNDS = 2000


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


_libc = ctypes.CDLL("libc.so.6")
_libc.mallinfo2.restype = _MallInfo2


def _heap_in_use() -> int:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    return int(_libc.mallinfo2().uordblks)


def _bytes_a_round(render: Callable[[int], None]) -> float:
    for number in range(50):  # fonts, style rules and Python's own caches settle first
        render(number)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    before = _heap_in_use()
    for number in range(ROUNDS):
        render(number)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return (_heap_in_use() - before) / ROUNDS


def _steps_bar() -> dict[str, object]:
    bar = StepsBar()
    grown = _bytes_a_round(lambda number: bar.show_step(1 + number % 4, "zh"))
    bar.show()
    QCoreApplication.processEvents()  # a widget added to a shown layout shows at the next turn
    shown = [label for label in bar.findChildren(QLabel) if label.isVisible()]
    return {"bytes": grown, "shown": len(shown), "steps_shown": set(bar.steps) <= set(shown)}


def _idle_countdown() -> dict[str, object]:
    parent = QWidget()
    parent.resize(1920, 1080)
    warning = IdleWarning(parent, lambda: None)
    theme = Theme.for_mode(elderly=False, height=1080)
    grown = _bytes_a_round(lambda number: warning.show_countdown(30 - number % 30, "zh", theme))
    return {"bytes": grown}


if __name__ == "__main__":
    app = QApplication([])
    print(json.dumps({"steps_bar": _steps_bar(), "idle_countdown": _idle_countdown()}))

"""The one door from other threads into the UI thread: a queued signal carrying a callable.

Reader monitor threads and the worker thread call `post(fn)`; Qt delivers it on the UI
thread. Nothing else in ui/ touches threads (pyscard's habit: observers only emit).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class UiThreadBridge(QObject):
    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, callback: Callable[[], None]) -> None:
        self._call.emit(callback)

    @staticmethod
    def _run(callback: Callable[[], None]) -> None:
        callback()

"""An offscreen kiosk for the session and soak benchmarks: the production parts, no test doubles.

`build_kiosk` with the real `ThreadWorker`, the `UiThreadBridge` and the `KioskWindow`, as
`kiosk run` wires them. The rig drives it as a person would (the PIN pad's own keys are
clicked) and waits by running the Qt event loop until the session and the window agree on
a screen, so a figure includes every hop from the worker thread back to a painted window.

The rig stands in for `app.exec()`, so it also does the main loop's housekeeping: widgets a
screen let go of with `deleteLater()` are deleted between steps. Without an event loop
running, Qt keeps every one of them (the soak grew by 1.3 MB a session that way).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop
from PySide6.QtWidgets import QApplication, QLabel

from card_reader.backends.base import ReaderBackend
from kiosk.config import KioskConfig, parse_config
from kiosk.session.view import State
from ui.bridge import UiThreadBridge
from ui.launch import application, open_kiosk
from ui.screens.pin_entry import PinScreen
from ui.widgets.pin_pad import PinPad

WINDOW_SIZE = (1280, 800)


def bench_config(folder: Path, store_url: str, extra: str = "") -> KioskConfig:
    """A kiosk.toml written into `folder`: everything under it, receipts to its spool."""
    text = f"""
[kiosk]
id = "bench-kiosk"
location = "示范社区卫生服务中心"
data_dir = "{folder}"
fullscreen = false
[store]
url = "{store_url}"
[printer]
kind = "spool"
spool_dir = "{folder}/receipts"
paper_roll_mm = 500000
{extra}
"""
    source = folder / "kiosk.toml"
    source.write_text(text, encoding="utf-8")
    return parse_config(text, source)


class KioskRig:
    """One kiosk window, offscreen, built the way `kiosk run` builds it."""

    def __init__(
        self, config: KioskConfig, backend: ReaderBackend, now: Callable[[], datetime]
    ) -> None:
        # Qt reads the platform once, when the application is made; a bench never needs a screen.
        if QApplication.instance() is None:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        self.app = application()
        self.bridge = UiThreadBridge()
        self.parts, self.window = open_kiosk(config, self.bridge.post, backend=backend, now=now)
        self.session = self.parts.session
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.settle()

    # -- looking -------------------------------------------------------------------------

    def showing(self, state: State) -> bool:
        """The session is in `state`, waits for nothing, and the window shows its screen."""
        view = self.session.view
        return (
            view.state is state
            and view.busy is None
            and self.window.stack.currentWidget() is self.window.screens[state]
        )

    def pin_pad_ready(self) -> bool:
        pad = self._pin_pad()
        return self.showing(State.PIN_ENTRY) and pad is not None and pad.isVisible()

    def balance_shown(self) -> bool:
        if not self.showing(State.OVERVIEW):
            return False
        balance = self.window.findChild(QLabel, "balance")
        return balance is not None and balance.isVisible() and bool(balance.text())

    # -- waiting -------------------------------------------------------------------------

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Run the event loop until `ready()`; False after `timeout` seconds.

        Blocks in the event loop between events (a worker result or a reader event wakes
        it at once; the window's 250 ms ticker bounds the sleep), so waiting costs no CPU
        and adds no polling delay to a figure.
        """
        deadline = time.monotonic() + timeout
        self.settle()
        while not ready():
            if time.monotonic() > deadline:
                return False
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return True

    def paint(self) -> None:
        """Finish pending layout and paint the whole window now (offscreen: into its store)."""
        self.app.processEvents()
        self.window.repaint()

    def settle(self) -> None:
        """Deliver what is pending, as the main loop would between two events."""
        self.app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # -- doing ---------------------------------------------------------------------------

    def type_pin(self, digits: str, confirm: bool = True) -> None:
        """Press the digits on the PIN pad, then OK (unless `confirm` is False)."""
        pad = self._pin_pad()
        assert pad is not None, "no PIN pad on the screen"
        for digit in digits:
            pad.keys[digit].click()
        if confirm:
            pad.keys["confirm"].click()

    def confirm_pin(self) -> None:
        pad = self._pin_pad()
        assert pad is not None, "no PIN pad on the screen"
        pad.keys["confirm"].click()

    def _pin_pad(self) -> PinPad | None:
        screen = self.window.screens[State.PIN_ENTRY]
        assert isinstance(screen, PinScreen)
        return screen.pad

    def close(self) -> None:
        self.window.exit_allowed = True
        self.window.close()
        self.parts.close()
        self.window.deleteLater()
        self.bridge.deleteLater()
        self.settle()

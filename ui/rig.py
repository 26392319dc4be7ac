"""One kiosk rig: the window as `kiosk run` builds it, driven as a person drives it.

The UI tests, the fault campaign, the session and soak benchmarks and the scripted demo all
drive this one rig. It is `build_kiosk` and `open_kiosk` (the parts, the `KioskWindow`, the
reader connected) offscreen, driven by taps on buttons found by their accessible name and by
cards put into and taken out of the reader, and it waits by running the Qt event loop until
the session and the window agree on a screen.

- Time: with a `FakeClock` the kiosk's timeouts and dates move only when told; without
  one it runs on the real clocks (the benchmarks measure real time).
- Work: by default the real `ThreadWorker` with the `UiThreadBridge`, so every hop from
  the worker thread back to a painted window is in what a test or a figure sees. `stepped`
  runs the work only when `settle()` is called (a `ManualWorker`) and handles every event
  the moment it happens, so the demo catches even "Reading your card..." on purpose; that
  needs a reader whose events come on this thread (the virtual one).

The rig stands in for `app.exec()`, so it also does the main loop's housekeeping: widgets a
screen let go of with `deleteLater()` are deleted between steps. Without an event loop
running, Qt keeps every one of them (the soak grew by 1.3 MB a session that way).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QWidget

from card_reader.backends.base import ReaderBackend
from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator import Faults, SimulatedCard, build_card, profile
from kiosk.app import build_kiosk
from kiosk.config import KioskConfig
from kiosk.session.view import State
from kiosk.speech.engine import SpeechOutput
from kiosk.worker import Lane, ManualWorker
from printing.dispatch import Printer
from realparts.clock import FakeClock
from ui.bridge import UiThreadBridge
from ui.i18n import text
from ui.launch import WINDOW_SIZE, application, open_kiosk
from ui.screens.pin_entry import PinScreen
from ui.widgets.pin_pad import PinPad

WAIT_MS = 5000
CLOSE_DRAIN_MS = 3000  # a healthy lane finishes what it has in far less


class CardSlot(Protocol):
    """Where the rig puts cards: the virtual reader, or vpcd's slots in front of pcscd."""

    def insert(self, card: SimulatedCard) -> object: ...

    def remove(self) -> None: ...


class KioskRig:
    """One kiosk window, offscreen, built the way `kiosk run` builds it."""

    def __init__(
        self,
        config: KioskConfig,
        *,
        backend: ReaderBackend | None = None,
        cards: CardSlot | None = None,
        printer: Printer | None = None,
        clock: FakeClock | None = None,
        now: Callable[[], datetime] | None = None,
        stepped: bool = False,
        size: tuple[int, int] = WINDOW_SIZE,
        speaker: SpeechOutput | None = None,
    ) -> None:
        """`backend`: the reader (default: the virtual one); `cards`: where `insert` puts a
        card (default: the backend, when it is the virtual reader); `now`: the wall clock
        (default: the clock's, or the system's); `speaker`: what speaks (default: as
        kiosk.toml's [speech] says)."""
        # Qt reads the platform once, when the application is made; a rig never needs a screen.
        if QApplication.instance() is None:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        self.app = application()
        self.config = config
        self.clock = clock
        self.backend = backend if backend is not None else VirtualBackend()
        self.cards = cards
        if cards is None and isinstance(self.backend, VirtualBackend):
            self.cards = self.backend
        self.card: SimulatedCard | None = None
        self.exited = False
        self.bridge = UiThreadBridge()
        self.worker = ManualWorker() if stepped else None
        if now is None:
            now = clock.now if clock is not None else datetime.now
        post = _at_once if stepped else self.bridge.post
        self.parts = build_kiosk(
            config,
            post,
            backend=self.backend,
            printer=printer,
            worker=self.worker,
            on_exit=self._exit,
            now=now,
            monotonic=clock if clock is not None else time.monotonic,
        )
        self.window = open_kiosk(self.parts, post, speaker)
        self.session = self.parts.session
        self.window.resize(*size)
        self.window.show()
        self.settle()

    def _exit(self) -> None:
        self.exited = True

    # -- the card ------------------------------------------------------------------------

    def insert(self, card: SimulatedCard | str, faults: Faults | None = None) -> SimulatedCard:
        """Put a card (or the demo card of that profile key) into the reader."""
        assert self.cards is not None, "no card slot: pass cards= for this reader"
        if isinstance(card, str):
            card = build_card(profile(card), faults)
        self.card = card
        self.cards.insert(card)
        return card

    def remove(self) -> None:
        assert self.cards is not None, "no card slot: pass cards= for this reader"
        self.cards.remove()

    # -- looking -------------------------------------------------------------------------

    def screen(self, state: State) -> QWidget:
        return self.window.screens[state]

    def showing(self, state: State) -> bool:
        """The session is in `state`, waits for nothing, and the window shows its screen."""
        view = self.session.view
        return (
            view.state is state
            and view.busy is None
            and self.window.stack.currentWidget() is self.screen(state)
        )

    def pin_pad_ready(self) -> bool:
        pad = self._pin_pad()
        return self.showing(State.PIN_ENTRY) and pad is not None and pad.isVisible()

    def balance_shown(self) -> bool:
        if not self.showing(State.OVERVIEW):
            return False
        balance = self.window.findChild(QLabel, "balance")
        return balance is not None and balance.isVisible() and bool(balance.text())

    def buttons(self, name: str, within: QWidget | None = None) -> list[QAbstractButton]:
        """The visible buttons whose accessible name is `name` (in the window, or `within`)."""
        where = within if within is not None else self.window
        return [
            b
            for b in where.findChildren(QPushButton)
            if b.accessibleName() == name and b.isVisible()
        ]

    def button_names(self) -> list[str]:
        return [b.accessibleName() for b in self.window.findChildren(QPushButton) if b.isVisible()]

    def texts(self) -> list[str]:
        """Every text anywhere in the window's widget tree, shown or not."""
        found: list[str] = []
        for widget in self.window.findChildren(QWidget):
            if isinstance(widget, QLabel | QAbstractButton):
                found.append(widget.text())
            found.append(widget.accessibleName())
        return [t for t in found if t]

    def visible_texts(self) -> list[str]:
        return [
            w.text()
            for w in self.window.findChildren(QWidget)
            if isinstance(w, QLabel | QAbstractButton) and w.isVisible() and w.text()
        ]

    # -- waiting -------------------------------------------------------------------------

    def wait_until(self, ready: Callable[[], bool], timeout: int = WAIT_MS) -> bool:
        """Run the event loop until `ready()`; False after `timeout` milliseconds.

        Blocks in the event loop between events (a worker result or a reader event wakes
        it at once; the window's 250 ms ticker bounds the sleep), so waiting costs no CPU
        and adds no polling delay to a figure.
        """
        deadline = time.monotonic() + timeout / 1000
        while True:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if ready():
                return True
            if time.monotonic() > deadline:
                return False
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def wait_for(self, state: State, timeout: int = WAIT_MS) -> None:
        """Wait until the window shows `state`'s screen with nothing pending, or raise."""
        if not self.wait_until(lambda: self.showing(state), timeout):
            view = self.session.view
            shown = self.window.stack.currentWidget()
            raise TimeoutError(
                f"no {state} screen within {timeout} ms: the session is in {view.state} "
                f"(busy: {view.busy}), the window shows {type(shown).__name__}"
            )

    def drain(self, timeout: int = WAIT_MS) -> None:
        """Wait until every worker lane has run everything queued before now, or raise."""
        done: list[Lane] = []

        def arrived(lane: Lane) -> Callable[[object], None]:
            return lambda _outcome: done.append(lane)

        for lane in Lane:
            self.parts.worker.submit(lambda: None, arrived(lane), arrived(lane), lane)
        if not self.wait_until(lambda: len(done) == len(Lane), timeout):
            raise TimeoutError(f"the worker lanes did not drain within {timeout} ms: {done}")

    def settle(self) -> None:
        """Run stepped work, then deliver what is pending, as the main loop would."""
        if self.worker is not None:
            self.worker.run_all()
        self.app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def paint(self) -> None:
        """Finish pending layout and paint the whole window now (offscreen: into its store)."""
        self.app.processEvents()
        self.window.repaint()

    # -- doing ---------------------------------------------------------------------------

    def tap(self, name: str) -> None:
        """Tap the first visible button whose accessible name is `name`."""
        self._tap(self.buttons(name), name)

    def tap_text(self, key: str) -> None:
        """Tap the button that reads catalogue entry `key` in the session's language."""
        self.tap(text(key, self.session.view.language))

    def type_pin(self, digits: str, confirm: bool = True) -> None:
        """Tap the digits on the PIN pad shown (the card's or maintenance's), then OK
        (unless `confirm` is False)."""
        pad = self._shown_pad()
        language = self.session.view.language
        for digit in digits:
            name = text("pin.digit", language, digit=digit)
            self._tap(self.buttons(name, within=pad), name)
        if confirm:
            self.confirm_pin()

    def confirm_pin(self) -> None:
        name = text("pin.confirm", self.session.view.language)
        self._tap(self.buttons(name, within=self._shown_pad()), name)

    def signed_in(
        self, key: str = "zhang-wei", pin: str = "123456", timeout: int = WAIT_MS
    ) -> None:
        """Insert `key`'s card, type its PIN, and wait for the overview."""
        self.insert(key)
        self.wait_for(State.PIN_ENTRY, timeout)
        self.type_pin(pin)
        self.wait_for(State.OVERVIEW, timeout)

    def _tap(self, found: list[QAbstractButton], name: str) -> None:
        assert found, f"no visible button named {name!r}; there are: {self.button_names()}"
        QTest.mouseClick(found[0], Qt.MouseButton.LeftButton)

    def _shown_pad(self) -> PinPad:
        shown = [pad for pad in self.window.findChildren(PinPad) if pad.isVisible()]
        assert shown, "no PIN pad on the screen"
        return shown[0]

    def _pin_pad(self) -> PinPad | None:
        screen = self.screen(State.PIN_ENTRY)
        assert isinstance(screen, PinScreen)
        return screen.pad

    def close(self) -> None:
        # A job still running (a card read the test did not wait for) would log after the
        # test's log capture closed; a lane held by a hung card is left to its deadline.
        with contextlib.suppress(TimeoutError):
            self.drain(CLOSE_DRAIN_MS)
        self.window.exit_allowed = True
        self.window.close()
        self.parts.close()
        self.window.deleteLater()
        self.bridge.deleteLater()
        self.settle()


def _at_once(callback: Callable[[], None]) -> None:
    callback()

"""A real kiosk window for UI tests: seeded SQLite store, spool printer, the worker thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from card_reader.backends.base import ReaderBackend
from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator.card import Faults
from kiosk.admin_pin import hash_admin_pin
from kiosk.config import KioskConfig, parse_config
from kiosk.session.view import State
from printing.dispatch import Printer
from tests.session_kit import NOW, FakeClock, demo_card, seed_demo_store
from ui.bridge import UiThreadBridge
from ui.launch import application, open_kiosk

ADMIN_PIN = "246810"


@pytest.fixture(scope="session")
def ui_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_store(tmp_path_factory.mktemp("ui-store"))


def kiosk_config(folder: Path, store_url: str, extra: str = "") -> KioskConfig:
    text = f"""
[kiosk]
id = "ui-test-kiosk"
location = "测试社区卫生服务中心"
data_dir = "{folder}"
fullscreen = false
[store]
url = "{store_url}"
[printer]
spool_dir = "{folder}/receipts"
[admin]
pin_hash = "{hash_admin_pin(ADMIN_PIN)}"
{extra}
"""
    return parse_config(text, folder / "kiosk.toml")


class KioskUnderTest:
    """The window as a person meets it: taps by accessible name, waits for screens."""

    def __init__(
        self,
        qtbot: QtBot,
        config: KioskConfig,
        *,
        backend: ReaderBackend | None = None,
        printer: Printer | None = None,
        size: tuple[int, int] = (1280, 800),
        now: Callable[[], datetime] = lambda: NOW,
    ) -> None:
        application()
        self.qtbot = qtbot
        self.config = config
        self.clock = FakeClock()
        self.bridge = UiThreadBridge()
        self.exited = False
        self.backend = backend if backend is not None else VirtualBackend()
        self.parts, self.window = open_kiosk(
            config, self.bridge.post, backend=self.backend, printer=printer,
            on_exit=self._exit, now=now, monotonic=self.clock,
        )  # fmt: skip
        self.session = self.parts.session
        qtbot.addWidget(self.window)
        self.window.resize(*size)
        self.window.show()

    def _exit(self) -> None:
        self.exited = True

    # -- the card ------------------------------------------------------------------------

    def insert(self, key: str, faults: Faults | None = None) -> None:
        assert isinstance(self.backend, VirtualBackend)
        self.backend.insert(demo_card(key, faults))

    def remove(self) -> None:
        assert isinstance(self.backend, VirtualBackend)
        self.backend.remove()

    # -- looking and tapping ---------------------------------------------------------------

    def wait_for(self, state: State, timeout: int = 5000) -> None:
        self.qtbot.waitUntil(
            lambda: self.session.view.state is state and self.session.view.busy is None,
            timeout=timeout,
        )
        self.qtbot.waitUntil(lambda: self.window.stack.currentWidget() is self.screen(state))

    def screen(self, state: State) -> QWidget:
        return self.window.screens[state]

    def buttons(self, name: str) -> list[QAbstractButton]:
        return [
            b for b in self.window.findChildren(QPushButton)
            if b.accessibleName() == name and b.isVisible()
        ]  # fmt: skip

    def tap(self, name: str) -> None:
        found = self.buttons(name)
        assert found, f"no visible button named {name!r}; there are: {self.button_names()}"
        self.qtbot.mouseClick(found[0], Qt.MouseButton.LeftButton)

    def button_names(self) -> list[str]:
        return [b.accessibleName() for b in self.window.findChildren(QPushButton) if b.isVisible()]

    def type_pin(self, digits: str, language: str = "zh") -> None:
        word = "数字" if language == "zh" else "Digit"
        for digit in digits:
            self.tap(f"{word} {digit}")
        self.tap("确认" if language == "zh" else "OK")

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
            w.text() for w in self.window.findChildren(QWidget)
            if isinstance(w, QLabel | QAbstractButton) and w.isVisible() and w.text()
        ]  # fmt: skip

    def signed_in(self, key: str = "zhang-wei", pin: str = "123456") -> None:
        self.insert(key)
        self.wait_for(State.PIN_ENTRY)
        self.type_pin(pin)
        self.wait_for(State.OVERVIEW)

    def close(self) -> None:
        self.window.exit_allowed = True
        self.window.close()
        self.parts.close()


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, tmp_path: Path, ui_store_url: str
) -> Iterator[Callable[..., KioskUnderTest]]:
    made: list[KioskUnderTest] = []

    def make(extra: str = "", **options: object) -> KioskUnderTest:
        config = kiosk_config(tmp_path, ui_store_url, extra)
        kiosk = KioskUnderTest(qtbot, config, **options)  # type: ignore[arg-type]
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def kiosk(make_kiosk: Callable[..., KioskUnderTest]) -> KioskUnderTest:
    return make_kiosk()

"""A real kiosk window for UI tests: seeded SQLite store, spool printer, the worker thread.

The window is the kiosk rig (ui/rig.py) on a fake clock that starts at NOW, closed and
deleted by `make_kiosk` after the test (not by pytest-qt, which would delete it before the
session is closed). This layer waits as pytest-qt does (a check every 10 ms of event loop,
the pace these tests were written against) and keeps `qtbot` for a test's own waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.exceptions import TimeoutError as QtBotTimeout
from pytestqt.qtbot import QtBot

from kiosk.config import KioskConfig
from realparts.clock import FakeClock
from realparts.config import rig_config
from tests.session_kit import NOW, seed_demo_store
from ui.rig import WAIT_MS, KioskRig

ADMIN_PIN = "246810"
UI_KIOSK_ID = "ui-test-kiosk"


@pytest.fixture(scope="session")
def ui_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_store(tmp_path_factory.mktemp("ui-store"))


class KioskUnderTest(KioskRig):
    """The kiosk rig under pytest-qt, on a fake clock that starts at NOW."""

    def __init__(
        self, qtbot: QtBot, config: KioskConfig, *, clock: FakeClock | None = None, **options: Any
    ) -> None:
        self.clock: FakeClock = clock if clock is not None else FakeClock(NOW)
        super().__init__(config, clock=self.clock, **options)
        self.qtbot = qtbot

    def wait_until(self, ready: Callable[[], bool], timeout: int = WAIT_MS) -> bool:
        try:
            self.qtbot.waitUntil(ready, timeout=timeout)
        except QtBotTimeout:
            return False
        return True


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, tmp_path: Path, ui_store_url: str
) -> Iterator[Callable[..., KioskUnderTest]]:
    made: list[KioskUnderTest] = []

    def make(extra: str = "", store_url: str | None = None, **options: Any) -> KioskUnderTest:
        """A kiosk on the shared demo store, or on `store_url` (a test that changes it)."""
        config = rig_config(
            tmp_path,
            store_url or ui_store_url,
            kiosk_id=UI_KIOSK_ID,
            admin_pin=ADMIN_PIN,
            extra=extra,
        )
        kiosk = KioskUnderTest(qtbot, config, **options)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def kiosk(make_kiosk: Callable[..., KioskUnderTest]) -> KioskUnderTest:
    return make_kiosk()

"""One slip per tap: a second tap on Print while the first job runs prints nothing more."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.session.view import State
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest


def test_two_taps_on_print_within_50_ms_give_one_slip(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    [print_button] = kiosk.buttons("打印凭条")
    started = time.monotonic()
    QTest.mouseClick(print_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(print_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - started < 0.05
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.drain()
    assert len(list((kiosk.config.data_dir / "receipts").glob("*.pdf"))) == 1


def test_the_certificate_by_tap_prints_and_the_overview_says_so(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    spool = kiosk.config.data_dir / "receipts"
    kiosk.tap_text("nav.certificate")
    assert kiosk.wait_until(lambda: kiosk.session.view.certificate_printed)
    kiosk.wait_for(State.OVERVIEW)
    assert text("overview.certificate_printed", "zh") in kiosk.visible_texts()
    assert len(list(spool.glob("*.pdf"))) == 1
    assert not [name for name in kiosk.button_names() if not name.strip()]

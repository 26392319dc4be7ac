"""The maintenance PIN pad in the real window once wrong admin PINs lock it: it says how
long, takes no digit, and opens again when the lock has run out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.admin_pin import LOCK_FILE_NAME, read_lock_file
from kiosk.session.view import State
from tests.ui.conftest import ADMIN_PIN, KioskUnderTest
from ui.widgets.pin_pad import PinPad


def test_a_locked_pad_shows_the_time_left_and_takes_no_digit(kiosk: KioskUnderTest) -> None:
    kiosk.wait_for(State.IDLE)
    kiosk.window._hold.setInterval(100)  # the real hold is 5 s
    corner = kiosk.window.maintenance_corner
    kiosk.qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    kiosk.wait_for(State.MAINTENANCE_PIN)
    kiosk.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    for tries in range(1, 4):
        kiosk.type_pin("111111")
        kiosk.qtbot.waitUntil(
            lambda n=tries: (
                kiosk.session.admin_pin_failures == n and kiosk.showing(State.MAINTENANCE_PIN)
            )  # the check is over
        )
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.admin_pin_locked_seconds == 30)

    screen = kiosk.screen(State.MAINTENANCE_PIN)
    pad = screen.findChild(PinPad)
    notice = screen.findChild(QLabel, "admin-pin-locked")
    assert pad is not None
    assert notice is not None
    assert not pad.isEnabled()
    assert notice.text() == "管理员密码错误次数过多，键盘将在 0:30 后解锁。"
    kiosk.type_pin(ADMIN_PIN)  # taps on a disabled pad: nothing reaches the session
    kiosk.qtbot.wait(50)
    assert kiosk.session.view.state is State.MAINTENANCE_PIN
    assert kiosk.session.view.busy is None

    kiosk.clock.advance(5)
    kiosk.qtbot.waitUntil(lambda: any("0:25" in t for t in kiosk.visible_texts()))
    kiosk.clock.advance(25)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.admin_pin_locked_seconds is None)
    pad = kiosk.screen(State.MAINTENANCE_PIN).findChild(PinPad)
    assert pad is not None
    assert pad.isEnabled()
    kiosk.type_pin(ADMIN_PIN)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.state is State.MAINTENANCE)
    # The reset is saved on the worker, after the session has moved on: wait for the disk.
    lock_file = kiosk.config.data_dir / LOCK_FILE_NAME

    def reset_saved() -> bool:
        record = read_lock_file(lock_file)
        return record is not None and record.failures == 0

    kiosk.qtbot.waitUntil(reset_saved)

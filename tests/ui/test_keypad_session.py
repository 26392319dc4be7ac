"""A whole session from the tactile keypad, with key events only: the PIN, the overview, the
history's second page, print, done; and what Clear, Cancel and the ring do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.session.view import State
from tests.ui.conftest import KioskUnderTest
from ui.i18n import text

KEYS = {str(d): getattr(Qt.Key, f"Key_{d}") for d in range(10)}


def press(kiosk: KioskUnderTest, *keys: Qt.Key) -> None:
    for key in keys:
        QTest.keyClick(kiosk.window, key)


def type_digits(kiosk: KioskUnderTest, digits: str) -> None:
    press(kiosk, *(KEYS[d] for d in digits))


def ring_on(kiosk: KioskUnderTest, name: str) -> None:
    """Move the ring with the arrow key until it is on the button named `name`."""
    for _ in range(len(kiosk.window.keypad.stops()) + 1):
        ringed = kiosk.window.keypad.ringed
        if ringed is not None and ringed.accessibleName() == name:
            assert ringed.property("keyfocus") == "true"  # the ring is drawn
            return
        press(kiosk, Qt.Key.Key_Right)
    raise AssertionError(f"no button {name!r} reachable by the arrow keys")


def test_a_whole_session_with_key_events_only(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    type_digits(kiosk, "1239")
    press(kiosk, Qt.Key.Key_Backspace)  # Clear takes back one digit
    type_digits(kiosk, "456")
    press(kiosk, Qt.Key.Key_Enter)
    kiosk.wait_for(State.OVERVIEW)

    ring_on(kiosk, text("nav.history", "zh"))
    press(kiosk, Qt.Key.Key_Return)
    kiosk.wait_for(State.HISTORY)
    ring_on(kiosk, text("button.next", "zh"))
    press(kiosk, Qt.Key.Key_Return)
    assert kiosk.wait_until(
        lambda: (
            kiosk.showing(State.HISTORY)
            and kiosk.session.view.history is not None
            and kiosk.session.view.history.page == 2
        )
    )
    press(kiosk, Qt.Key.Key_Escape)  # Cancel: back to the overview
    kiosk.wait_for(State.OVERVIEW)
    ring_on(kiosk, text("nav.print", "zh"))
    press(kiosk, Qt.Key.Key_Return)
    kiosk.wait_for(State.TAKE_CARD)
    assert list((kiosk.config.data_dir / "receipts").glob("*.pdf"))
    kiosk.remove()
    kiosk.wait_for(State.IDLE)


def test_cancel_on_the_pin_pad_ends_the_session(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    type_digits(kiosk, "12")
    press(kiosk, Qt.Key.Key_Escape)
    kiosk.wait_for(State.TAKE_CARD)


def test_the_ring_goes_round_every_button_and_back(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    buttons = kiosk.window.keypad.stops()
    assert len(buttons) >= 9
    press(kiosk, Qt.Key.Key_Tab)
    first = kiosk.window.keypad.ringed
    assert first is buttons[0]
    for _ in buttons:
        press(kiosk, Qt.Key.Key_Tab)
    assert kiosk.window.keypad.ringed is first  # round once
    press(kiosk, Qt.Key.Key_Left)
    assert kiosk.window.keypad.ringed is buttons[-1]
    assert first.property("keyfocus") == "false"

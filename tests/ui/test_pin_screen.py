"""The PIN screen as one column (issue 18): the title and the tries left right above the dots,
the keypad centred under them; and the raised 5 drawn as a mark in its key, still a button
with its name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.session.view import State
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest
from ui.widgets.pin_pad import PinPad
from ui.widgets.tactile_key import BAR_HEIGHT, BAR_TOP, TactileKey

Make = Callable[..., KioskUnderTest]


def shown_label(kiosk: KioskUnderTest, words: str) -> QLabel:
    found = [w for w in kiosk.window.findChildren(QLabel) if w.isVisible() and w.text() == words]
    assert found, words
    return found[0]


def centre_x(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, widget.rect().center()).x()


def top(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


@pytest.mark.parametrize(("size", "elderly"), [((1280, 800), True), ((1920, 1080), False)])
def test_the_words_stand_right_above_the_dots_and_the_keypad_is_centred(
    make_kiosk: Make, size: tuple[int, int], elderly: bool
) -> None:
    kiosk = make_kiosk(size=size)
    kiosk.session.set_elderly(elderly)
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    window = kiosk.window
    pad = window.findChild(PinPad)
    assert pad is not None
    title = shown_label(kiosk, text("pin.title", "zh"))
    tries = shown_label(kiosk, text("pin.tries", "zh", tries=3))
    five = pad.keys["5"]
    middle = window.width() // 2
    for widget in (title, tries, pad.dots, five):  # one column down the middle
        assert abs(centre_x(widget, window) - middle) <= five.width() // 2, widget
    assert top(title, window) < top(tries, window) < top(pad.dots, window) < top(five, window)
    # Right above: nothing but the line's own spacing between the tries and the dots.
    gap = top(pad.dots, window) - (top(tries, window) + tries.height())
    assert 0 <= gap <= window.height() // 20
    bottom_key = pad.keys["0"]
    assert top(bottom_key, window) + bottom_key.height() <= top(window.frame.foot, window)


def test_a_wrong_pin_is_said_right_above_the_dots(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.type_pin("000000")
    assert kiosk.wait_until(lambda: kiosk.session.view.pin_wrong)
    kiosk.wait_for(State.PIN_ENTRY)
    warning = shown_label(kiosk, text("pin.wrong", "zh", tries=2))
    pad = kiosk.window.findChild(PinPad)
    assert pad is not None
    below = top(warning, kiosk.window) + warning.height()
    assert 0 <= top(pad.dots, kiosk.window) - below <= kiosk.window.height() // 20


@pytest.mark.parametrize("elderly", [False, True])
def test_the_raised_5_is_a_bar_drawn_in_its_key_and_still_a_named_button(
    kiosk: KioskUnderTest, elderly: bool
) -> None:
    kiosk.session.set_elderly(elderly)
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    pad = kiosk.window.findChild(PinPad)
    assert pad is not None
    five, four = pad.keys["5"], pad.keys["4"]
    assert isinstance(five, TactileKey)
    assert isinstance(five, QPushButton)
    assert not isinstance(four, TactileKey)
    interface = QAccessible.queryAccessibleInterface(five)
    assert interface.text(QAccessible.Text.Name) == text("pin.digit", "zh", digit="5")
    assert interface.role() == QAccessible.Role.Button
    assert interface.text(QAccessible.Text.Description) == text("pin.raised", "zh")
    # The bar is painted where the theme left room under the digit: the 5 has its mark
    # there, the 4 (same size, same colours) has only the key's face.
    five_shot, four_shot = five.grab().toImage(), four.grab().toImage()
    x = five_shot.width() // 2
    y = round(five_shot.height() * (BAR_TOP + BAR_HEIGHT / 2))
    face = four_shot.pixelColor(x, y)
    assert four_shot.pixelColor(x // 2, y) == face
    assert five_shot.pixelColor(x, y) != face
    assert five.size() == four.size()

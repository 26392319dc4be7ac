"""Large text shows fewer items a page instead of smaller words (ui.md, issue 18): the overview
in two pages, fewer history rows; Back and the keypad's Cancel find the way between them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from kiosk.session.view import State
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest

Make = Callable[..., KioskUnderTest]
FIRST_PAGE = ["nav.history", "nav.flagged", "overview.more", "nav.print", "button.finish"]
SECOND_PAGE = [
    "nav.contributions", "nav.annual", "nav.family_aid", "nav.filings", "nav.certificate",
    "nav.change_pin", "overview.back_to_balance", "button.finish",
]  # fmt: skip


def screen_buttons(kiosk: KioskUnderTest) -> set[str]:
    screen = kiosk.screen(State.OVERVIEW)
    return {b.accessibleName() for b in screen.findChildren(QPushButton) if b.isVisible()}


def names(*keys: str) -> set[str]:
    return {text(key, "zh") for key in keys}


def test_normal_text_shows_the_whole_overview_at_once(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    shown = screen_buttons(kiosk)
    assert names(*FIRST_PAGE[:2], *SECOND_PAGE[:6], "nav.print", "button.finish") == shown
    kiosk.session.overview_more(True)  # a second page large text would show: not here
    assert screen_buttons(kiosk) == shown


def test_large_text_shows_the_overview_in_two_pages_and_back_finds_the_page(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.signed_in()
    kiosk.tap_text("switch.elderly.on")
    assert screen_buttons(kiosk) == names(*FIRST_PAGE)
    assert kiosk.balance_shown()
    kiosk.tap_text("overview.more")
    assert kiosk.wait_until(lambda: screen_buttons(kiosk) == names(*SECOND_PAGE))
    assert kiosk.window.heading.text() == text("overview.more", "zh")
    kiosk.tap_text("nav.contributions")
    kiosk.wait_for(State.CONTRIBUTIONS)
    kiosk.tap_text("button.back")
    kiosk.wait_for(State.OVERVIEW)
    assert screen_buttons(kiosk) == names(*SECOND_PAGE)  # back where the person was
    QTest.keyClick(kiosk.window, Qt.Key.Key_Escape)  # the keypad's Cancel: the first page
    assert kiosk.wait_until(lambda: screen_buttons(kiosk) == names(*FIRST_PAGE))
    assert kiosk.showing(State.OVERVIEW)
    kiosk.tap_text("overview.more")
    kiosk.tap_text("overview.back_to_balance")
    assert kiosk.wait_until(kiosk.balance_shown)


def test_large_text_pages_fewer_history_rows(make_kiosk: Make) -> None:
    kiosk = make_kiosk(size=(1280, 800))
    kiosk.signed_in()
    kiosk.tap_text("nav.history")
    kiosk.wait_for(State.HISTORY)
    page = kiosk.session.view.history
    assert page is not None
    normal = len(page.entries)
    kiosk.tap_text("switch.elderly.on")
    assert kiosk.wait_until(
        lambda: kiosk.showing(State.HISTORY) and kiosk.session.view.history is not None
    )
    large = kiosk.session.view.history
    assert large is not None
    assert 2 <= len(large.entries) < normal

"""Every list pages in the session: the page and the page count are in the View."""

from __future__ import annotations

import math

from kiosk.session.view import State
from tests.kiosk.session.harness import SETTINGS, Kiosk


def test_a_short_list_opens_on_its_first_page_with_the_page_count(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.CONTRIBUTIONS)
    items = kiosk.view.contributions
    page = kiosk.view.list_page
    assert page is not None
    assert len(items) > SETTINGS.list_rows  # more than one page, or this proves nothing
    assert (page.page, page.rows) == (1, SETTINGS.list_rows)
    assert page.pages == math.ceil(len(items) / SETTINGS.list_rows)
    assert page.of(items) == items[: SETTINGS.list_rows]


def test_paging_moves_within_the_list_and_stops_at_its_ends(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.CONTRIBUTIONS)
    items = kiosk.view.contributions
    kiosk.session.list_page(2)
    page = kiosk.view.list_page
    assert page is not None
    assert page.page == 2
    assert page.of(items) == items[SETTINGS.list_rows : 2 * SETTINGS.list_rows]
    kiosk.session.list_page(99)
    assert kiosk.view.list_page is not None
    assert kiosk.view.list_page.page == page.pages
    kiosk.session.list_page(0)
    assert kiosk.view.list_page is not None
    assert kiosk.view.list_page.page == 1


def test_large_text_keeps_the_first_row_on_screen_with_fewer_rows(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.CONTRIBUTIONS)
    items = kiosk.view.contributions
    kiosk.session.list_page(2)
    first = items[SETTINGS.list_rows]
    kiosk.session.set_elderly(True)
    page = kiosk.view.list_page
    assert page is not None
    assert page.rows == SETTINGS.list_rows_elderly
    assert first in page.of(items)


def test_a_new_list_starts_again_at_its_first_page(kiosk: Kiosk) -> None:
    kiosk.signed_in()
    kiosk.session.show(State.CONTRIBUTIONS)
    kiosk.session.list_page(2)
    kiosk.session.show(State.FLAGGED)
    assert kiosk.view.list_page is not None
    assert kiosk.view.list_page.page == 1
    kiosk.session.show(State.OVERVIEW)
    kiosk.session.list_page(2)  # not a list screen: nothing to page
    assert kiosk.view.state is State.OVERVIEW

"""The list screens, spoken (history, contributions, family aid, filings, charges to check):
what comes before the rows, the rows on the page, and what comes after.

Kept apart so the UI can choose: the whole page read out when the screen appears, or only
the heading and the count when it reads each row as the person focuses it (`spoken_row`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.session.view import State, View
from kiosk.speech.rows import Row, spoken_row
from kiosk.speech.words import words
from kiosk.words import kind_label


@dataclass(frozen=True)
class Listing:
    head: list[str]
    rows: list[str]
    tail: list[str] = field(default_factory=list)

    def parts(self, rows: bool, language: str) -> list[str]:
        if rows or not self.rows:
            return [*self.head, *self.rows, *self.tail]
        count = words("list.count", language, count=len(self.rows))
        return [*self.head, count, *self.tail]


def page_words(page: int, pages: int, language: str) -> str:
    return words("list.page", language, page=page, pages=pages) if pages > 1 else ""


def _history(view: View) -> Listing:
    language = view.language
    page = view.history
    head = [words("history.title", language)]
    if view.history_kind is not None:
        kind = kind_label(view.history_kind, language)
        head.append(words("history.filter", language, kind=kind))
    entries = page.entries if page is not None else ()
    if page is not None:
        head.append(page_words(page.page, page.pages, language))
    if not entries:
        head.append(words("list.empty", language))
    tail = [words("history.flag_what", language)] if any(e.flags for e in entries) else []
    return Listing(head, [spoken_row(entry, language) for entry in entries], tail)


def _paged(view: View, title: str, items: tuple[Row, ...], empty: str = "list.empty") -> Listing:
    """A short list's title, its page and the rows on it (the screen's `paged`)."""
    language = view.language
    page = view.list_page
    head = [words(title, language)]
    if page is not None:
        head.append(page_words(page.page, page.pages, language))
    if not items:
        head.append(words(empty, language))
    shown = page.of(items) if page is not None else items
    return Listing(head, [spoken_row(item, language) for item in shown])


def _contributions(view: View) -> Listing:
    return _paged(view, "contributions.title", view.contributions)


def _family(view: View) -> Listing:
    return _paged(view, "family.title", view.family, "family.none")


def _filings(view: View) -> Listing:
    listing = _paged(view, "filings.title", view.filings, "filings.none")
    return Listing(listing.head, listing.rows, [words("filings.request", view.language)])


def _flagged(view: View) -> Listing:
    listing = _paged(view, "flagged.title", view.flagged, "flagged.none")
    if not view.flagged:
        return listing
    language = view.language
    head = [listing.head[0], words("flagged.intro", language), *listing.head[1:]]
    return Listing(head, listing.rows, [words("history.flag_what", language)])


LISTS: dict[State, Callable[[View], Listing]] = {
    State.HISTORY: _history,
    State.CONTRIBUTIONS: _contributions,
    State.FAMILY_AID: _family,
    State.FILINGS: _filings,
    State.FLAGGED: _flagged,
}

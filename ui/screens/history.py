"""Spending and income, newest first, a page at a time, filtered by kind; charges worth a
second look carry an icon, a word, the reason, and (once per page) what to do."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.domain import LedgerEntry
from kiosk.session.view import View
from ui.i18n import (
    HISTORY_FILTERS,
    date_text,
    flag_label,
    kind_label,
    signed_yuan,
    text,
    yuan,
)
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, flag_badge, label, row_frame
from ui.widgets.pager import pager


def entry_row(entry: LedgerEntry, language: str) -> QWidget:
    frame, row = row_frame()
    left = QVBoxLayout()
    where = entry.institution_name or entry.counterpart or ""
    when = date_text(entry.posted_at, "minute")
    left.addWidget(label(f"{when}  {kind_label(entry.kind, language)}"))
    if where:
        left.addWidget(label(where, role="muted"))
    if entry.flags:
        flagged = QHBoxLayout()
        flagged.addWidget(flag_badge(text("history.flag_word", language)))
        separator = text("list.separator", language)
        why = separator.join(flag_label(reason, language) for reason in entry.flags)
        flagged.addWidget(label(why, role="warning"), 1)
        left.addLayout(flagged)
    row.addLayout(left, 3)
    right = QVBoxLayout()
    right.addWidget(label(signed_yuan(entry.amount), wrap=False))
    after = text("history.balance_after", language, balance=yuan(entry.balance_after))
    right.addWidget(label(after, role="muted", wrap=False))
    row.addLayout(right, 1)
    return frame


class HistoryScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        page = view.history
        language = view.language
        self.set_heading("nav.history", view)  # the words of the button that opens it
        filters = QHBoxLayout()
        for kind in HISTORY_FILTERS:
            name = kind_label(kind, language) if kind else text("history.filter.all", language)
            role = "filter-on" if kind == view.history_kind else "filter"
            filters.addWidget(button(name, partial(self.session.history_filter, kind), role), 1)
        layout.addLayout(filters)
        entries = page.entries if page is not None else ()
        if not entries:
            layout.addWidget(label(text("empty", language), role="muted"))
        for entry in entries:
            layout.addWidget(entry_row(entry, language))
        if any(entry.flags for entry in entries):
            layout.addWidget(label(text("history.flag_what", language), role="muted"))
        layout.addStretch(1)
        pages = None
        if page is not None and page.pages > 1:
            pages = pager(page.page, page.pages, language, self.session.history_page)
        self.back_and_finish(layout, view, pages)

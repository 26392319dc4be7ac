"""Spending and income, newest first, a page at a time, filtered by kind; charges worth a
second look carry an icon, a word, the reason, and (once per page) what to do."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.domain import LedgerEntry
from kiosk.session.view import View
from kiosk.speech.spoken import spoken_row
from ui.frame import frame_height
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
from ui.theme import Theme, line_px
from ui.widgets.basics import RING_WIDTH, button, flag_badge, label, row_frame
from ui.widgets.pager import pager


def entry_row(entry: LedgerEntry, language: str) -> QWidget:
    frame, row = row_frame(spoken_row(entry, language))
    left = QVBoxLayout()
    left.setSpacing(0)  # rows_that_fit counts each line at its font's height
    where = entry.institution_name or entry.counterpart or ""
    when = date_text(entry.posted_at, "minute")
    left.addWidget(label(f"{when}  {kind_label(entry.kind, language)}"))
    if where:
        left.addWidget(label(where, role="muted"))
    if entry.flags:
        flagged = QHBoxLayout()
        flagged.setSpacing(8)  # the badge apart from its reasons (the column has none)
        flagged.addWidget(flag_badge(text("history.flag_word", language)))
        separator = text("list.separator", language)
        why = separator.join(flag_label(reason, language) for reason in entry.flags)
        flagged.addWidget(label(why, role="warning"), 1)
        left.addLayout(flagged)
    row.addLayout(left, 3)
    right = QVBoxLayout()
    amount = label(signed_yuan(entry.amount), wrap=False)
    after = label(
        text("history.balance_after", language, balance=yuan(entry.balance_after)),
        role="muted",
        wrap=False,
    )
    for money in (amount, after):  # amounts line up on their last digit
        money.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        right.addWidget(money)
    row.addLayout(right, 1)
    return frame


def rows_that_fit(height: int, theme: Theme) -> int:
    """History rows a page for a window `height` px tall: what the frame, the filters, the
    'what to do' line and the pager row leave, over the tallest row (a flagged entry: its
    time, its place and the badge with the reasons; a page may be all flagged)."""
    border = max(2, theme.spacing_px // 3)
    button_row = theme.target_px + 2 * border
    fixed = frame_height(theme) + 2 * button_row + line_px(theme.small_px) + 4 * theme.spacing_px
    # The badge's padding, and the row's margins (room for the keypad's ring).
    row = 2 * line_px(theme.body_px) + line_px(theme.small_px) + 4 + 2 * (RING_WIDTH + 1)
    spacing = theme.spacing_px
    return max(2, (height - fixed + spacing) // (row + spacing))


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

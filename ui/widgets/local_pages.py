"""Paging of short lists the session already holds (contributions, family, filings, flags).

The page number is the only state a screen keeps; it resets whenever new data arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.i18n import text
from ui.widgets.basics import label
from ui.widgets.pager import pager


class LocalPages:
    def __init__(self) -> None:
        self.page = 1
        self._items_id = 0

    def add(  # noqa: PLR0917 (each argument is a different thing a list needs)
        self,
        layout: QVBoxLayout,
        language: str,
        rows: int,
        items: Sequence[Any],
        make_row: Callable[[Any], QWidget],
        rerender: Callable[[], None],
        empty_key: str = "empty",
    ) -> QWidget | None:
        """Add this page's rows to `layout`; returns the pager for the bottom row, if needed."""
        pages = max(1, -(-len(items) // rows))
        if self._items_id != id(items):
            self.page, self._items_id = 1, id(items)
        self.page = min(self.page, pages)
        if not items:
            layout.addWidget(label(text(empty_key, language), role="muted"))
        for item in items[(self.page - 1) * rows : self.page * rows]:
            layout.addWidget(make_row(item))
        layout.addStretch(1)
        if pages == 1:
            return None

        def go_to(target: int) -> None:
            self.page = max(1, min(pages, target))
            rerender()

        return pager(self.page, pages, language, go_to)

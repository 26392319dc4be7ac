"""Big Previous / Next buttons and "page 2 of 5": no kinetic scrolling to lose one's place."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QWidget

from ui.i18n import text
from ui.widgets.basics import button, label


def pager(
    page: int,
    pages: int,
    language: str,
    go_to: Callable[[int], None],
) -> QWidget:
    bar = QWidget()
    layout = QHBoxLayout(bar)
    layout.setContentsMargins(0, 0, 0, 0)
    previous = button(text("button.previous", language), lambda: go_to(page - 1), "secondary")
    following = button(text("button.next", language), lambda: go_to(page + 1), "secondary")
    previous.setEnabled(page > 1)
    following.setEnabled(page < pages)
    where = label(text("page.of", language, page=page, pages=pages), center=True, wrap=False)
    layout.addWidget(previous, 1)
    layout.addWidget(where, 1)
    layout.addWidget(following, 1)
    return bar

"""What every screen shares: content rebuilt from the View, torn down completely on wipe.

Rebuilding instead of updating keeps the rule simple and provable: when the session forgets
a person, `wipe()` detaches every widget that showed their data at once (setParent(None)),
so nothing of them is left in the widget tree, not even until the next event loop turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.session import Session
from kiosk.session.view import State, View
from ui.i18n import text
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pager import pager


class Screen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setObjectName("screen")
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._content: QWidget | None = None
        self.heading = ""  # shown in the window's top bar, beside the language switch
        self.key_tone: Callable[[], None] = _silence  # set by the window: its speaker's tone

    def show_view(self, view: View, theme: Theme) -> None:
        self.wipe()
        self.heading = ""
        content = QWidget()
        content.setObjectName("screen")
        layout = QVBoxLayout(content)
        # The frame's hotlines follow at the foot: a spacing is margin enough.
        layout.setContentsMargins(theme.margin_px, 0, theme.margin_px, theme.spacing_px)
        layout.setSpacing(theme.spacing_px)
        self.build(layout, view, theme)
        self._outer.addWidget(content)
        # Held before it shows: showing may resize the window, which renders again, and that
        # render's wipe must find this content (or it stays in the layout, growing it).
        self._content = content
        content.show()  # now, not at the next layout pass: a test or a grab sees it at once

    def wipe(self) -> None:
        if self._content is not None:
            # Hidden first: content shown while its screen was not could otherwise show up
            # on its own, a window of a person's data, once it has no parent.
            self._content.hide()
            self._content.setParent(None)
            self._content.deleteLater()
            self._content = None
        self.heading = ""

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        raise NotImplementedError

    # -- pieces many screens use -------------------------------------------------------

    def paged(  # noqa: PLR0917 (each argument is a different thing a list needs)
        self,
        layout: QVBoxLayout,
        view: View,
        theme: Theme,
        items: tuple[Any, ...],
        make_row: Callable[[Any], QWidget],
        empty_key: str = "empty",
        action: QWidget | None = None,
    ) -> None:
        """The session's page of a short list, then Previous / Next, Back, Finish."""
        page = view.list_page
        if not items:
            layout.addWidget(label(text(empty_key, view.language), role="muted"))
        for item in page.of(items) if page is not None else items:
            layout.addWidget(make_row(item))
        layout.addStretch(1)
        bar = None
        if page is not None and page.pages > 1:
            bar = pager(page.page, page.pages, view.language, self.session.list_page)
        self.back_and_finish(layout, view, bar, action)

    def set_heading(self, key: str, view: View, **values: object) -> None:
        self.heading = text(key, view.language, **values)

    def title(self, layout: QBoxLayout, key: str, view: View, **values: object) -> None:
        layout.addWidget(label(text(key, view.language, **values), role="title"))

    def back_and_finish(
        self,
        layout: QBoxLayout,
        view: View,
        pages: QWidget | None = None,
        action: QWidget | None = None,
    ) -> None:
        """The bottom row of every account screen: paging if any, the screen's own action
        if it has one, back, and finish."""
        row = QHBoxLayout()
        if action is not None and pages is not None:  # both would not fit one row
            layout.addWidget(action)
        elif action is not None:
            row.addWidget(action, 2)
        if pages is not None:
            row.addWidget(pages, 3)
        back = True
        if back:
            row.addWidget(
                button(
                    text("button.back", view.language),
                    lambda: self.session.show(State.OVERVIEW),
                    "secondary",
                ),
                1,
            )
        row.addWidget(button(text("button.finish", view.language), self.session.finish), 1)
        layout.addLayout(row)


def _silence() -> None:
    """The key tone of a window without a speaker."""

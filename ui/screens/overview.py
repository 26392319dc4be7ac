"""The overview, right after the PIN: the balance is the largest thing on the screen.

In large text it is two pages (ui.md: fewer items a page, issue 18): first the balance, the
quota, charges to check and the most asked-for buttons; then "more services" with the last
contribution, a remote-care filing and the other screens. Normal text shows it all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.domain import AccountSummary
from kiosk.session.view import State, View
from ui.i18n import date_text, text, yuan
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, flag_badge, label

NAVIGATION = (
    (State.HISTORY, "nav.history"),
    (State.CONTRIBUTIONS, "nav.contributions"),
    (State.ANNUAL, "nav.annual"),
    (State.FAMILY_AID, "nav.family_aid"),
    (State.FILINGS, "nav.filings"),
    (State.FLAGGED, "nav.flagged"),
)
# Large text, first page: what most people came for; the rest is one tap on.
FIRST_PAGE = (State.HISTORY, State.FLAGGED)
COLUMNS = 3
Target = tuple[str, Callable[[], None], str]  # words key, action, button role


class OverviewScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        summary = view.summary
        if summary is None:
            return
        session = self.session
        finish: Target = ("button.finish", session.finish, "secondary")
        print_receipt: Target = ("nav.print", session.print_receipt, "")
        others: list[Target] = [
            ("nav.certificate", session.print_certificate, "secondary"),
            ("nav.change_pin", session.start_pin_change, "secondary"),
        ]
        if view.elderly and view.overview_more:
            self.set_heading("overview.more", view)
            if view.certificate_printed:  # printed from this page: said where it was asked
                layout.addWidget(label(text("overview.certificate_printed", view.language)))
            self._secondary(layout, view, summary)
            layout.addStretch(1)
            screens = self._screens(lambda state: state not in FIRST_PAGE)
            _grid(layout, view, theme, screens + others)
            first = partial(session.overview_more, False)
            _row(layout, view, [("overview.back_to_balance", first, "secondary"), finish])
            return
        self.set_heading("overview.greeting", view, name=view.display_name)
        self._balance(layout, view, summary)
        if not view.elderly:
            self._secondary(layout, view, summary)
        self._flagged(layout, view, summary)
        layout.addStretch(1)
        if view.elderly:
            more: Target = ("overview.more", partial(session.overview_more, True), "secondary")
            _grid(layout, view, theme, [*self._screens(lambda s: s in FIRST_PAGE), more])
            _row(layout, view, [print_receipt, finish])
        else:
            _grid(layout, view, theme, self._screens(lambda _state: True))
            _row(layout, view, [print_receipt, *others, finish])

    def _screens(self, shown: Callable[[State], bool]) -> list[Target]:
        show = self.session.show
        return [
            (key, partial(show, state), "secondary") for state, key in NAVIGATION if shown(state)
        ]

    def _balance(self, layout: QVBoxLayout, view: View, summary: AccountSummary) -> None:
        language = view.language
        # The card's region shares the balance caption's row: the overview must fit 1280x800.
        caption = QHBoxLayout()
        caption.addWidget(label(text("overview.balance", language), role="muted"), 1)
        if summary.card_region_code:
            region = f"{summary.card_region_name} {summary.card_region_code}".strip()
            words = text("overview.card_region", language, region=region)
            caption.addWidget(label(words, role="muted", wrap=False))
        layout.addLayout(caption)
        balance = label(yuan(summary.balance), role="balance", wrap=False)
        balance.setObjectName("balance")
        layout.addWidget(balance)
        quota = summary.quota
        values = {"year": quota.year, "left": yuan(quota.left), "used": yuan(quota.used)}
        layout.addWidget(label(text("overview.quota", language, **values)))
        notice = _notice(view)
        if notice and not (view.elderly and not view.loss_lifted):
            layout.addWidget(label(notice))  # what was just done, where the person looks first

    def _secondary(self, layout: QVBoxLayout, view: View, summary: AccountSummary) -> None:
        """The last contribution and a filing in force (each has a screen of its own)."""
        language = view.language
        last = summary.last_contribution
        if _notice(view) and not view.elderly:
            words = ""  # the notice took this line: normal text's one page must fit 800 px
        elif last is not None:
            period, amount = date_text(last.period, "month"), yuan(last.to_personal_account)
            words = text("overview.last_contribution", language, period=period, amount=amount)
        else:
            words = text("overview.no_contribution", language)
        if words:
            layout.addWidget(label(words, role="muted"))
        filing = summary.active_filing
        if filing is not None:
            until = (
                date_text(filing.valid_until)
                if filing.valid_until
                else text("overview.filing_open", language)
            )
            words = text("overview.filing", language, region=filing.region_name, until=until)
            layout.addWidget(label(words, role="muted"))

    def _flagged(self, layout: QVBoxLayout, view: View, summary: AccountSummary) -> None:
        if not summary.flagged_count:
            return
        language = view.language
        row = QHBoxLayout()
        row.addWidget(flag_badge(text("history.flag_word", language)))
        words = text("overview.flagged", language, count=summary.flagged_count)
        row.addWidget(label(words, role="warning"), 1)
        layout.addLayout(row)


def _grid(layout: QVBoxLayout, view: View, theme: Theme, targets: list[Target]) -> None:
    grid = QGridLayout()
    grid.setSpacing(theme.spacing_px)
    for index, (key, action, role) in enumerate(targets):
        grid.addWidget(button(text(key, view.language), action, role), *divmod(index, COLUMNS))
    layout.addLayout(grid)


def _row(layout: QVBoxLayout, view: View, targets: list[Target]) -> None:
    row = QHBoxLayout()
    for key, action, role in targets:
        row.addWidget(button(text(key, view.language), action, role), 1)
    layout.addLayout(row)


def _notice(view: View) -> str:
    """What the person just did that the overview confirms, or ""."""
    if view.loss_lifted:
        return text("overview.loss_lifted", view.language)
    if view.certificate_printed:
        return text("overview.certificate_printed", view.language)
    return ""

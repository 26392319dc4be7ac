"""The overview, right after the PIN: the balance is the largest thing on the screen."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

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


class OverviewScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        summary = view.summary
        if summary is None:
            return
        language = view.language
        self.set_heading("overview.greeting", view, name=view.display_name)
        # The card's region shares the balance caption's row: the overview must fit 1280x800
        # in large text with a filing and flagged charges shown.
        caption = QHBoxLayout()
        caption.addWidget(label(text("overview.balance", language), role="muted"), 1)
        if summary.card_region_code:
            region = f"{summary.card_region_name} {summary.card_region_code}".strip()
            caption.addWidget(
                label(
                    text("overview.card_region", language, region=region), role="muted", wrap=False
                )
            )
        layout.addLayout(caption)
        balance = label(yuan(summary.balance), role="balance", wrap=False)
        balance.setObjectName("balance")
        layout.addWidget(balance)
        quota = summary.quota
        layout.addWidget(
            label(
                text(
                    "overview.quota",
                    language,
                    year=quota.year,
                    left=yuan(quota.left),
                    used=yuan(quota.used),
                )
            )
        )
        # A notice of what was just done takes the last contribution's line (it has a
        # screen of its own): the overview must still fit 1280x800 in large text.
        notice = _notice(view)
        last = summary.last_contribution
        if notice:
            layout.addWidget(label(notice))
        elif last is not None:
            words = text(
                "overview.last_contribution",
                language,
                period=date_text(last.period, "month"),
                amount=yuan(last.to_personal_account),
            )
            layout.addWidget(label(words, role="muted"))
        else:
            layout.addWidget(label(text("overview.no_contribution", language), role="muted"))
        if summary.active_filing is not None:
            filing = summary.active_filing
            until = (
                date_text(filing.valid_until)
                if filing.valid_until
                else text("overview.filing_open", language)
            )
            layout.addWidget(
                label(
                    text("overview.filing", language, region=filing.region_name, until=until),
                    role="muted",
                )
            )
        if summary.flagged_count:
            row = QHBoxLayout()
            row.addWidget(flag_badge(text("history.flag_word", language)))
            row.addWidget(
                label(
                    text("overview.flagged", language, count=summary.flagged_count), role="warning"
                ),
                1,
            )
            layout.addLayout(row)
        layout.addStretch(1)
        grid = QGridLayout()
        grid.setSpacing(theme.spacing_px)
        columns = 3
        for index, (state, key) in enumerate(NAVIGATION):
            target = button(text(key, language), partial(self.session.show, state), "secondary")
            grid.addWidget(target, index // columns, index % columns)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        bottom.addWidget(button(text("nav.print", language), self.session.print_receipt), 1)
        for key, action in (
            ("nav.certificate", self.session.print_certificate),
            ("nav.change_pin", self.session.start_pin_change),
        ):
            bottom.addWidget(button(text(key, language), action, "secondary"), 1)
        bottom.addWidget(
            button(text("button.finish", language), self.session.finish, "secondary"), 1
        )
        layout.addLayout(bottom)


def _notice(view: View) -> str:
    """What the person just did that the overview confirms, or ""."""
    if view.loss_lifted:
        return text("overview.loss_lifted", view.language)
    if view.certificate_printed:
        return text("overview.certificate_printed", view.language)
    return ""

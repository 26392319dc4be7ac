"""Remote-care filings (异地就医备案): type, region, validity, status."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.domain import FilingStatus, RemoteFiling
from kiosk.session.view import View
from kiosk.speech.spoken import spoken_row
from ui.i18n import date_text, filing_status_label, filing_type_label, text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label, row_frame


def filing_row(filing: RemoteFiling, language: str) -> QWidget:
    frame, row = row_frame(spoken_row(filing, language))
    column = QVBoxLayout()
    column.addWidget(
        label(
            text(
                "filings.row",
                language,
                type=filing_type_label(filing.filing_type, language),
                region=filing.region_name,
            )
        )
    )
    until = (
        date_text(filing.valid_until)
        if filing.valid_until
        else text("overview.filing_open", language)
    )
    column.addWidget(
        label(
            text("filings.valid", language, start=date_text(filing.valid_from), until=until),
            role="muted",
        )
    )
    row.addLayout(column, 3)
    status = label(
        filing_status_label(filing.status, language),
        wrap=False,
        role="" if filing.status is FilingStatus.ACTIVE else "muted",
    )
    row.addWidget(status, 1)
    return frame


class FilingsScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        self.set_heading("nav.filings", view)  # the words of the button that opens it
        self.paged(
            layout,
            view,
            theme,
            view.filings,
            lambda item: filing_row(item, view.language),
            "filings.none",
            action=button(
                text("filing_request.start", view.language), self.session.start_filing_request
            ),
        )

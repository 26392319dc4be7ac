"""The loss report without the card: the citizen ID, the service password, and the report."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session import Session
from kiosk.session.view import Busy, View
from ui.i18n import date_text, text
from ui.screens.base import Screen
from ui.screens.pin_entry import PadScreen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.id_pad import IdPad


class LossIdScreen(Screen):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.pad: IdPad | None = None

    def wipe(self) -> None:
        if self.pad is not None:
            self.pad.wipe()
            self.pad = None
        super().wipe()

    def show_view(self, view: View, theme: Theme) -> None:
        """A language or text-size switch keeps what was typed."""
        typed = self.pad.typed if self.pad is not None else ""
        super().show_view(view, theme)
        if self.pad is not None and typed:
            self.pad.take(typed)

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        self.set_heading("loss.heading", view)
        columns = QHBoxLayout()
        words = QVBoxLayout()
        self.title(words, "loss.id.title", view)
        words.addWidget(label(text("loss.id.hint", language), role="muted"))
        today = self.session.today()
        self.pad = IdPad(language, today, self.session.loss_citizen_id, self.session.touch)
        words.addWidget(self.pad.problem)
        words.addStretch(1)
        words.addWidget(button(text("loss.back", language), self.session.finish, "secondary"))
        columns.addLayout(words, 1)
        columns.addWidget(self.pad, 1)
        layout.addLayout(columns, 1)


class LossPasswordScreen(PadScreen):
    def words(
        self, above: QVBoxLayout, beside: QVBoxLayout, view: View
    ) -> tuple[str, Callable[[], None]]:
        language = view.language
        self.set_heading("loss.heading", view)
        self.title(above, "loss.password.title", view)
        if view.loss_locked_until is not None:
            until = f"{date_text(view.loss_locked_until.date())} {view.loss_locked_until:%H:%M}"
            above.addWidget(label(text("loss.password.locked", language, until=until), "warning"))
        elif view.loss_refused is not None:
            above.addWidget(label(text(f"loss.refused.{view.loss_refused}", language), "warning"))
        elif view.loss_password_tries_left is not None:
            tries = view.loss_password_tries_left
            above.addWidget(label(text("loss.password.wrong", language, tries=tries), "warning"))
        beside.addWidget(label(text("loss.password.hint", language)))
        beside.addWidget(label(text("pin.hint", language), role="muted"))
        return "loss.back", self.session.finish

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        super().build(layout, view, theme)
        closed = view.loss_locked_until is not None or view.loss_refused is not None
        if closed and self.pad is not None:  # start again from the start screen
            self.pad.setEnabled(False)

    def confirmed(self, pin: bytearray) -> None:
        self.session.loss_password(pin)


class LossReportedScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        report = view.loss_report
        if report is None:
            return
        language = view.language
        self.set_heading("loss.heading", view)
        self.title(layout, "loss.done.title", view)
        layout.addWidget(label(text("loss.done.body", language, name=report.masked_name)))
        number = label(text("loss.done.number", language, number=report.report_no), "title")
        number.setObjectName("loss-report-number")
        layout.addWidget(number)
        until = date_text(report.expires_at.date())
        layout.addWidget(label(text("loss.done.until", language, until=until)))
        if view.slip_failed:
            layout.addWidget(label(text("loss.done.slip_failed", language), role="warning"))
        layout.addStretch(1)
        row = QHBoxLayout()
        if not view.slip_failed and view.busy is not Busy.PRINTING:
            row.addWidget(button(text("loss.done.print", language), self.session.print_loss_slip))
        row.addWidget(
            button(text("loss.done.finish", language), self.session.finish, "secondary"), 1
        )
        layout.addLayout(row)

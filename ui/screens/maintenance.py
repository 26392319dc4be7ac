"""Maintenance: reader, printer, store, paper, audit outbox, a replaced receipt key, the last
errors; and exit."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session.view import View
from ui.i18n import text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.elided import ElidedLabel


class MaintenanceScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        self.set_heading("maintenance.title", view)
        info = view.maintenance
        if info is not None:
            layout.addWidget(label(text("maintenance.reader", language, value=info.reader)))
            layout.addWidget(label(text("maintenance.printer", language, value=info.printer)))
            layout.addWidget(label(text("maintenance.store", language, value=info.store)))
            if info.paper_left_mm is None:
                layout.addWidget(label(text("maintenance.paper_unknown", language)))
            else:
                metres = f"{info.paper_left_mm / 1000:.1f}"
                layout.addWidget(label(text("maintenance.paper", language, metres=metres)))
            if info.paper_low:
                layout.addWidget(label(text("maintenance.paper_low", language), role="warning"))
            layout.addWidget(label(text("maintenance.outbox", language, count=info.outbox_pending)))
            if info.outbox_held_in_memory:  # lost if the kiosk stops before the disk has room
                held = text("maintenance.outbox_held", language, count=info.outbox_held_in_memory)
                layout.addWidget(label(held, role="warning"))
            if info.key_notice:
                notice = text("maintenance.key_notice", language, notice=info.key_notice)
                layout.addWidget(label(notice, role="warning"))
            layout.addWidget(label(text("maintenance.errors", language), role="muted"))
            errors = info.last_errors or (text("maintenance.no_errors", language),)
            for line in errors[-1 if theme.elderly else -5 :]:
                error = ElidedLabel(role="muted")  # one line each: the screen must fit 800 px
                error.set_words(line)
                layout.addWidget(error)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(
            button(
                text("maintenance.refresh", language), self.session.refresh_maintenance, "secondary"
            ),
            1,
        )
        row.addWidget(
            button(
                text("maintenance.refilled", language), self.session.paper_refilled, "secondary"
            ),
            1,
        )
        row.addWidget(
            button(
                text("maintenance.close", language), self.session.leave_maintenance, "secondary"
            ),
            1,
        )
        row.addWidget(button(text("maintenance.exit", language), self.session.exit_kiosk), 1)
        layout.addLayout(row)

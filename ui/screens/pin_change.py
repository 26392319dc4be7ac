"""Changing the card PIN: the step (old, new, new again) on the PIN pad's layout, why a new
PIN was refused, and the confirmation once the card has taken it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.session.view import PinChangeStep, State, View
from ui.i18n import text
from ui.screens.base import Screen
from ui.screens.pin_entry import PadScreen
from ui.theme import Theme
from ui.widgets.basics import button, label

STEP_NUMBERS = {PinChangeStep.OLD: 1, PinChangeStep.NEW: 2, PinChangeStep.REPEAT: 3}


class PinChangeScreen(PadScreen):
    def words(
        self, above: QVBoxLayout, beside: QVBoxLayout, view: View
    ) -> tuple[str, Callable[[], None]]:
        language = view.language
        step = view.pin_change_step or PinChangeStep.OLD
        # The step shares the heading's line: the title and the warning stay above the dots.
        step_words = text("pin_change.step", language, step=STEP_NUMBERS[step])
        self.heading = f"{text('nav.change_pin', language)} · {step_words}"
        self.title(above, f"pin_change.title.{step.value}", view)
        tries = view.pin_tries_left
        if view.pin_wrong and tries is not None:
            above.addWidget(
                label(text("pin_change.old_wrong", language, tries=tries), role="warning")
            )
        refused = view.pin_change_refused
        if refused is not None:
            above.addWidget(
                label(text(f"pin_change.weak.{refused.value}", language), role="warning")
            )
        if step is PinChangeStep.NEW:
            beside.addWidget(label(text("pin_change.rules", language)))
        beside.addWidget(label(text("pin.hint", language), role="muted"))
        return "pin_change.cancel", lambda: self.session.show(State.OVERVIEW)

    def confirmed(self, pin: bytearray) -> None:
        self.session.submit_pin_change(pin)


class PinChangedScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        language = view.language
        self.set_heading("nav.change_pin", view)
        self.title(layout, "pin_changed.title", view)
        layout.addWidget(label(text("pin_changed.body", language)))
        layout.addStretch(1)
        row = QHBoxLayout()
        back: Callable[[], None] = lambda: self.session.show(State.OVERVIEW)  # noqa: E731
        row.addWidget(button(text("button.back", language), back, "secondary"), 1)
        row.addWidget(button(text("button.finish", language), self.session.finish), 1)
        layout.addLayout(row)

"""The frame round every screen (issue 18): the service and where the kiosk stands, the four
steps of a visit with the current one marked, the time left, and the hotlines at the foot.

The top bar itself (the screen's heading and the switches) is the window's; this is the
rest, so the window only says which view it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.session.view import ACCOUNT_STATES, State, View
from ui.i18n import text
from ui.theme import Theme, line_px
from ui.widgets.basics import label
from ui.widgets.elided import ElidedLabel
from ui.widgets.swap import swap_into

# 插卡 → 输入密码 → 查询 → 退卡
STEPS = ("frame.step.card", "frame.step.pin", "frame.step.view", "frame.step.take_card")
_STEP_OF_STATE = {
    State.IDLE: 1,
    State.READING: 1,
    State.PIN_ENTRY: 2,
    **dict.fromkeys(ACCOUNT_STATES, 3),
    State.CHANGE_PIN: 3,
    State.PIN_CHANGED: 3,
    State.FILING_FORM: 3,
    State.FILING_REQUESTED: 3,
    State.PRINTING: 3,
    State.TAKE_CARD: 4,
}


def current_step(state: State, card_in: bool) -> int | None:
    """The step (1-4) the screen for `state` is, or None where the four steps are not what
    the person is doing: the loss report without a card, maintenance, the kiosk out of
    service. A card that cannot be used is step 4 while it is in: taking it is what is left."""
    if state is State.CARD_PROBLEM:
        return 4 if card_in else None
    return _STEP_OF_STATE.get(state)


def frame_height(theme: Theme) -> int:
    """How tall the frame is round a screen (the top bar, the place, the steps, the
    hotlines): what a screen that fills itself from the height leaves for the frame."""
    border = max(2, theme.spacing_px // 3)
    top = theme.target_px + 2 * border + theme.spacing_px // 2
    line = line_px(theme.small_px)
    steps = line + 4 + theme.spacing_px  # the current step's box
    foot = line + theme.spacing_px
    return top + line + steps + foot


class StepsBar(QWidget):
    """The four steps in a row: done ones ticked, the current one pointed at, boxed, bold and
    underlined (never by colour alone), and said in its accessible name.

    Its labels are made anew for each step, in a row of their own swapped in whole: a label
    restyled in place keeps the size its old style gave it (a bold, boxed step clipped, a
    plain one too wide)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("steps")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._row: QWidget | None = None
        self.steps: list[QLabel] = []
        self.current: int | None = None
        self._shown: tuple[int, str] | None = None

    def show_step(self, current: int | None, language: str) -> None:
        self.current = current
        self.setVisible(current is not None)
        if current is None or self._shown == (current, language):
            return
        self._shown = (current, language)
        row = QWidget()
        steps = QHBoxLayout(row)
        steps.setContentsMargins(0, 0, 0, 0)
        steps.setSpacing(14)
        self.steps = []
        for number, key in enumerate(STEPS, start=1):
            name = text(key, language)
            if number < current:
                shown, state, role = f"✓ {number} {name}", "frame.step.done", "step"
            elif number == current:
                shown, state, role = f"▶ {number} {name}", "frame.step.current", "step-current"
            else:
                shown, state, role = f"{number} {name}", "frame.step.later", "step"
            if number > 1:
                arrow = label("›", role="step", wrap=False)
                arrow.setAccessibleName("")  # the steps' names say the order already
                steps.addWidget(arrow)
            step = label(shown, role=role, wrap=False)
            step.setAccessibleName(text(state, language, step=number, name=name))
            steps.addWidget(step)
            self.steps.append(step)
        steps.addStretch(1)
        self._row = swap_into(self._layout, self._row, row)
        where = text(
            "frame.steps.where", language, step=current, name=text(STEPS[current - 1], language)
        )
        self.setAccessibleName(text("frame.steps.name", language))
        self.setAccessibleDescription(where)


class Frame:
    """The frame's lines: where (service and place), the steps with the time left, the foot."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.where = ElidedLabel(role="frame")
        self.where.setObjectName("frame-where")
        self.steps = StepsBar()
        # The session's time left where a timeout applies, visible (WCAG 2.2.1, ui.md).
        self.time_left = label("", role="frame", wrap=False)
        self.time_left.setObjectName("time-left")
        self.time_left.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.steps_row = QHBoxLayout()
        self.steps_row.addWidget(self.steps, 1)
        self.steps_row.addWidget(self.time_left)
        self.foot = label("", role="frame", center=True)
        self.foot.setObjectName("frame-hotlines")

    def show_view(self, view: View, card_in: bool, *, heading_is_service: bool) -> None:
        """The frame for `view`; where the heading is the service's name already, the line
        under it says only the place."""
        language = view.language
        service = text("frame.service", language)
        if heading_is_service:
            where = self.location
        elif self.location:
            where = text("frame.where", language, service=service, location=self.location)
        else:
            where = service
        self.where.set_words(where)
        self.where.setVisible(bool(where))
        self.steps.show_step(current_step(view.state, card_in), language)
        _set(self.foot, text("hotline", language))

    def show_time_left(self, seconds: int | None, language: str) -> None:
        words = "" if seconds is None else text("frame.time_left", language, seconds=seconds)
        if words != self.time_left.text():
            _set(self.time_left, words)
        self.time_left.setVisible(bool(words))

    def set_margins(self, margin: int, spacing: int) -> None:
        self.where.setContentsMargins(margin, 0, margin, 0)
        self.steps_row.setContentsMargins(margin, spacing // 2, margin, spacing // 2)
        self.foot.setContentsMargins(margin, spacing // 2, margin, spacing // 2)


def _set(widget: QLabel, words: str) -> None:
    widget.setText(words)
    widget.setAccessibleName(words)

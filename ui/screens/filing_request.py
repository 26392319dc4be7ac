"""A remote-care filing request: one choice a screen, as large buttons; a last look; the result.

Provinces and cities come from the store's list and are paged here (a screen's worth of
buttons at a time), so nothing is ever typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.domain import FilingType
from kiosk.session import Session
from kiosk.session.filing_draft import FilingDraft, FilingStep
from kiosk.session.view import Busy, State, View
from ui.i18n import date_text, filing_type_label, text
from ui.screens.base import Screen
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.pager import pager

COLUMNS = 3
CHOICES_PER_PAGE = 9  # three rows of three: each button stays a large target
# Large text: two rows (fewer items a page, ui.md); dates are long words, two to a row.
CHOICES_PER_PAGE_LARGE = 6
WORDY_STEPS = frozenset({FilingStep.START, FilingStep.LENGTH})
STEP_NUMBERS = {step: index + 1 for index, step in enumerate(FilingStep)}


class FilingFormScreen(Screen):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._page = 1
        self._paged_step: FilingStep | None = None

    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        draft = view.filing_draft
        if draft is None:
            return
        language = view.language
        self.set_heading("filing_request.heading", view)
        if draft.step is not self._paged_step:  # a new step starts on its first page
            self._page, self._paged_step = 1, draft.step
        step_words = text("filing_request.step", language, step=STEP_NUMBERS[draft.step])
        layout.addWidget(label(step_words, role="muted"))
        if draft.step is FilingStep.CONFIRM:
            self._confirm(layout, view, draft)
        else:
            self._choices(layout, view, draft, theme)
        layout.addStretch(1)
        row = QHBoxLayout()
        back = button(text("filing_request.back", language), self.session.filing_back, "secondary")
        row.addWidget(back, 1)
        if draft.step is FilingStep.CONFIRM:
            words = text("filing_request.submit", language)
            submit = button(words, self.session.submit_filing_request)
            submit.setEnabled(view.busy is None)
            row.addWidget(submit, 1)
        finish = button(text("button.finish", language), self.session.finish, "secondary")
        row.addWidget(finish, 1)
        layout.addLayout(row)

    def _choices(self, layout: QVBoxLayout, view: View, draft: FilingDraft, theme: Theme) -> None:
        language = view.language
        title_values: dict[str, object] = {}
        if draft.step is FilingStep.CITY and draft.province is not None:
            title_values["province"] = draft.province.name
        self.title(layout, f"filing_request.{draft.step.value}.title", view, **title_values)
        choices = draft.choices()
        per_page = CHOICES_PER_PAGE_LARGE if theme.elderly else CHOICES_PER_PAGE
        columns = 2 if theme.elderly and draft.step in WORDY_STEPS else COLUMNS
        pages = max(1, -(-len(choices) // per_page))
        self._page = max(1, min(self._page, pages))
        shown = choices[(self._page - 1) * per_page : self._page * per_page]
        if draft.step is FilingStep.KIND:
            for value in shown:
                self._kind_row(layout, FilingType(value), view, theme)
        else:
            grid = QGridLayout()
            grid.setSpacing(theme.spacing_px)
            for index, value in enumerate(shown):
                words = _choice_words(draft, value, language)
                target = button(words, partial(self.session.filing_choose, value), "secondary")
                grid.addWidget(target, *divmod(index, columns))
            layout.addLayout(grid)
        if pages > 1:
            layout.addWidget(pager(self._page, pages, language, self._turn))

    def _kind_row(self, layout: QVBoxLayout, kind: FilingType, view: View, theme: Theme) -> None:
        language = view.language
        row = QHBoxLayout()
        choose = partial(self.session.filing_choose, kind.value)
        row.addWidget(button(filing_type_label(kind, language), choose, "secondary"), 1)
        hint = label(text(f"filing_request.kind.{kind.value}.hint", language))
        # A wrapping label asks for its height at its narrowest: bound that width, or the
        # window grows to fit a column of single characters.
        hint.setMinimumWidth(theme.key_px * 6)
        row.addWidget(hint, 2)
        layout.addLayout(row)

    def _turn(self, page: int) -> None:
        self._page = page
        view = self.session.view
        self.session.touch()
        theme = Theme.for_mode(view.elderly, height=self.window().height())
        self.show_view(view, theme)

    def _confirm(self, layout: QVBoxLayout, view: View, draft: FilingDraft) -> None:
        language = view.language
        self.title(layout, "filing_request.confirm.title", view)
        if draft.kind is None or draft.province is None or draft.city is None:
            return
        kind = filing_type_label(draft.kind, language)
        place = {"province": draft.province.name, "city": draft.city.name}
        lines = [
            text("filing_request.confirm.kind", language, kind=kind),
            text("filing_request.confirm.place", language, **place),
        ]
        if draft.start is not None and draft.until is not None:
            lines.append(
                text(
                    "filing_request.confirm.dates",
                    language,
                    start=date_text(draft.start),
                    until=date_text(draft.until),
                    days=draft.days,
                )
            )
        for line in lines:
            layout.addWidget(label(line))
        if draft.refused is not None:
            refused = text(f"filing_request.refused.{draft.refused}", language)
            layout.addWidget(label(refused, role="warning"))
        layout.addWidget(label(text("filing_request.confirm.note", language), role="muted"))


def _choice_words(draft: FilingDraft, value: str, language: str) -> str:
    if draft.step is FilingStep.CITY and draft.province is not None:
        return next(c.name for c in draft.province.cities if c.code == value)
    if draft.step is FilingStep.START:
        days = int(value)
        day = date_text(draft.today + timedelta(days=days))
        if days == 0:
            return text("filing_request.start.today", language, day=day)
        return text("filing_request.start.later", language, days=days, day=day)
    if draft.step is FilingStep.LENGTH:
        return text("filing_request.length.days", language, days=value)
    return value  # a province: its name


class FilingRequestedScreen(Screen):
    def build(self, layout: QVBoxLayout, view: View, theme: Theme) -> None:
        request = view.filing_request
        if request is None:
            return
        language = view.language
        self.set_heading("filing_request.heading", view)
        self.title(layout, "filing_request.done.title", view)
        number = text("filing_request.done.number", language, number=request.request_no)
        layout.addWidget(label(number, role="title"))
        kind = filing_type_label(request.filing_type, language)
        layout.addWidget(label(text("filing_request.confirm.kind", language, kind=kind)))
        place = {"province": request.province, "city": request.region_name}
        layout.addWidget(label(text("filing_request.confirm.place", language, **place)))
        days = (request.valid_until - request.valid_from).days + 1
        dates = {
            "start": date_text(request.valid_from),
            "until": date_text(request.valid_until),
            "days": days,
        }
        layout.addWidget(label(text("filing_request.confirm.dates", language, **dates)))
        layout.addWidget(label(text("filing_request.done.pending", language)))
        if view.slip_printed:
            layout.addWidget(label(text("filing_request.done.printed", language)))
        if view.slip_failed:
            failed = text("filing_request.done.slip_failed", language)
            layout.addWidget(label(failed, role="warning"))
        if view.problem is not None:  # one slip too many today
            layout.addWidget(label(view.problem.message(language), role="warning"))
        layout.addStretch(1)
        row = QHBoxLayout()
        done = view.slip_printed or view.slip_failed or view.problem is not None
        printable = not done and view.busy is not Busy.PRINTING
        if printable:
            words = text("filing_request.done.print", language)
            row.addWidget(button(words, self.session.print_filing_slip), 1)
        filings: Callable[[], None] = partial(self.session.show, State.FILINGS)
        words = text("filing_request.done.filings", language)
        row.addWidget(button(words, filings, "secondary"), 1)
        row.addWidget(button(text("button.finish", language), self.session.finish, "secondary"), 1)
        layout.addLayout(row)

"""What each screen says when it appears: its prompt and its key facts, in the view's language.

One function per screen, with the facts ui/screens/*.py shows, worded for the ear from the
`speech` catalogue (kiosk.speech.words): money and dates already in words, codes (hotlines,
report numbers) digit by digit. Never in a spoken text: a PIN digit (the pad's keys sound
one tone, kiosk.speech.render.key_tone_wav), a citizen ID, a card number; a name only as the
screen shows it, masked. The maintenance screen says its title and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.domain import AccountSummary
from kiosk.session.view import Busy, PinChangeStep, ProblemKind, State, View
from kiosk.speech import requests
from kiosk.speech.lists import LISTS
from kiosk.speech.reading import (
    codes_apart,
    date_words,
    money_words,
    year_words,
    zh_number,
)
from kiosk.speech.rows import join, spoken_name, spoken_row
from kiosk.speech.words import words

__all__ = ["spoken_busy", "spoken_idle_warning", "spoken_row", "spoken_text"]

STEP_NUMBERS = {PinChangeStep.OLD: 1, PinChangeStep.NEW: 2, PinChangeStep.REPEAT: 3}
_OWN_PROGRESS = frozenset({State.READING, State.PRINTING})  # a busy they show themselves


def spoken_text(view: View, *, rows: bool = True) -> str:
    """The words the screen for `view` says when it appears. A list screen reads the rows
    on its page; with `rows=False` only its heading and how many rows there are, for a UI
    that reads each row as it is focused (`spoken_row`)."""
    language = view.language
    if view.busy is not None and view.state in _OWN_PROGRESS and view.problem is None:
        return spoken_busy(view.busy, language)
    if view.state in LISTS:
        said = join(LISTS[view.state](view).parts(rows, language), language)
    else:
        said = _SCREENS[view.state](view, language)
    return codes_apart(said, language)


def spoken_busy(busy: Busy, language: str) -> str:
    """A wait in words (the window's busy banner, the reading and printing screens)."""
    return words(f"busy.{busy.value}", language)


def spoken_idle_warning(seconds: int, language: str) -> str:
    """The "are you still there?" countdown, said once when it appears."""
    return words("idle.warning", language, seconds=seconds)


def _idle(view: View, language: str) -> str:
    invite = words("idle.invite", language)
    return f"{words('idle.card_pulled', language)}{invite}" if view.card_pulled else invite


def _reading(view: View, language: str) -> str:
    return spoken_busy(view.busy or Busy.READING_CARD, language)


def _pin(view: View, language: str) -> str:
    parts = [words("pin.title", language)]
    tries = view.pin_tries_left
    if tries is not None:
        parts.append(words("pin.wrong" if view.pin_wrong else "pin.tries", language, tries=tries))
    parts.append(words("pin.hint", language))
    return join(parts, language)


def _overview(view: View, language: str) -> str:
    """The overview as shown: in large text its first page (the balance) or its second
    ("more services"), as ui/screens/overview.py splits them; in normal text all of it."""
    summary = view.summary
    if summary is None:
        return ""
    if view.elderly and view.overview_more:
        parts = [words("overview.more", language)]
        if view.certificate_printed:
            parts.append(words("overview.certificate_printed", language))
        parts += _overview_secondary(summary, language)
        parts.append(words("overview.choices.more", language))
        return join(parts, language)
    quota = summary.quota
    parts = [
        words("overview.greeting", language, name=spoken_name(view.display_name, language)),
        words("overview.balance", language, balance=money_words(summary.balance, language)),
        words(
            "overview.quota",
            language,
            year=year_words(quota.year, language),
            left=money_words(quota.left, language),
            used=money_words(quota.used, language),
        ),
    ]
    if not view.elderly:
        parts += _overview_secondary(summary, language)
        if view.certificate_printed:
            parts.append(words("overview.certificate_printed", language))
    if view.loss_lifted:
        parts.append(words("overview.loss_lifted", language))
    if summary.flagged_count:
        parts.append(words("overview.flagged", language, count=summary.flagged_count))
    parts.append(words("overview.choices.first" if view.elderly else "overview.choices", language))
    return join(parts, language)


def _overview_secondary(summary: AccountSummary, language: str) -> list[str]:
    """The last contribution and a filing in force."""
    parts = []
    last = summary.last_contribution
    if last is not None:
        period = date_words(last.period, language, "month")
        amount = money_words(last.to_personal_account, language)
        parts.append(words("overview.last_contribution", language, period=period, amount=amount))
    else:
        parts.append(words("overview.no_contribution", language))
    if summary.active_filing is not None:
        filing = summary.active_filing
        until = (
            date_words(filing.valid_until, language)
            if filing.valid_until
            else words("filing.open", language)
        )
        parts.append(words("overview.filing", language, region=filing.region_name, until=until))
    return parts


def _annual(view: View, language: str) -> str:
    statement = view.annual
    if statement is None:
        return ""
    figures = {
        "opening": money_words(statement.opening_balance, language),
        "into": money_words(statement.total_in, language),
        "out": money_words(statement.total_out, language),
        "closing": money_words(statement.closing_balance, language),
    }
    family = {
        "out": money_words(statement.family_aid_out, language),
        "into": money_words(statement.family_aid_in, language),
    }
    parts = [
        words("annual.title", language, year=year_words(statement.year, language)),
        words("annual.figures", language, **figures),
        words("annual.family", language, **family),
    ]
    if statement.carried_over:
        carried = money_words(statement.carried_over, language)
        parts.append(words("annual.carried", language, amount=carried))
    months = statement.spending_by_month
    if months and max(months) > 0:
        highest = months.index(max(months)) + 1
        month = zh_number(highest) if language == "zh" else str(highest)
        amount = money_words(max(months), language)
        parts.append(words("annual.highest", language, month=month, amount=amount))
    return join(parts, language)


def _printing(view: View, language: str) -> str:
    problem = view.problem
    if problem is None:
        return spoken_busy(Busy.PRINTING, language)
    title = "printing.limit" if problem.kind is ProblemKind.SLIP_LIMIT else "printing.problem"
    parts = [words(title, language), problem.message(language), words("printing.choices", language)]
    return join(parts, language)


def _take_card(view: View, language: str) -> str:
    parts = [words("take_card.again" if view.take_card_reminders else "take_card.title", language)]
    if view.printed:
        parts.append(words("take_card.printed", language))
    parts.append(words("take_card.body", language))
    return join(parts, language)


def _problem(title: str) -> Callable[[View, str], str]:
    def say(view: View, language: str) -> str:
        parts = [words(title, language)]
        if view.problem is not None:
            parts.append(view.problem.message(language))
        parts.append(words("problem.where", language))
        return join(parts, language)

    return say


def _maintenance_pin(view: View, language: str) -> str:
    parts = [words("maintenance_pin.title", language)]
    if view.admin_pin_wrong:
        parts.append(words("maintenance_pin.wrong", language))
    if view.admin_pin_locked_seconds:
        minutes, seconds = divmod(view.admin_pin_locked_seconds, 60)
        parts.append(words("maintenance_pin.locked", language, minutes=minutes, seconds=seconds))
    return join(parts, language)


def _maintenance(view: View, language: str) -> str:
    return words("maintenance.title", language)  # health is for the operator's eyes


def _change_pin(view: View, language: str) -> str:
    step = view.pin_change_step or PinChangeStep.OLD
    parts = [
        words("pin_change.step", language, step=STEP_NUMBERS[step]),
        words(f"pin_change.title.{step.value}", language),
    ]
    if view.pin_wrong and view.pin_tries_left is not None:
        parts.append(words("pin_change.old_wrong", language, tries=view.pin_tries_left))
    if view.pin_change_refused is not None:
        parts.append(words(f"pin_change.weak.{view.pin_change_refused.value}", language))
    if step is PinChangeStep.NEW:
        parts.append(words("pin_change.rules", language))
    parts.append(words("pin.hint", language))
    return join(parts, language)


def _pin_changed(view: View, language: str) -> str:
    return words("pin_changed", language)


_SCREENS: dict[State, Callable[[View, str], str]] = {
    State.IDLE: _idle,
    State.READING: _reading,
    State.PIN_ENTRY: _pin,
    State.OVERVIEW: _overview,
    State.ANNUAL: _annual,
    State.PRINTING: _printing,
    State.TAKE_CARD: _take_card,
    State.CARD_PROBLEM: _problem("problem.title"),
    State.SERVICE_UNAVAILABLE: _problem("unavailable.title"),
    State.MAINTENANCE_PIN: _maintenance_pin,
    State.MAINTENANCE: _maintenance,
    State.CHANGE_PIN: _change_pin,
    State.PIN_CHANGED: _pin_changed,
    State.LOSS_ID: requests.loss_id,
    State.LOSS_PASSWORD: requests.loss_password,
    State.LOSS_REPORTED: requests.loss_reported,
    State.FILING_FORM: requests.filing_form,
    State.FILING_REQUESTED: requests.filing_requested,
}

"""The citizen requests, spoken: the loss report without the card (citizen ID, service
password, the report) and the remote-care filing request (one choice a screen, a last look,
the request sent). Never the ID or the password typed: only what the store answered."""

from __future__ import annotations

from datetime import date

from kiosk.domain import FilingType
from kiosk.session.filing_draft import FilingStep
from kiosk.session.view import View
from kiosk.speech.reading import date_words, digits_apart, time_words
from kiosk.speech.rows import join, spoken_name
from kiosk.speech.words import words
from kiosk.words import filing_type_label, text

FILING_STEPS = {step: index + 1 for index, step in enumerate(FilingStep)}


def loss_id(view: View, language: str) -> str:
    return words("loss.id", language)


def loss_password(view: View, language: str) -> str:
    parts = [words("loss.password.title", language)]
    locked = view.loss_locked_until
    if locked is not None:
        until = f"{date_words(locked.date(), language)} {time_words(locked, language)}"
        parts.append(words("loss.password.locked", language, until=until))
    elif view.loss_refused is not None:
        parts.append(words(f"loss.refused.{view.loss_refused}", language))
    elif view.loss_password_tries_left is not None:
        tries = view.loss_password_tries_left
        parts.append(words("loss.password.wrong", language, tries=tries))
    parts.append(words("loss.password.hint", language))
    return join(parts, language)


def loss_reported(view: View, language: str) -> str:
    report = view.loss_report
    if report is None:
        return ""
    parts = [
        words("loss.done", language, name=spoken_name(report.masked_name, language)),
        words("loss.done.number", language, number=digits_apart(str(report.report_no), language)),
        words("loss.done.until", language, until=date_words(report.expires_at.date(), language)),
    ]
    if view.slip_failed:
        parts.append(words("loss.done.slip_failed", language))
    return join(parts, language)


def filing_form(view: View, language: str) -> str:
    draft = view.filing_draft
    if draft is None:
        return ""
    step = draft.step
    parts = [words("filing_request.step", language, step=FILING_STEPS[step])]
    if step is FilingStep.KIND:
        parts.append(words("filing_request.kind", language))
        for kind in (FilingType(value) for value in draft.choices()):
            hint = text(f"filing_request.kind.{kind.value}.hint", language)
            label = filing_type_label(kind, language)
            parts.append(words("filing_request.choice", language, choice=label, hint=hint))
    elif step is FilingStep.CITY and draft.province is not None:
        parts.append(words("filing_request.city", language, province=draft.province.name))
    elif step is not FilingStep.CONFIRM:
        parts.append(words(f"filing_request.{step.value}", language))
    else:
        parts.append(words("filing_request.confirm", language))
        if draft.kind is not None and draft.province is not None and draft.city is not None:
            parts.extend(_filing_facts(language, draft.kind, draft.province.name, draft.city.name))
        if draft.start is not None and draft.until is not None and draft.days is not None:
            parts.append(_filing_dates(language, draft.start, draft.until, draft.days))
        if draft.refused is not None:
            parts.append(words(f"filing_request.refused.{draft.refused}", language))
        parts.append(words("filing_request.confirm.note", language))
    return join(parts, language)


def _filing_facts(language: str, kind: FilingType, province: str, city: str) -> list[str]:
    return [
        words("filing_request.facts.kind", language, kind=filing_type_label(kind, language)),
        words("filing_request.facts.place", language, province=province, city=city),
    ]


def _filing_dates(language: str, start: date, until: date, days: int) -> str:
    return words(
        "filing_request.facts.dates",
        language,
        start=date_words(start, language),
        until=date_words(until, language),
        days=days,
    )


def filing_requested(view: View, language: str) -> str:
    request = view.filing_request
    if request is None:
        return ""
    number = digits_apart(str(request.request_no), language)
    days = (request.valid_until - request.valid_from).days + 1
    parts = [
        words("filing_request.done", language, number=number),
        *_filing_facts(language, request.filing_type, request.province, request.region_name),
        _filing_dates(language, request.valid_from, request.valid_until, days),
        words("filing_request.done.pending", language),
    ]
    if view.slip_printed:
        parts.append(words("filing_request.done.printed", language))
    if view.slip_failed:
        parts.append(words("filing_request.done.slip_failed", language))
    if view.problem is not None:  # one slip too many today
        parts.append(view.problem.message(language))
    return join(parts, language)

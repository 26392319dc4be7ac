"""One row of a list, spoken: a history entry, a contribution, a family binding, a filing or
a charge to check, with the facts its row on screen shows (ui/screens/*.py)."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.domain import (
    Contribution,
    FamilyBinding,
    FlaggedCharge,
    FlagReason,
    LedgerEntry,
    LedgerKind,
    RemoteFiling,
)
from kiosk.speech.reading import date_words, money_words, time_words
from kiosk.speech.words import words
from kiosk.words import (
    filing_status_label,
    filing_type_label,
    flag_label,
    kind_label,
    relation_label,
    text,
)

Row = LedgerEntry | Contribution | FamilyBinding | RemoteFiling | FlaggedCharge


def join(parts: Iterable[str], language: str) -> str:
    """Sentences one after the other: Chinese ones end in 。 already, English need a space."""
    return ("" if language == "zh" else " ").join(part for part in parts if part)


def spoken_name(name: str, language: str) -> str:
    """A name as the screen shows it, for the ear: the mask's * is said 某 (张某伟), never
    "asterisk"; the English voice cannot read Chinese characters, so its words leave it out."""
    return name.replace("*", "某") if language == "zh" else ""


def spoken_row(item: Row, language: str) -> str:
    """The row the person has focused, read out in full."""
    if isinstance(item, LedgerEntry):
        return entry_words(item, item.flags, language)
    if isinstance(item, FlaggedCharge):
        return entry_words(item.entry, item.reasons, language)
    if isinstance(item, Contribution):
        return contribution_words(item, language)
    if isinstance(item, FamilyBinding):
        return binding_words(item, language)
    return filing_words(item, language)


def entry_words(entry: LedgerEntry, flags: tuple[FlagReason, ...], language: str) -> str:
    when = f"{date_words(entry.posted_at.date(), language)} {time_words(entry.posted_at, language)}"
    # A counterpart is a person (family aid), shown masked: said as a name is.
    where = entry.institution_name or spoken_name(entry.counterpart or "", language)
    direction = "history.row.out" if entry.amount < 0 else "history.row.in"
    kind = kind_label(entry.kind, language)
    parts = [
        words("history.row.at", language, when=when, kind=kind, where=where)
        if where
        else words("history.row", language, when=when, kind=kind),
        words(
            direction,
            language,
            amount=money_words(entry.amount, language),
            balance=money_words(entry.balance_after, language),
        ),
    ]
    if flags:
        separator = text("list.separator", language)
        why = separator.join(flag_label(reason, language) for reason in flags)
        parts.append(words("history.row.flagged", language, reasons=why))
    return join(parts, language)


def contribution_words(item: Contribution, language: str) -> str:
    parts = [
        words(
            "contributions.row",
            language,
            period=date_words(item.period, language, "month"),
            amount=money_words(item.to_personal_account, language),
        )
    ]
    if item.base or item.employee or item.employer:
        paid = {
            "base": money_words(item.base, language),
            "employee": money_words(item.employee, language),
            "employer": money_words(item.employer, language),
        }
        parts.append(words("contributions.row.paid", language, **paid))
    else:  # a retiree pays nothing: the month's money is the pension fund's allocation
        kind = kind_label(LedgerKind.RETIREE_ALLOCATION, language)
        parts.append(words("contributions.row.allocation", language, kind=kind))
    if item.arrived_at:
        arrived = date_words(item.arrived_at.date(), language)
        parts.append(words("contributions.arrived", language, date=arrived))
    else:
        parts.append(words("contributions.pending", language))
    return join(parts, language)


def binding_words(binding: FamilyBinding, language: str) -> str:
    key = "family.payer" if binding.direction == "payer" else "family.beneficiary"
    name = spoken_name(binding.counterpart_name, language)
    relation = relation_label(binding.relation, language)
    since = {
        "since": date_words(binding.since, language),
        "amount": money_words(binding.transferred_this_year, language),
    }
    return join(
        [
            words(key, language, name=name, relation=relation),
            words("family.since", language, **since),
        ],
        language,
    )


def filing_words(filing: RemoteFiling, language: str) -> str:
    until = (
        date_words(filing.valid_until, language)
        if filing.valid_until
        else words("filing.open", language)
    )
    row = {
        "type": filing_type_label(filing.filing_type, language),
        "region": filing.region_name,
        "status": filing_status_label(filing.status, language),
    }
    valid = {"start": date_words(filing.valid_from, language), "until": until}
    return join(
        [words("filings.row", language, **row), words("filings.valid", language, **valid)],
        language,
    )

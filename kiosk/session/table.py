"""The session's flow as data: for every state, what a person may do there, how long it may
last and what the timeout does, and what a card event does.

`Session` looks every decision up here, so this table is the flow; docs/architecture.md
prints it (`kiosk.session.table.as_markdown`), and a test walks it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.session.view import State


class Intent(enum.Enum):
    """Something the person (or the operator) asks for."""

    ENTER_PIN = "enter the card PIN"
    OPEN_SCREEN = "open an account screen or a history page"
    PRINT = "print a receipt"
    CHANGE_PIN = "change the card PIN (old, new, new again)"
    REPORT_LOSS = "report a lost card without it (citizen ID, service password), print its slip"
    REQUEST_FILING = "request a remote-care filing (kind, place, dates), print its slip"
    LIFT_LOSS = "lift the card's temporary loss report (I found my card), with the PIN"
    FINISH = "finish (take the card)"
    OPEN_MAINTENANCE = "open maintenance (long press)"
    ENTER_ADMIN_PIN = "enter the maintenance PIN"
    MAINTAIN = "refresh health, paper refilled, exit the kiosk"
    LEAVE_MAINTENANCE = "leave maintenance"


class Timeout(enum.Enum):
    """Which of kiosk.toml's [timeouts] bounds the state, and so what ends it."""

    IDLE = "idle_seconds, then the idle_warning_seconds countdown"
    PIN = "pin_entry_seconds, then the idle_warning_seconds countdown"
    READ = "card_read_seconds (or the failing-card back-off, then the read)"
    REMINDER = "take_card_reminder_seconds, repeating"
    NONE = "none"


class OnTimeout(enum.Enum):
    END_SESSION = "ask for the card back (take-card screen), forgetting the person"
    START_SCREEN = "back to the start screen"
    READ_FAILED = "the card-problem screen: reading took too long"
    REMIND = "say 'please take your card' again"
    NOTHING = "nothing"


class OnCardIn(enum.Enum):
    READ = "read it, unless a card is in already"
    IGNORE = "ignored"


class OnCardOut(enum.Enum):
    WIPE = "forget the person, start screen"
    STAY = "stay (no person's data here)"


ALL_STATES_INTENTS = "the language, large text, more time and any tap are accepted"
BUSY_BOUNDS = (
    "reading the card by card_read_seconds, checking the PIN, loading a screen and the "
    "admin PIN by busy_seconds (15 s), printing by print_seconds (60 s); past its bound a "
    "wait ends in the screen its part failing would have (card not responding, service "
    "unavailable, printer problem) and a late answer is dropped"
)


@dataclass(frozen=True)
class Rule:
    intents: frozenset[Intent]
    timeout: Timeout
    on_timeout: OnTimeout
    card_in: OnCardIn = OnCardIn.READ  # when no card is in already
    card_out: OnCardOut = OnCardOut.WIPE
    no_timeout_because: str = ""  # required when timeout is NONE
    holds_while_no_reader: bool = False  # the timeout waits until a reader is back
    warns_before_timeout: bool = True  # the idle countdown shows before the timeout acts


_ACCOUNT = frozenset({Intent.OPEN_SCREEN, Intent.PRINT, Intent.FINISH})
_ACCOUNT_RULE = Rule(_ACCOUNT, Timeout.IDLE, OnTimeout.END_SESSION)
_CHANGING_PIN = frozenset({Intent.CHANGE_PIN, Intent.OPEN_SCREEN, Intent.FINISH})
_REQUESTING_FILING = frozenset({Intent.REQUEST_FILING, Intent.OPEN_SCREEN, Intent.FINISH})
_REPORTING_LOSS = frozenset({Intent.REPORT_LOSS, Intent.FINISH})
_LOSS_ENTRY_RULE = Rule(
    _REPORTING_LOSS, Timeout.PIN, OnTimeout.START_SCREEN, card_out=OnCardOut.STAY
)

TABLE: dict[State, Rule] = {
    State.IDLE: Rule(
        frozenset({Intent.OPEN_MAINTENANCE, Intent.REPORT_LOSS}), Timeout.NONE, OnTimeout.NOTHING,
        no_timeout_because="the start screen waits for a card; nobody's data is on it",
    ),
    State.READING: Rule(frozenset(), Timeout.READ, OnTimeout.READ_FAILED),
    State.PIN_ENTRY: Rule(
        frozenset({Intent.ENTER_PIN, Intent.FINISH}), Timeout.PIN, OnTimeout.END_SESSION
    ),
    State.OVERVIEW: Rule(_ACCOUNT | {Intent.CHANGE_PIN}, Timeout.IDLE, OnTimeout.END_SESSION),
    State.HISTORY: _ACCOUNT_RULE,
    State.CONTRIBUTIONS: _ACCOUNT_RULE,
    State.ANNUAL: _ACCOUNT_RULE,
    State.FAMILY_AID: _ACCOUNT_RULE,
    State.FILINGS: Rule(
        _ACCOUNT | {Intent.REQUEST_FILING}, Timeout.IDLE, OnTimeout.END_SESSION
    ),
    State.FILING_FORM: Rule(_REQUESTING_FILING, Timeout.IDLE, OnTimeout.END_SESSION),
    State.FILING_REQUESTED: Rule(_REQUESTING_FILING, Timeout.IDLE, OnTimeout.END_SESSION),
    State.FLAGGED: _ACCOUNT_RULE,
    # A print in progress accepts nothing (busy); its problem screen offers the account again.
    State.PRINTING: _ACCOUNT_RULE,
    # The PIN change's pad is bounded like the PIN pad; its back button opens the overview.
    State.CHANGE_PIN: Rule(_CHANGING_PIN, Timeout.PIN, OnTimeout.END_SESSION),
    State.PIN_CHANGED: _ACCOUNT_RULE,
    State.TAKE_CARD: Rule(frozenset(), Timeout.REMINDER, OnTimeout.REMIND),
    State.CARD_PROBLEM: Rule(
        frozenset({Intent.FINISH, Intent.LIFT_LOSS}), Timeout.IDLE, OnTimeout.END_SESSION,
        warns_before_timeout=False,
    ),
    # The loss report: no card, so nothing to give back; a card put in starts its own session.
    State.LOSS_ID: _LOSS_ENTRY_RULE,
    State.LOSS_PASSWORD: _LOSS_ENTRY_RULE,
    State.LOSS_REPORTED: Rule(
        _REPORTING_LOSS, Timeout.IDLE, OnTimeout.START_SCREEN, card_out=OnCardOut.STAY
    ),
    State.SERVICE_UNAVAILABLE: Rule(
        frozenset({Intent.FINISH}), Timeout.IDLE, OnTimeout.END_SESSION,
        holds_while_no_reader=True, warns_before_timeout=False,
    ),
    State.MAINTENANCE_PIN: Rule(
        frozenset({Intent.ENTER_ADMIN_PIN, Intent.LEAVE_MAINTENANCE}), Timeout.PIN,
        OnTimeout.START_SCREEN, card_in=OnCardIn.IGNORE, card_out=OnCardOut.STAY,
    ),
    State.MAINTENANCE: Rule(
        frozenset({Intent.MAINTAIN, Intent.LEAVE_MAINTENANCE}), Timeout.IDLE,
        OnTimeout.START_SCREEN, card_in=OnCardIn.IGNORE, card_out=OnCardOut.STAY,
    ),
}  # fmt: skip


def rule_for(state: State) -> Rule:
    return TABLE[state]


def accepts(state: State, intent: Intent) -> bool:
    return intent in TABLE[state].intents


def as_markdown() -> str:
    """The table for docs/architecture.md, generated so the document cannot drift."""
    lines = [
        "| state | accepts | bounded by | when it runs out | card in | card out |",
        "|---|---|---|---|---|---|",
    ]
    for state, rule in TABLE.items():
        intents = ", ".join(i.value for i in sorted(rule.intents, key=lambda i: i.name)) or "-"
        bound = rule.timeout.value
        if rule.timeout is Timeout.NONE:
            bound = f"none: {rule.no_timeout_because}"
        if rule.holds_while_no_reader:
            bound += " (held while no reader is connected)"
        if rule.timeout in (Timeout.IDLE, Timeout.PIN) and not rule.warns_before_timeout:
            bound = bound.split(",")[0] + ", no countdown over the problem's words"
        lines.append(
            f"| {state.value} | {intents} | {bound} | {rule.on_timeout.value} "
            f"| {rule.card_in.value} | {rule.card_out.value} |"
        )
    lines.append("")
    lines.append(f"In every state {ALL_STATES_INTENTS}; losing every reader (or pcscd) shows")
    lines.append("the reader-unavailable screen, except in maintenance. Every wait on screen is")
    lines.append(f"bounded as well: {BUSY_BOUNDS}.")
    return "\n".join(lines) + "\n"

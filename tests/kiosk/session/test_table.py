"""The state table is the flow: every state has a bound (or a reason not to), and the session
does what the table says when that bound runs out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.session.document import with_table
from kiosk.session.table import (
    TABLE,
    Intent,
    OnTimeout,
    Timeout,
    accepts,
    as_markdown,
)
from kiosk.session.view import State
from tests.kiosk.session.harness import SETTINGS, Kiosk
from tests.session_kit import PINS


def test_every_state_has_a_rule() -> None:
    assert set(TABLE) == set(State)


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_every_state_has_a_timeout_or_says_why_not(state: State) -> None:
    rule = TABLE[state]
    if rule.timeout is Timeout.NONE:
        assert rule.no_timeout_because, f"{state.value} has no timeout and no reason"
        assert rule.on_timeout is OnTimeout.NOTHING
    else:
        assert rule.on_timeout is not OnTimeout.NOTHING
        assert not rule.no_timeout_because


def test_every_intent_is_accepted_somewhere_and_nothing_personal_at_the_start() -> None:
    for intent in Intent:
        assert any(intent in rule.intents for rule in TABLE.values()), intent
    assert not accepts(State.IDLE, Intent.OPEN_SCREEN)
    assert not accepts(State.IDLE, Intent.PRINT)
    assert not accepts(State.READING, Intent.ENTER_PIN)
    assert not accepts(State.MAINTENANCE, Intent.OPEN_SCREEN)


def test_the_table_prints_for_the_architecture_document() -> None:
    text = as_markdown()
    for state in State:
        assert f"| {state.value} |" in text


def _pin_entry(kiosk: Kiosk) -> None:
    kiosk.insert("zhang-wei")


def _signed_in(state: State) -> Callable[[Kiosk], None]:
    def reach(kiosk: Kiosk) -> None:
        kiosk.signed_in()
        if state is not State.OVERVIEW:
            kiosk.session.show(state)

    return reach


def _card_problem(kiosk: Kiosk) -> None:
    kiosk.insert("blocked-pin")


def _maintenance_pin(kiosk: Kiosk) -> None:
    kiosk.session.open_maintenance()


def _maintenance(kiosk: Kiosk) -> None:
    kiosk.session.open_maintenance()
    kiosk.session.submit_admin_pin(bytearray(b"246810"))


REACH: dict[State, Callable[[Kiosk], None]] = {
    State.PIN_ENTRY: _pin_entry,
    **{s: _signed_in(s) for s in (State.OVERVIEW, State.HISTORY, State.CONTRIBUTIONS,
                                  State.ANNUAL, State.FAMILY_AID, State.FILINGS, State.FLAGGED)},
    State.CARD_PROBLEM: _card_problem,
    State.MAINTENANCE_PIN: _maintenance_pin,
    State.MAINTENANCE: _maintenance,
}  # fmt: skip
AFTER = {OnTimeout.END_SESSION: State.TAKE_CARD, OnTimeout.START_SCREEN: State.IDLE}


@pytest.mark.parametrize("state", list(REACH), ids=lambda s: s.value)
def test_when_a_states_bound_runs_out_the_session_does_what_the_table_says(
    kiosk: Kiosk, state: State
) -> None:
    REACH[state](kiosk)
    assert kiosk.view.state is state
    rule = TABLE[state]
    limit = SETTINGS.pin_entry_seconds if rule.timeout is Timeout.PIN else SETTINGS.idle_seconds
    kiosk.clock.advance(limit - 1)
    kiosk.session.tick()
    assert kiosk.view.state is state  # not yet
    kiosk.clock.advance(1 + SETTINGS.idle_warning_seconds)
    kiosk.session.tick()
    assert kiosk.view.state is AFTER[rule.on_timeout]
    assert not kiosk.view.has_personal_data


def test_the_take_card_screen_reminds_and_the_pin_pad_takes_a_pin(kiosk: Kiosk) -> None:
    assert TABLE[State.TAKE_CARD].on_timeout is OnTimeout.REMIND
    kiosk.insert("zhang-wei")
    kiosk.pin(PINS["zhang-wei"])
    kiosk.session.finish()
    kiosk.clock.advance(SETTINGS.take_card_reminder_seconds)
    kiosk.session.tick()
    assert kiosk.view.take_card_reminders == 1


def test_the_architecture_document_shows_the_table_as_it_is() -> None:
    document = (Path(__file__).resolve().parents[3] / "docs" / "architecture.md").read_text(
        encoding="utf-8"
    )
    assert with_table(document) == document, (
        "run: python -m kiosk.session.document docs/architecture.md"
    )

"""The session section's figures, each beside the card's own APDU time in it (its floor).

The floor of a step is what the card itself took during it, transmit by transmit through
pcscd, as the same session measured it: before the PIN pad the SELECT and the tries probe,
after OK the VERIFY, up to the balance every APDU of the session. On loopback (0.1 ms an
APDU) the ratio shows what the kiosk adds; at 40 ms an APDU, how near a real reader's
time the person waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench.figures import Figure, Goal, distribution, single
from bench.stats import summarise

if TYPE_CHECKING:
    from bench.session import Samples

GOAL_PIN_TO_OVERVIEW_P95_MS = 150.0
GOAL_EVENT_TO_PIN_AT_40_MS = 150.0
GOAL_START_TO_ATTRACT_MS = 1500.0
BEFORE_PIN = "the card's APDUs before the PIN pad (SELECT, tries), their transmit time"


def step_figures(samples: Samples, delay_ms: int = 0) -> dict[str, Figure]:
    """Card event to PIN pad, OK to balance, card event to balance, beside their floors."""
    verify = summarise(samples.verify)
    pin_goal = GOAL_PIN_TO_OVERVIEW_P95_MS + verify["p95"]
    event_goal = GOAL_EVENT_TO_PIN_AT_40_MS if delay_ms == 40 else None
    insert_floor = [a + b for a, b in zip(samples.insert_to_event, samples.transmit_before_pin,
                                          strict=True)]  # fmt: skip
    figures = {
        "card_event_to_pin_ms": distribution(
            samples.event_to_pin,
            floor=samples.transmit_before_pin,
            floor_of=BEFORE_PIN,
            stat="p95",
            goal=Goal(below=event_goal) if event_goal else None,
        ),
        "pin_to_overview_ms": distribution(
            samples.pin_to_overview,
            floor=samples.verify,
            floor_of="the VERIFY APDU's own transmit time",
            stat="p95",
            goal=Goal(below=round(pin_goal, 3)) if not delay_ms else None,
        ),
        "card_event_to_balance_ms": distribution(
            samples.event_to_balance,
            floor=samples.transmit_to_balance,
            floor_of="every APDU of the session (the read, VERIFY), their transmit time",
            stat="p95",
        ),
        "failed_sessions": single(samples.failed, unit="count", goal=Goal(at_most=0)),
        # Issue 13: only SELECT and the tries probe before the pad.
        "apdus_before_pin_pad": single(
            max(samples.apdus_before_pin, default=0), unit="count", goal=Goal(at_most=2)
        ),
    }
    if not delay_ms:
        figures["insert_to_pin_ms"] = distribution(
            samples.insert_to_pin,
            floor=insert_floor,
            floor_of="pcscd noticing the card (it polls vpcd) + " + BEFORE_PIN,
            stat="p95",
        )
    return figures


def details(samples: Samples, delay_ms: int = 0) -> dict[str, Any]:
    """What docs/benchmarks.md quotes beside the figures: the counts and every summary."""
    found: dict[str, Any] = {
        "sessions": len(samples.pin_to_overview),
        "failed_sessions": samples.failed,
        "apdus_before_pin_pad": max(samples.apdus_before_pin, default=0),
        "card_event_to_pin_ms": summarise(samples.event_to_pin),
        "card_event_to_balance_ms": summarise(samples.event_to_balance),
        "pin_to_overview_ms": summarise(samples.pin_to_overview),
        "verify_apdu_ms": summarise(samples.verify),
        "transmit_before_pin_ms": summarise(samples.transmit_before_pin),
        "transmit_to_balance_ms": summarise(samples.transmit_to_balance),
    }
    if delay_ms:
        found["apdu_delay_ms"] = delay_ms
    else:
        found["insert_to_pin_ms"] = summarise(samples.insert_to_pin)
        found["insert_to_card_event_ms"] = summarise(samples.insert_to_event)
        found["pin_to_overview_goal_p95_ms"] = round(
            GOAL_PIN_TO_OVERVIEW_P95_MS + summarise(samples.verify)["p95"], 3
        )
    return found


def start_figure(kiosk_ms: list[float], bare_ms: list[float]) -> Figure:
    from bench.startup import BARE_WINDOW

    return distribution(
        kiosk_ms,
        floor=bare_ms,
        floor_of=BARE_WINDOW,
        stat="p95",
        goal=Goal(below=GOAL_START_TO_ATTRACT_MS),
        digits=1,
    )

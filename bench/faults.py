"""faults section: a card that stops answering at every APDU position of a session.

Through a real pcscd + vpcd, a card is made mute from APDU number N on (N = 0 .. every APDU
of a healthy session, the last position being after the PIN check, where the receipt is
printed). For each N the drill measures, from the moment the mute APDU reached the card:

- `clear_s`: until the person sees the clear screen ("the card is not responding, please
  take your card"); none at the receipt position, where nothing is sent to the card;
- `next_pin_pad_s`: until the next person's card, put into the SAME reader as soon as the
  first was pulled (pcscd needs the slot empty for about a second), shows its PIN pad: the
  reader recovered without restarting the kiosk.

Goals (issue 15): clear screen under 10 s, next PIN pad under 12 s, at every position.
Floors: the clear screen cannot come before the APDU deadline (`card_command_seconds`);
the next PIN pad not before the deadline and a healthy card's insert-to-PIN-pad, measured
in the same drill (the slot's second empty for pcscd overlaps the way back to the start).
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import Goal, distribution
from bench.session import private_pcscd
from bench.stats import summarise
from card_reader.backends.pcsc import PcscBackend
from card_reader.simulator import build_card, profile
from card_reader.simulator.card import Faults, SimulatedCard
from kiosk.config import KioskConfig
from kiosk.session.view import ProblemKind, State
from realparts.config import rig_config
from realparts.pcscd import PcscdHarness, VpcdReader
from ui.rig import KioskRig

KEY = "zhang-wei"
NEXT_KEY = "wang-zhe"
GOAL_CLEAR_S = 10.0
GOAL_NEXT_PIN_PAD_S = 12.0
STEP_MS = 20_000
SLOT = 0  # every card goes into the same reader: it must recover, not be sidestepped


@dataclass(frozen=True)
class HangOutcome:
    position: int
    ended_in: State
    problem: ProblemKind | None
    clear_s: float | None  # None: nothing was sent to the card after the hang began
    next_pin_pad_s: float
    next_served: bool  # the next card reached its overview
    words: tuple[str, ...] = ()  # what the screen said when it cleared


class MuteWatch:
    """When the card received the APDU it will never answer (perf_counter), else None."""

    def __init__(self, card: SimulatedCard, position: int) -> None:
        self.at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(card, position), name="mute-watch", daemon=True
        )
        self._thread.start()

    def _watch(self, card: SimulatedCard, position: int) -> None:
        while not self._stop.is_set():
            if card.apdus_seen > position:
                self.at = time.perf_counter()
                return
            time.sleep(0.0005)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)


@dataclass(frozen=True)
class Healthy:
    apdus: int  # a healthy session's, card in to overview
    insert_to_pin_pad_s: float


def session_apdus(rig: KioskRig, vpcd: VpcdReader) -> Healthy:
    """How many APDUs a healthy session sends, card in to overview (then the card is out),
    and how long its PIN pad took to come."""
    card = build_card(profile(KEY))
    vpcd.insert(card, slot=SLOT)
    pin = profile(KEY).pin
    if not rig.wait_until(lambda: rig.showing(State.PIN_ENTRY), STEP_MS):
        raise RuntimeError(f"healthy card: no PIN pad (in {rig.session.view.state})")
    pin_pad_s = time.perf_counter() - vpcd.inserted_at
    rig.type_pin(pin)
    if not rig.wait_until(lambda: rig.showing(State.OVERVIEW), STEP_MS):
        raise RuntimeError(f"healthy card: no overview (in {rig.session.view.state})")
    count = card.apdus_seen
    vpcd.remove()
    rig.wait_until(lambda: rig.showing(State.IDLE), STEP_MS)
    return Healthy(count, pin_pad_s)


def hang_at(rig: KioskRig, vpcd: VpcdReader, position: int) -> HangOutcome:
    """One drill: the card goes mute at APDU `position`; the person types the PIN if the
    pad comes, prints if the overview comes, takes the card when asked; the next person."""
    card = build_card(profile(KEY), Faults(mute_after=position))
    watch = MuteWatch(card, position)
    vpcd.insert(card, slot=SLOT)
    session = rig.session

    def settled() -> bool:
        return any(rig.showing(s) for s in (State.PIN_ENTRY, State.CARD_PROBLEM, State.OVERVIEW))

    try:
        if not rig.wait_until(settled, STEP_MS):
            raise RuntimeError(f"position {position}: stuck in {session.view.state}")
        if rig.showing(State.PIN_ENTRY):
            rig.type_pin(profile(KEY).pin)
            if not rig.wait_until(
                lambda: rig.showing(State.CARD_PROBLEM) or rig.showing(State.OVERVIEW), STEP_MS
            ):
                raise RuntimeError(f"position {position}: stuck in {session.view.state}")
        shown = time.perf_counter()
        if rig.showing(State.OVERVIEW):
            rig.tap_text("nav.print")
            if not rig.wait_until(lambda: rig.showing(State.TAKE_CARD), STEP_MS):
                raise RuntimeError(f"position {position}: receipt stuck in {session.view.state}")
        ended_in, problem = session.view.state, session.view.problem
        words = tuple(rig.visible_texts())
        hung = watch.at
    finally:
        watch.stop()
    vpcd.remove()
    rig.wait_until(lambda: rig.showing(State.IDLE), STEP_MS)
    next_card = build_card(profile(NEXT_KEY))
    vpcd.insert(next_card, slot=SLOT)
    if not rig.wait_until(lambda: rig.showing(State.PIN_ENTRY), STEP_MS):
        raise RuntimeError(f"position {position}: next card stuck in {session.view.state}")
    pin_pad = time.perf_counter()
    rig.type_pin(profile(NEXT_KEY).pin)
    served = rig.wait_until(lambda: rig.showing(State.OVERVIEW), STEP_MS)
    vpcd.remove()
    rig.wait_until(lambda: rig.showing(State.IDLE), STEP_MS)
    start = hung if hung is not None else shown
    return HangOutcome(
        position=position,
        ended_in=ended_in,
        problem=problem.kind if problem else None,
        clear_s=None if hung is None else round(shown - hung, 3),
        next_pin_pad_s=round(pin_pad - start, 3),
        next_served=served,
        words=words,
    )


def faults_rig(folder: Path, store_url: str) -> KioskRig:
    reader = '[reader]\nbackend = "pcsc"\nname_pattern = "Virtual PCD"\n'
    config = rig_config(
        folder,
        store_url,
        kiosk_id="bench-faults",
        printer='kind = "spool"\npaper_roll_mm = 500000',
        extra=reader,
    )
    return KioskRig(config, backend=PcscBackend("Virtual PCD"))


def drill(rig: KioskRig, vpcd: VpcdReader) -> list[HangOutcome]:
    """Every position of a session, after one healthy session has counted them."""
    return timed_drill(rig, vpcd)[0]


def timed_drill(rig: KioskRig, vpcd: VpcdReader) -> tuple[list[HangOutcome], Healthy]:
    """The drill, and the healthy session that counted its positions."""
    rig.wait_until(lambda: rig.showing(State.IDLE), STEP_MS)
    healthy = session_apdus(rig, vpcd)
    return [hang_at(rig, vpcd, position) for position in range(healthy.apdus + 1)], healthy


def run(
    config: KioskConfig, quick: bool, harness: PcscdHarness | None = None, **_: Any
) -> dict[str, Any]:
    del config, quick  # one position takes ~7 s; every position is the figure
    from kiosk.store.seeding import create_store
    from realparts.clock import START

    own = harness is None
    pcscd = private_pcscd() if harness is None else harness
    if own:
        pcscd.start()
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-bench-faults-") as folder:
            url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
            create_store(url, START, persons=0, years=2, seed=7)
            rig = faults_rig(Path(folder), url)
            try:
                outcomes, healthy = timed_drill(rig, VpcdReader(pcscd))
                deadline = rig.config.timeouts.card_command_seconds
            finally:
                rig.close()
    finally:
        if own:
            pcscd.cleanup()
    return figures(outcomes, healthy, deadline) | {
        "tables": [positions_table(outcomes)],
        "details": report(outcomes),
    }


def positions_table(outcomes: list[HangOutcome]) -> dict[str, Any]:
    rows = [
        [o.position, o.ended_in.value, o.problem.value if o.problem else "—",
         "—" if o.clear_s is None else o.clear_s, o.next_pin_pad_s,
         "yes" if o.next_served else "NO"]
        for o in outcomes
    ]  # fmt: skip
    columns = ["mute from APDU", "ended in", "problem", "clear screen (s)", "next PIN pad (s)",
               "next card served"]  # fmt: skip
    return {"title": "Every position", "columns": columns, "rows": rows}


def figures(outcomes: list[HangOutcome], healthy: Healthy, deadline_s: float) -> dict[str, Any]:
    clears = [o.clear_s for o in outcomes if o.clear_s is not None]
    nexts = [o.next_pin_pad_s for o in outcomes]
    return {
        "hung_card_to_clear_screen_s": distribution(
            clears,
            floor=deadline_s,
            floor_of="the APDU deadline (timeouts.card_command_seconds)",
            stat="max",
            goal=Goal(below=GOAL_CLEAR_S),
            unit="s",
        ),
        "hung_card_to_next_pin_pad_s": distribution(
            nexts,
            floor=deadline_s + healthy.insert_to_pin_pad_s,
            floor_of="the deadline + a healthy card's insert to PIN pad (this drill)",
            stat="max",
            goal=Goal(below=GOAL_NEXT_PIN_PAD_S),
            unit="s",
        ),
    }


def report(outcomes: list[HangOutcome]) -> dict[str, Any]:
    clears = [o.clear_s for o in outcomes if o.clear_s is not None]
    nexts = [o.next_pin_pad_s for o in outcomes]
    return {
        "positions": len(outcomes),
        "hung_card_to_clear_screen_s": summarise(clears),
        "hung_card_to_next_pin_pad_s": summarise(nexts),
        "clear_goal_s": GOAL_CLEAR_S,
        "next_pin_pad_goal_s": GOAL_NEXT_PIN_PAD_S,
        "goal_met": bool(clears)
        and max(clears) < GOAL_CLEAR_S
        and max(nexts) < GOAL_NEXT_PIN_PAD_S
        and all(o.next_served for o in outcomes),
        "by_position": [
            {
                "position": o.position,
                "ended_in": o.ended_in.value,
                "problem": o.problem.value if o.problem else None,
                "clear_s": o.clear_s,
                "next_pin_pad_s": o.next_pin_pad_s,
                "next_served": o.next_served,
            }
            for o in outcomes
        ],
    }

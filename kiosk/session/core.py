"""What every part of the session shares: the published View, background jobs that a card
change or a newer screen makes stale, the card in the reader, failures, and audit rows.

One `SessionCore` per kiosk; the flows (reading, accounts, maintenance) and the front class
`Session` all act through it, on the UI thread.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from card_reader.errors import CardRemovedError
from kiosk.backoff import FailingCardBackoff
from kiosk.lanes import Lane, Worker
from kiosk.log import forget_secrets
from kiosk.session.ports import AccountPort, OpenCard
from kiosk.session.settings import SessionSettings
from kiosk.session.slip_allowance import SlipAllowance
from kiosk.session.table import OnCardOut, rule_for
from kiosk.session.view import Busy, Problem, ProblemKind, State, View
from kiosk.session_problems import known_failure, problem_for, problem_of, slip_limit_problem
from kiosk.store.errors import CardNotActive

log = logging.getLogger(__name__)

Listener = Callable[[View], None]
CARD_PULLED_NOTICE_SECONDS = 5.0
BAD_READ_MEMORY_SECONDS = 300.0  # a second bad read within this says "damaged"


@dataclass
class CardEntry:
    """The inserted card while a session uses it; dropped (and closed) on removal.

    `card`, `number`, `region` and `refusal` are set by worker jobs (so a later job in the
    queue sees them at once); the rest on the UI thread."""

    reader: str
    card: OpenCard | None = None
    number: str | None = None
    region: str | None = None  # from the card identification code (EF05 tag 01)
    failed: bool = False  # a wrong PIN or a refusal, and no success since: counts for back-off
    refusal: CardNotActive | None = None  # the store said no before the PIN
    birth_date: date | None = None  # from the citizen ID the chip proved: weak new PINs
    lifting: bool = False  # "I found my card": its temporary loss report is lifted after the PIN
    left_behind: bool = False  # still in the reader after LEFT_BEHIND_REMINDERS reminders


class SessionCore:
    def __init__(
        self,
        accounts: AccountPort,
        worker: Worker,
        settings: SessionSettings,
        *,
        monotonic: Callable[[], float],
        now: Callable[[], datetime],
        backoff: FailingCardBackoff,
    ) -> None:
        self.accounts = accounts
        self.worker = worker
        self.settings = settings
        self.monotonic = monotonic
        self.now = now
        self.backoff = backoff
        self.listeners: list[Listener] = []
        self.generation = 0
        self.navigation = 0  # the latest screen asked for wins over loads still running
        self.card: CardEntry | None = None
        self.last_touch = monotonic()
        self.next_reminder = math.inf
        self.view = View.idle(settings.language, settings.elderly)
        self.busy_since: float | None = None  # when the wait on screen began
        self.card_pulled_until = 0.0  # the start screen's "the card came out" notice ends
        self.last_bad_read: float | None = None  # when a card last answered badly
        self.slips = SlipAllowance(settings.slips_per_card_per_day, lambda: now().date())
        # Flows holding secrets between steps (the PIN change) forget them on every wipe.
        self.on_wipe: list[Callable[[], None]] = []

    # -- publishing --------------------------------------------------------------------

    def publish(self, view: View) -> None:
        if view.busy is None:
            self.busy_since = None
        elif self.busy_since is None or view.busy is not self.view.busy:
            self.busy_since = self.monotonic()
        self.view = view
        for listener in list(self.listeners):
            listener(view)

    def go(self, state: State, **changes: Any) -> None:
        """Move to `state`; busy, warnings and problems are cleared unless given again."""
        defaults: dict[str, Any] = {
            "busy": None,
            "idle_warning_seconds": None,
            "problem": None,
            "pin_wrong": False,
            "admin_pin_wrong": False,
        }
        self.publish(replace(self.view, state=state, **{**defaults, **changes}))

    def wipe(self, state: State, **changes: Any) -> None:
        """Forget the person: every personal field back to empty, language back to default."""
        self.generation += 1
        forget_secrets()
        for forget in self.on_wipe:
            forget()
        base = View(state, self.settings.language, self.settings.elderly)
        if state is not State.IDLE:  # keep the person's language while they take the card
            base = replace(base, language=self.view.language, elderly=self.view.elderly)
        self.publish(replace(base, **changes))
        self.last_touch = self.monotonic()

    def touch(self) -> None:
        """Any tap: the person is still here."""
        self.last_touch = self.monotonic()
        if self.view.idle_warning_seconds is not None:
            self.publish(replace(self.view, idle_warning_seconds=None))

    # -- background work ---------------------------------------------------------------

    def run(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
        *,
        navigation: bool = False,
        lane: Lane = Lane.STORE,
    ) -> None:
        """Run `job` on the worker's `lane`; its outcome is dropped if the card changed
        meanwhile (or, with `navigation`, if another screen was asked for). A job abandoned
        at its lane's deadline fails as that lane's part would (known_failure)."""
        generation = self.generation
        if navigation:
            self.navigation += 1
        asked = self.navigation

        def done(result: Any) -> None:
            if generation == self.generation and asked == self.navigation:
                on_done(result)

        def failed(error: Exception) -> None:
            if generation == self.generation and asked == self.navigation:
                (on_error or self.failed)(known_failure(error))

        self.worker.submit(job, done, failed, lane)

    def busy_for(self) -> float:
        """Seconds the current wait has lasted (0 when nothing is waited for)."""
        return 0.0 if self.busy_since is None else self.monotonic() - self.busy_since

    def busy_bound(self, busy: Busy) -> float:
        """How long a wait may last before it ends in a clear screen."""
        settings = self.settings
        if busy is Busy.READING_CARD:
            return settings.card_read_seconds
        return settings.print_seconds if busy is Busy.PRINTING else settings.busy_seconds

    def drop_pending(self) -> None:
        """Results still on their way belong to a screen that has moved on: drop them."""
        self.navigation += 1

    def failed(self, error: Exception) -> None:
        if isinstance(error, CardRemovedError):
            self.card_gone()
            return
        problem = self._first_bad_read_is_a_slip(problem_for(error))
        if problem.kind is ProblemKind.UNEXPECTED:
            log.error("session step failed: %s", type(error).__name__, exc_info=error)
        else:
            log.warning("session: %s (%s)", problem.kind.value, operator_words(error))
        unavailable = problem.kind is ProblemKind.STORE_UNAVAILABLE
        self.audit(f"problem_{problem.kind.value}")
        entry = self.card
        if entry is not None:
            self.close_card(entry)  # the person is asked to take the card
            if not unavailable:
                entry.failed = True
        self.wipe(State.SERVICE_UNAVAILABLE if unavailable else State.CARD_PROBLEM, problem=problem)

    def _first_bad_read_is_a_slip(self, problem: Problem) -> Problem:
        """A card that answers badly once was most often moved or dusty: it is asked back
        and in again first; only a second bad read within BAD_READ_MEMORY_SECONDS says
        the card may be damaged."""
        if problem.kind is not ProblemKind.DAMAGED:
            return problem
        now = self.monotonic()
        earlier, self.last_bad_read = self.last_bad_read, now
        if earlier is not None and now - earlier <= BAD_READ_MEMORY_SECONDS:
            return problem
        return problem_of(ProblemKind.READ_FAILED, "problem.reinsert")

    def audit(self, outcome: str, action: str = "session", number: str | None = None) -> None:
        number = number or (self.card.number if self.card else None)
        accounts = self.accounts
        self.worker.submit(
            lambda: accounts.record_query(action, outcome, number), ignore, ignore, Lane.STORE
        )

    # -- the card ----------------------------------------------------------------------

    def card_gone(self) -> None:
        """The card left (or its reader did): forget the person, close the card."""
        card, self.card = self.card, None
        if card is not None and card.failed:
            delay = self.backoff.record_failure()
            if delay:
                self.audit(f"next_card_{delay:.0f}s", "backoff", card.number)
        if card is not None:
            self.close_card(card)
        self.next_reminder = math.inf
        # Pulled while it was being read (or before the PIN): the start screen says so for
        # a few seconds, so the person knows to insert it again rather than wonder.
        interrupted = self.view.state in (State.READING, State.PIN_ENTRY)
        if rule_for(self.view.state).card_out is OnCardOut.WIPE:
            self.wipe(State.IDLE, card_pulled=interrupted)
            self.card_pulled_until = self.monotonic() + CARD_PULLED_NOTICE_SECONDS

    def close_card(self, entry: CardEntry) -> None:
        """Disconnect (the reader resets the card), so a verified PIN never outlives the
        session, and the store forgets what the chip proved; the entry stays while the card
        is in the reader."""
        card, entry.card = entry.card, None
        if card is not None:
            self.worker.submit(card.close, ignore, ignore, Lane.CARD)
        number, accounts = entry.number, self.accounts
        if number is not None:  # on the card lane: after any `prove` of this session
            self.worker.submit(lambda: accounts.forget(number), ignore, ignore, Lane.CARD)

    def slip_allowed(self, action: str, refusal_state: State) -> bool:
        """One more slip for the card in, today? If not, `refusal_state` shows the polite
        refusal."""
        number = self.card.number if self.card else None
        if number is None or self.slips.allows(number):
            return True
        self.audit("refused_daily_limit", action)
        self.go(refusal_state, problem=slip_limit_problem(self.slips.per_day))
        return False

    def slip_printed(self) -> None:
        number = self.card.number if self.card else None
        if number is not None:
            self.slips.printed(number)

    def end_session(self, printed: bool = False) -> None:
        """ "I am done" or a timeout: forget the person and ask for the card back."""
        if self.card is None:
            self.wipe(State.IDLE)
            return
        self.close_card(self.card)
        self.wipe(State.TAKE_CARD, printed=printed)
        self.next_reminder = self.monotonic() + self.settings.take_card_reminder_seconds


def operator_words(error: Exception) -> str:
    return str(getattr(error, "operator_message", "") or type(error).__name__)


def ignore(_: object) -> None:
    """Fire-and-forget jobs (audit rows, closing a card) need no answer."""

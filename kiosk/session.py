"""The kiosk session: one state machine from card in to card out, in plain Python (no Qt).

The UI calls the intent methods (`submit_pin`, `show`, `print_receipt`, ...) and forwards
reader events and a periodic `tick()`, all on its own thread; the session answers by
publishing a new immutable `View`. Card and store work runs on the single worker; every job
carries the card's generation, so a result that arrives after the card left is dropped and
can never bring personal data back onto the screen.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from card_reader import open_card
from card_reader.backends.base import CardConnection, ReaderBackend
from card_reader.errors import (
    CardRemovedError,
    PinBlockedError,
    PinRequiredError,
)
from card_reader.events import (
    CardInserted,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderLost,
    ServiceLost,
)
from card_reader.identity import CardFacts
from card_reader.sscard import CardProbe, PinResult, PinStatus, SSCard
from kiosk.admin_pin import verify_admin_pin
from kiosk.backoff import FailingCardBackoff
from kiosk.domain import (
    AccountSummary,
    LedgerKind,
)
from kiosk.log import forget_secrets, register_secret
from kiosk.session_ports import AccountPort, ReceiptPort
from kiosk.session_problems import CardTimeout, problem_for
from kiosk.session_settings import SessionSettings
from kiosk.session_view import (
    ACCOUNT_STATES,
    Busy,
    MaintenanceInfo,
    Problem,
    ProblemKind,
    State,
    View,
)
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.worker import Worker
from printing.problems import PrinterProblem, PrinterProblemKind

log = logging.getLogger(__name__)

Listener = Callable[[View], None]
READER_GRACE_SECONDS = 3.0

# States where nobody touching the screen eventually ends the session.
_TIMED_STATES = ACCOUNT_STATES | {
    State.PIN_ENTRY, State.PRINTING, State.CARD_PROBLEM, State.SERVICE_UNAVAILABLE,
    State.MAINTENANCE_PIN, State.MAINTENANCE,
}  # fmt: skip


@dataclass
class _Card:
    """The inserted card while a session uses it; dropped (and disconnected) on removal.

    `connection`, `number`, `region` and `refusal` are set by worker jobs (so a later job in
    the queue sees them at once); the rest on the UI thread."""

    reader: str
    connection: CardConnection | None = None
    card: SSCard | None = None
    number: str | None = None
    region: str | None = None  # from the card identification code (EF05 tag 01)
    failed: bool = False  # a wrong PIN or a refusal, and no success since: counts for back-off
    refusal: CardNotActive | None = None  # the store said no before the PIN


class Session:
    def __init__(
        self,
        backend: ReaderBackend,
        accounts: AccountPort,
        receipts: ReceiptPort,
        worker: Worker,
        settings: SessionSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = datetime.now,
        health: Callable[[], MaintenanceInfo] | None = None,
        on_exit: Callable[[], None] | None = None,
        refill_paper: Callable[[], None] | None = None,
        backoff: FailingCardBackoff | None = None,
    ) -> None:
        self._backend = backend
        self._accounts = accounts
        self._receipts = receipts
        self._worker = worker
        self.settings = settings
        self._monotonic = monotonic
        self._now = now
        self._health = health
        self._on_exit = on_exit
        self._refill_paper = refill_paper
        self._backoff = backoff or FailingCardBackoff(clock=monotonic)
        self._read_due: float | None = None
        self._read_started = 0.0
        self._listeners: list[Listener] = []
        self._generation = 0
        self._navigation = 0  # the latest screen asked for wins over loads still running
        self._card: _Card | None = None
        self._readers: set[str] = set()
        # A backend that never reports a reader (none plugged in, pcscd down at start) is
        # out of service once this grace time has passed.
        self._reader_deadline = monotonic() + READER_GRACE_SECONDS
        self._last_touch = monotonic()
        self._state_since = self._last_touch
        self._next_reminder = math.inf
        self.view = View.idle(settings.language, settings.elderly)

    # -- publishing --------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)
        listener(self.view)

    def _publish(self, view: View) -> None:
        if view.state is not self.view.state:
            self._state_since = self._monotonic()
        self.view = view
        for listener in list(self._listeners):
            listener(view)

    def _go(self, state: State, **changes: Any) -> None:
        """Move to `state`; busy, warnings and problems are cleared unless given again."""
        defaults: dict[str, Any] = {"busy": None, "idle_warning_seconds": None, "problem": None,
                                    "pin_wrong": False, "admin_pin_wrong": False}  # fmt: skip
        self._publish(replace(self.view, state=state, **{**defaults, **changes}))

    def _wipe(self, state: State, **changes: Any) -> None:
        """Forget the person: every personal field back to empty, language back to default."""
        self._generation += 1
        forget_secrets()
        base = View(state, self.settings.language, self.settings.elderly)
        if state is not State.IDLE:  # keep the person's language while they take the card
            base = replace(base, language=self.view.language, elderly=self.view.elderly)
        self._publish(replace(base, **changes))
        self._last_touch = self._monotonic()

    # -- background work ---------------------------------------------------------------

    def _run(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
        *,
        navigation: bool = False,
    ) -> None:
        generation = self._generation
        if navigation:
            self._navigation += 1
        asked = self._navigation

        def done(result: Any) -> None:
            if generation == self._generation and asked == self._navigation:
                on_done(result)

        def failed(error: Exception) -> None:
            if generation == self._generation and asked == self._navigation:
                (on_error or self._failed)(error)

        self._worker.submit(job, done, failed)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, CardRemovedError):
            self._card_gone()
            return
        problem = problem_for(error)
        if problem.kind is ProblemKind.UNEXPECTED:
            log.error("session step failed: %s", type(error).__name__, exc_info=error)
        else:
            log.warning("session: %s (%s)", problem.kind.value, _operator_words(error))
        state = (
            State.SERVICE_UNAVAILABLE
            if problem.kind is ProblemKind.STORE_UNAVAILABLE
            else State.CARD_PROBLEM
        )
        self._audit(f"problem_{problem.kind.value}")
        if self._card is not None and problem.kind is not ProblemKind.STORE_UNAVAILABLE:
            self._card.failed = True
        self._wipe(state, problem=problem)

    def _audit(self, outcome: str, action: str = "session", number: str | None = None) -> None:
        number = number or (self._card.number if self._card else None)
        self._worker.submit(
            lambda: self._accounts.record_query(action, outcome, number), _ignore, _ignore
        )

    # -- reader events -----------------------------------------------------------------

    def handle_reader_event(self, event: ReaderEvent) -> None:
        if isinstance(event, CardInserted):
            self._card_inserted(event.reader)
        elif isinstance(event, CardRemoved):
            if self._card is not None and self._card.reader == event.reader:
                self._card_gone()
        elif isinstance(event, ServiceLost):
            self._readers.clear()
            self._reader_lost(type(event).__name__)
        elif isinstance(event, ReaderLost):
            self._readers.discard(event.reader)
            if self._card is not None and self._card.reader == event.reader:
                self._card_gone()
            if not self._readers:
                self._reader_lost(type(event).__name__)
        elif isinstance(event, ReaderAdded):
            self._readers.add(event.reader)
            problem = self.view.problem
            if problem is not None and problem.kind is ProblemKind.READER_UNAVAILABLE:
                self._wipe(State.IDLE)

    def _card_inserted(self, reader: str) -> None:
        if self._card is not None or self.view.state in (State.MAINTENANCE_PIN,
                                                          State.MAINTENANCE):  # fmt: skip
            return
        self._card = _Card(reader)
        self._wipe(State.READING, busy=Busy.READING_CARD)
        wait = self._backoff.seconds_to_wait()
        if wait > 0:  # a run of failing cards: this one is read later, and that is audited
            log.warning("card read held back %.0f s after repeated failing cards", wait)
            self._audit(f"held_{wait:.0f}s", "backoff")
            self._read_due = self._monotonic() + wait
        else:
            self._start_read()

    def read_held_for(self) -> float:
        """Seconds until a card held back by the failing-card back-off is read (0: not held)."""
        if self._read_due is None:
            return 0.0
        return max(0.0, self._read_due - self._monotonic())

    def _start_read(self) -> None:
        assert self._card is not None
        entry = self._card
        self._read_due = None
        self._read_started = self._monotonic()
        self._run(lambda: self._probe_card(entry), self._card_probed)

    # The read is shaped around the person: the PIN pad appears after SELECT and the tries
    # probe (2 APDUs); the card file, the store's word on the card and the personal file
    # follow in one worker job while they type. The worker runs jobs in order, so a VERIFY
    # always comes after that job, and never reaches a card the store has turned away.

    def _probe_card(self, entry: _Card) -> tuple[SSCard, CardProbe]:
        entry.connection = self._backend.connect(entry.reader)
        card = open_card(entry.connection, deadline_seconds=self.settings.card_command_seconds)
        return card, card.probe()

    def _card_probed(self, result: tuple[SSCard, CardProbe]) -> None:
        assert self._card is not None  # a removal bumps the generation and drops this
        entry = self._card
        card, probe = result
        entry.card = card
        if probe.pin_blocked:
            self._failed(PinBlockedError("PIN blocked before entry"))
            return
        self._last_touch = self._monotonic()
        self._go(State.PIN_ENTRY, pin_tries_left=probe.tries_left)
        self._run(lambda: self._read_rest(entry, card), _ignore)

    def _read_rest(self, entry: _Card, card: SSCard) -> None:
        """EF05 and EF06 (unless the card keeps it behind the PIN), then the store's word on
        the card (lost, replaced, ...). A damaged card or a refusal ends the job, and its
        screen replaces the PIN pad."""
        facts = _read_facts_if_open(card)
        if facts is None:
            return  # a card that opens even its card file only after the PIN
        self._check_usable(entry, facts)
        _read_holder_if_open(card)
        try:
            self._accounts.card_status(facts.card_number)
        except CardNotActive as refused:
            entry.refusal = refused  # so a VERIFY already queued is never sent
            raise

    def _check_usable(self, entry: _Card, facts: CardFacts) -> None:
        entry.number, entry.region = facts.card_number, facts.region_code
        if facts.expired(self._now().date()):
            raise CardNotActive(CardRefusal.EXPIRED, "card past its expiry date")
        if entry.refusal is not None:
            raise entry.refusal

    def _card_gone(self) -> None:
        card, self._card = self._card, None
        self._read_due = None
        if card is not None and card.failed:
            delay = self._backoff.record_failure()
            if delay:
                self._audit(f"next_card_{delay:.0f}s", "backoff", card.number)
        if card is not None and card.connection is not None:
            connection = card.connection
            self._worker.submit(connection.disconnect, _ignore, _ignore)
        if self.view.state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
            return
        self._wipe(State.IDLE)
        self._next_reminder = math.inf

    def _reader_lost(self, why: str) -> None:
        log.warning("reader unavailable: %s", why)
        if self._card is not None:
            self._card_gone()
        if self.view.state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
            return
        problem = Problem(
            ProblemKind.READER_UNAVAILABLE,
            "读卡器暂时无法使用，工作人员已收到通知。请稍后再试，或到服务窗口办理。",
            "The card reader is not working right now; staff have been told. Please try "
            "again later, or ask at the service desk.",
        )
        self._wipe(State.SERVICE_UNAVAILABLE, problem=problem)

    # -- what the person does ----------------------------------------------------------

    def touch(self) -> None:
        """Any tap: the person is still here."""
        self._last_touch = self._monotonic()
        if self.view.idle_warning_seconds is not None:
            self._publish(replace(self.view, idle_warning_seconds=None))

    def more_time(self) -> None:
        self.touch()

    def set_language(self, language: str) -> None:
        self.touch()
        if language in ("zh", "en") and language != self.view.language:
            self._publish(replace(self.view, language=language))

    def set_elderly(self, elderly: bool) -> None:
        self.touch()
        if elderly == self.view.elderly:
            return
        view = replace(self.view, elderly=elderly)
        page = view.history
        if view.state is not State.HISTORY or page is None:
            self._publish(view)
            return
        # The page size follows the text size: never show more rows than fit until the page
        # is reloaded, and reopen at the page holding the row that was first on screen.
        size = self.settings.page_size(elderly)
        self._publish(replace(view, history=replace(page, entries=page.entries[:size])))
        first_row = (page.page - 1) * page.page_size
        self._load_history(first_row // size + 1, view.history_kind)

    def submit_pin(self, pin: bytearray) -> None:
        """Verify `pin` on the card; the bytearray is zeroed by the VERIFY step."""
        self.touch()
        entry = self._card
        card = entry.card if entry else None
        if self.view.state is not State.PIN_ENTRY or self.view.busy or card is None:
            pin[:] = bytes(len(pin))
            return
        assert entry is not None
        self._publish(replace(self.view, busy=Busy.CHECKING_PIN, pin_wrong=False))

        def verify_and_load() -> tuple[PinResult, AccountSummary | None]:
            try:
                facts = _read_facts_if_open(card)  # already read while the PIN was typed
                if facts is not None:
                    self._check_usable(entry, facts)
            except Exception:
                pin[:] = bytes(len(pin))
                raise
            result = card.verify_pin(pin)
            if not result.ok:
                return result, None
            if facts is None:  # the card file too opens only now
                facts = card.read_facts()
                self._check_usable(entry, facts)
            _read_holder_if_open(card)  # a PIN-gated personal file opens now
            return result, self._accounts.summary(facts.card_number, facts.region_code)

        self._run(verify_and_load, self._pin_checked)

    def _pin_checked(self, outcome: tuple[PinResult, AccountSummary | None]) -> None:
        result, summary = outcome
        if result.status is PinStatus.BLOCKED:
            self._failed(PinBlockedError("PIN blocked by a wrong entry"))
        elif result.status is PinStatus.WRONG:
            self._audit("pin_wrong", "pin")
            if self._card is not None:
                self._card.failed = True
            self._go(State.PIN_ENTRY, pin_tries_left=result.tries_left, pin_wrong=True)
        else:
            self._backoff.record_success()
            if summary is not None:  # logs redact this name until the session is wiped
                register_secret(summary.person_name)
            if self._card is not None:
                self._card.failed = False
            self._go(State.OVERVIEW, summary=summary, pin_tries_left=None)

    def show(self, state: State) -> None:
        """Open one of the account screens (loading its data first)."""
        self.touch()
        number = self._card.number if self._card else None
        if self.view.summary is None or number is None or self._printing:
            return
        if state is State.OVERVIEW:
            self._navigation += 1  # whatever was loading is no longer wanted
            self._go(State.OVERVIEW)
            return
        loaders: dict[State, tuple[Callable[[], Any], str]] = {
            State.CONTRIBUTIONS: (lambda: self._accounts.contributions(number), "contributions"),
            State.ANNUAL: (lambda: self._accounts.annual_statement(number), "annual"),
            State.FAMILY_AID: (lambda: self._accounts.family_bindings(number), "family"),
            State.FILINGS: (lambda: self._accounts.filings(number), "filings"),
            State.FLAGGED: (lambda: self._accounts.flagged_charges(number), "flagged"),
        }
        if state is State.HISTORY:
            self._load_history(1, None)
            return
        if state not in loaders:
            raise ValueError(f"not an account screen: {state}")
        load, field_name = loaders[state]
        self._publish(replace(self.view, busy=Busy.LOADING))
        self._run(load, lambda data: self._go(state, **{field_name: data}), navigation=True)

    def history_page(self, page: int) -> None:
        self.touch()
        if self.view.summary is not None and not self._printing:
            self._load_history(max(1, page), self.view.history_kind)

    def history_filter(self, kind: LedgerKind | None) -> None:
        self.touch()
        if self.view.summary is not None and not self._printing:
            self._load_history(1, kind)

    def _load_history(self, page: int, kind: LedgerKind | None) -> None:
        number = self._card.number if self._card else None
        assert number is not None
        size = self.settings.page_size(self.view.elderly)
        self._publish(replace(self.view, busy=Busy.LOADING))
        self._run(
            lambda: self._accounts.history(number, page=page, page_size=size, kind=kind),
            lambda found: self._go(State.HISTORY, history=found, history_kind=kind),
            navigation=True,
        )

    def print_receipt(self) -> None:
        self.touch()
        number = self._card.number if self._card else None
        region = (self._card.region if self._card else None) or ""
        if self.view.summary is None or number is None or self._printing:
            return
        language = self.view.language
        self._go(State.PRINTING, busy=Busy.PRINTING)

        def render_and_print() -> None:
            printed_at = self._now()
            data = self._accounts.receipt_data(
                number,
                printed_at,
                self._receipts.next_serial(printed_at),
                self.settings.masking,
                entries=self.settings.receipt_entries,
                language=language,
                card_region=region,
            )
            self._receipts.print_receipt(data)

        self._run(render_and_print, lambda _: self._printed(), self._print_failed, navigation=True)

    def _printed(self) -> None:
        self._audit("ok", "print")
        self._end_session(printed=True)

    def _print_failed(self, error: Exception) -> None:
        if isinstance(error, CardRemovedError):
            self._card_gone()
            return
        if isinstance(error, OSError):  # the slip could not be written (e.g. a full disk)
            error = PrinterProblem(PrinterProblemKind.SPOOL_FAILED, f"receipt not saved: {error}")
        problem = problem_for(error)
        log.warning("receipt not printed: %s", _operator_words(error))
        self._audit(f"failed_{problem.kind.value}", "print")
        self._go(State.PRINTING, problem=problem)

    @property
    def _printing(self) -> bool:
        return self.view.busy is Busy.PRINTING

    def finish(self) -> None:
        """ "I am done": forget the person and ask for the card back."""
        self.touch()
        if self.view.state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
            self.leave_maintenance()
        elif self.view.state not in (State.IDLE, State.TAKE_CARD, State.READING):
            self._end_session()

    def _end_session(self, printed: bool = False) -> None:
        if self._card is None:
            self._wipe(State.IDLE)
            return
        self._wipe(State.TAKE_CARD, printed=printed)
        self._next_reminder = self._monotonic() + self.settings.take_card_reminder_seconds

    # -- maintenance -------------------------------------------------------------------

    def open_maintenance(self) -> None:
        """The hidden long-press: only from the start screen, never over a person's data."""
        if self.view.state is State.IDLE:
            self._last_touch = self._monotonic()
            self._go(State.MAINTENANCE_PIN)

    def submit_admin_pin(self, pin: bytearray) -> None:
        self.touch()
        if self.view.state is not State.MAINTENANCE_PIN or self.view.busy:
            pin[:] = bytes(len(pin))
            return
        candidate = pin.decode("ascii")
        pin[:] = bytes(len(pin))
        pin_hash = self.settings.admin_pin_hash
        self._publish(replace(self.view, busy=Busy.CHECKING_ADMIN_PIN))
        self._run(
            lambda: bool(pin_hash) and verify_admin_pin(candidate, pin_hash),
            self._admin_checked,
        )

    def _admin_checked(self, ok: bool) -> None:
        if not ok:
            log.warning("maintenance: wrong admin PIN")
            self._go(State.MAINTENANCE_PIN, admin_pin_wrong=True)
            return
        log.info("maintenance opened")
        self._go(State.MAINTENANCE, busy=Busy.LOADING)
        self.refresh_maintenance()

    def refresh_maintenance(self) -> None:
        self.touch()
        if self.view.state is State.MAINTENANCE and self._health is not None:
            self._run(self._health, lambda info: self._go(State.MAINTENANCE, maintenance=info))

    def paper_refilled(self) -> None:
        """The operator put in a fresh roll: reset the paper counter."""
        self.touch()
        refill = self._refill_paper
        if self.view.state is State.MAINTENANCE and refill is not None:
            log.info("maintenance: paper roll replaced")
            self._run(refill, lambda _: self.refresh_maintenance())

    def leave_maintenance(self) -> None:
        if self.view.state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
            self._wipe(State.IDLE)

    def exit_kiosk(self) -> None:
        if self.view.state is State.MAINTENANCE and self._on_exit is not None:
            log.info("maintenance: kiosk exit requested")
            self._on_exit()

    # -- time --------------------------------------------------------------------------

    def tick(self) -> None:
        """Called a few times a second by the UI: timeouts, the warning, reminders."""
        now = self._monotonic()
        state = self.view.state
        if state is State.IDLE and not self._readers and now >= self._reader_deadline:
            self._reader_lost("no reader reported since start")
            return
        if state is State.READING and self._read_due is not None:
            if now >= self._read_due:
                self._start_read()
        elif state is State.READING and now - self._read_started > self.settings.card_read_seconds:
            self._failed(CardTimeout())
        elif state is State.TAKE_CARD and now >= self._next_reminder:
            self._next_reminder = now + self.settings.take_card_reminder_seconds
            self._publish(replace(self.view, take_card_reminders=self.view.take_card_reminders + 1))
        elif state in _TIMED_STATES and self.view.busy is None:
            self._check_idle(now, state)

    def _check_idle(self, now: float, state: State) -> None:
        if state is State.SERVICE_UNAVAILABLE and not self._readers:
            return  # stays until the reader is back
        pin_like = state in (State.PIN_ENTRY, State.MAINTENANCE_PIN)
        limit = self.settings.pin_entry_seconds if pin_like else self.settings.idle_seconds
        warning = self.settings.idle_warning_seconds
        quiet = now - self._last_touch
        if quiet >= limit + warning:
            log.info("session timed out in %s", state.value)
            if state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
                self._wipe(State.IDLE)
            else:
                self._end_session()
        elif quiet >= limit:
            left = math.ceil(limit + warning - quiet)
            if self.view.idle_warning_seconds != left:
                self._publish(replace(self.view, idle_warning_seconds=left))

    def close(self) -> None:
        self._generation += 1
        self._listeners.clear()


def _operator_words(error: Exception) -> str:
    return str(getattr(error, "operator_message", "") or type(error).__name__)


def _ignore(_: object) -> None:
    """Fire-and-forget jobs (audit rows, disconnects) need no answer."""


def _read_facts_if_open(card: SSCard) -> CardFacts | None:
    """The card file (EF05), or None on a card that keeps even that behind the PIN."""
    try:
        return card.read_facts()
    except PinRequiredError:
        return None


def _read_holder_if_open(card: SSCard) -> bool:
    """Read the personal file unless the card keeps it behind the PIN (then False).

    Also False after a good VERIFY on a card that wants more than the PIN (a 3.00 card with
    a PSAM): the accounts only need the card number, so the person is still served."""
    try:
        card.read_holder()
    except PinRequiredError:
        if card.pin_verified:
            log.warning("personal file still locked after a good VERIFY (PSAM card?)")
        return False
    return True

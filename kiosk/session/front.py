"""The kiosk session's front: the one object the UI talks to.

The UI calls the intent methods and forwards reader events and a periodic `tick()`, all on
its own thread; the session answers by publishing a new immutable `View`. Whether an intent
is accepted, how long a state may last and what a card event does come from the state table
(kiosk/session/table.py); the work is done by the flows: `CardReading` (card in to balance),
`AccountScreens` (screens, pages, receipt) and `Maintenance`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from card_reader.events import (
    CardInserted,
    CardMute,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderLost,
    ServiceLost,
)
from kiosk.backoff import FailingCardBackoff
from kiosk.domain import LedgerKind
from kiosk.lanes import Worker
from kiosk.session.accounts import AccountScreens
from kiosk.session.certificate import CertificatePrinting
from kiosk.session.core import Listener, SessionCore
from kiosk.session.filing_request import FilingRequesting
from kiosk.session.loss_report import LossReporting
from kiosk.session.maintenance import Maintenance
from kiosk.session.pin_change import PinChange
from kiosk.session.ports import AccountPort, CardPort, ReceiptPort, ServicePort
from kiosk.session.reading import CardReading
from kiosk.session.settings import SessionSettings
from kiosk.session.table import Intent, OnCardIn, OnTimeout, Timeout, accepts, rule_for
from kiosk.session.view import Busy, MaintenanceInfo, ProblemKind, State, View
from kiosk.session_problems import busy_overran, reader_unavailable_problem

log = logging.getLogger(__name__)
READER_GRACE_SECONDS = 3.0
# After this many "please take your card" reminders (30 s by default) the card is left
# behind: audited once and raised in the heartbeat until someone takes it.
LEFT_BEHIND_REMINDERS = 3


class Session:
    def __init__(
        self,
        cards: CardPort,
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
        services: ServicePort | None = None,
    ) -> None:
        backoff = backoff or FailingCardBackoff(clock=monotonic)
        self.core = SessionCore(
            accounts, worker, settings, monotonic=monotonic, now=now, backoff=backoff
        )
        self.services = services  # None: the loss report and filing requests are not offered
        self.reading = CardReading(self.core, cards, services)
        self.accounts = AccountScreens(self.core, receipts)
        self.maintenance = Maintenance(self.core, health, on_exit, refill_paper)
        self.pin_change = PinChange(self.core)
        self.loss_report = LossReporting(self.core, services, receipts)
        self.filing_request = FilingRequesting(self.core, services, receipts)
        self.certificate = CertificatePrinting(self.core, receipts)
        self.settings = settings
        self._readers: set[str] = set()
        # A backend that never reports a reader (none plugged in, pcscd down at start) is
        # out of service once this grace time has passed.
        self._reader_deadline = monotonic() + READER_GRACE_SECONDS

    @property
    def view(self) -> View:
        return self.core.view

    def subscribe(self, listener: Listener) -> None:
        self.core.listeners.append(listener)
        listener(self.core.view)

    def _accepts(self, intent: Intent) -> bool:
        self.core.touch()
        return accepts(self.core.view.state, intent)

    # -- reader events -----------------------------------------------------------------

    def handle_reader_event(self, event: ReaderEvent) -> None:
        core = self.core
        if isinstance(event, CardInserted | CardMute):
            card_in = rule_for(core.view.state).card_in
            if core.card is None and card_in is OnCardIn.READ:
                if isinstance(event, CardMute):
                    self.reading.card_mute(event.reader)
                else:
                    self.reading.card_inserted(event.reader)
        elif isinstance(event, CardRemoved):
            if core.card is not None and core.card.reader == event.reader:
                core.card_gone()
        elif isinstance(event, ServiceLost):
            self._readers.clear()
            self._reader_lost(type(event).__name__)
        elif isinstance(event, ReaderLost):
            self._readers.discard(event.reader)
            if core.card is not None and core.card.reader == event.reader:
                core.card_gone()
            if not self._readers:
                self._reader_lost(type(event).__name__)
        elif isinstance(event, ReaderAdded):
            self._readers.add(event.reader)
            problem = core.view.problem
            if problem is not None and problem.kind is ProblemKind.READER_UNAVAILABLE:
                core.wipe(State.IDLE)

    def _reader_lost(self, why: str) -> None:
        log.warning("reader unavailable: %s", why)
        if self.core.card is not None:
            self.core.card_gone()
        if self.core.view.state in (State.MAINTENANCE_PIN, State.MAINTENANCE):
            return
        self.core.wipe(State.SERVICE_UNAVAILABLE, problem=reader_unavailable_problem())

    @property
    def card_in(self) -> bool:
        """A card is in the reader (a problem screen then asks for it back)."""
        return self.core.card is not None

    @property
    def card_left_behind(self) -> bool:
        """A card nobody took after the reminders (the heartbeat raises it)."""
        return self.core.card is not None and self.core.card.left_behind

    def read_held_for(self) -> float:
        """Seconds until a card held back by the failing-card back-off is read (0: not held)."""
        return self.reading.held_for()

    def admin_pin_locked_for(self) -> float:
        """Seconds the maintenance PIN pad stays locked after wrong admin PINs (0: open);
        the heartbeat raises it. Safe to call from the worker thread."""
        return self.maintenance.locked_for()

    @property
    def admin_pin_failures(self) -> int:
        """Wrong admin PINs in a row, kept across restarts until the right one."""
        return self.maintenance.lockout.failures

    # -- what the person does ----------------------------------------------------------

    def touch(self) -> None:
        self.core.touch()

    def more_time(self) -> None:
        self.core.touch()

    def set_language(self, language: str) -> None:
        self.core.touch()
        if language in ("zh", "en") and language != self.core.view.language:
            self.core.publish(replace(self.core.view, language=language))

    def set_elderly(self, elderly: bool) -> None:
        self.core.touch()
        if elderly != self.core.view.elderly:
            self.accounts.set_text_size(elderly)

    def submit_pin(self, pin: bytearray) -> None:
        if self._accepts(Intent.ENTER_PIN):
            self.reading.submit_pin(pin)
        else:
            pin[:] = bytes(len(pin))

    def show(self, state: State) -> None:
        if self._accepts(Intent.OPEN_SCREEN):
            self.pin_change.forget()  # leaving the PIN change keeps nothing typed there
            self.accounts.show(state)

    def overview_more(self, more: bool) -> None:
        """The overview's second page ("more services", large text) or back to its first."""
        view = self.core.view
        accepted = self._accepts(Intent.OPEN_SCREEN) and view.state is State.OVERVIEW
        if accepted and view.overview_more != more:
            self.core.publish(replace(view, overview_more=more))

    def start_pin_change(self) -> None:
        """From the overview: change the card PIN."""
        if self._accepts(Intent.CHANGE_PIN):
            self.pin_change.start()

    def submit_pin_change(self, pin: bytearray) -> None:
        """The PIN-change pad's digits (old, new or new again, as the view's step says)."""
        if self._accepts(Intent.CHANGE_PIN) and self.core.view.state is State.CHANGE_PIN:
            self.pin_change.submit(pin)
        else:
            pin[:] = bytes(len(pin))

    def history_page(self, page: int) -> None:
        if self._accepts(Intent.OPEN_SCREEN):
            self.accounts.history_page(page)

    def list_page(self, page: int) -> None:
        """Page `page` of the short list on screen (contributions, family, filings, flagged)."""
        if self._accepts(Intent.OPEN_SCREEN):
            self.accounts.list_page(page)

    def history_filter(self, kind: LedgerKind | None) -> None:
        if self._accepts(Intent.OPEN_SCREEN):
            self.accounts.history_filter(kind)

    def print_receipt(self) -> None:
        if self._accepts(Intent.PRINT):
            self.accounts.print_receipt()

    # -- the loss report, without the card ------------------------------------------------

    def today(self) -> date:
        """The kiosk's date (the ID keypad checks that a birth date is not in the future)."""
        return self.core.now().date()

    def start_loss_report(self) -> None:
        """From the start screen: report a lost card (no card needed)."""
        if self.services is None:
            return
        if self._accepts(Intent.REPORT_LOSS) and self.core.view.state is State.IDLE:
            self.loss_report.start()

    def loss_citizen_id(self, citizen_id: str) -> None:
        """The citizen ID, typed and checked on the ID keypad."""
        if self._accepts(Intent.REPORT_LOSS) and self.core.view.state is State.LOSS_ID:
            self.loss_report.citizen_id_typed(citizen_id)

    def loss_password(self, password: bytearray) -> None:
        """The service password (zeroed once the store has checked it)."""
        if self._accepts(Intent.REPORT_LOSS) and self.core.view.state is State.LOSS_PASSWORD:
            self.loss_report.submit_password(password)
        else:
            password[:] = bytes(len(password))

    def print_loss_slip(self) -> None:
        if self._accepts(Intent.REPORT_LOSS) and self.core.view.state is State.LOSS_REPORTED:
            self.loss_report.print_slip()

    def lift_loss(self) -> None:
        """ "I found my card", on the screen of a card reported lost at a kiosk."""
        if self._accepts(Intent.LIFT_LOSS):
            self.reading.lift_loss()

    # -- a remote-care filing request ----------------------------------------------------

    def start_filing_request(self) -> None:
        """From the filings screen: request a remote-care filing."""
        if self._accepts(Intent.REQUEST_FILING) and self.core.view.state is State.FILINGS:
            self.filing_request.start()

    def filing_choose(self, value: str) -> None:
        """The choice on the request's current step (one of `view.filing_draft.choices()`)."""
        if self._accepts(Intent.REQUEST_FILING) and self.core.view.state is State.FILING_FORM:
            self.filing_request.choose(value)

    def filing_back(self) -> None:
        if self._accepts(Intent.REQUEST_FILING) and self.core.view.state is State.FILING_FORM:
            self.filing_request.back()

    def submit_filing_request(self) -> None:
        if self._accepts(Intent.REQUEST_FILING) and self.core.view.state is State.FILING_FORM:
            self.filing_request.submit()

    def print_filing_slip(self) -> None:
        state = self.core.view.state
        if self._accepts(Intent.REQUEST_FILING) and state is State.FILING_REQUESTED:
            self.filing_request.print_slip()

    def print_certificate(self) -> None:
        """The insurance certificate (参保证明), from the overview."""
        if self._accepts(Intent.PRINT) and self.core.view.state is State.OVERVIEW:
            self.certificate.print_certificate()

    def finish(self) -> None:
        """ "I am done": forget the person and ask for the card back."""
        if self._accepts(Intent.LEAVE_MAINTENANCE):
            self.maintenance.leave()
        elif accepts(self.core.view.state, Intent.FINISH):
            self.core.end_session()

    # -- maintenance -------------------------------------------------------------------

    def open_maintenance(self) -> None:
        """The hidden long-press: only from the start screen, never over a person's data."""
        if accepts(self.core.view.state, Intent.OPEN_MAINTENANCE):
            self.maintenance.open()

    def submit_admin_pin(self, pin: bytearray) -> None:
        if self._accepts(Intent.ENTER_ADMIN_PIN):
            self.maintenance.submit_admin_pin(pin)
        else:
            pin[:] = bytes(len(pin))

    def refresh_maintenance(self) -> None:
        if self._accepts(Intent.MAINTAIN):
            self.maintenance.refresh()

    def paper_refilled(self) -> None:
        if self._accepts(Intent.MAINTAIN):
            self.maintenance.paper_refilled()

    def leave_maintenance(self) -> None:
        if accepts(self.core.view.state, Intent.LEAVE_MAINTENANCE):
            self.maintenance.leave()

    def exit_kiosk(self) -> None:
        if accepts(self.core.view.state, Intent.MAINTAIN):
            self.maintenance.exit_kiosk()

    # -- time --------------------------------------------------------------------------

    def tick(self) -> None:
        """Called a few times a second by the UI: each state's bound from the table."""
        core = self.core
        now = core.monotonic()
        state = core.view.state
        rule = rule_for(state)
        if state is State.MAINTENANCE_PIN:
            self.maintenance.tick()  # the admin PIN pad's lock counts down
        if core.view.card_pulled and now >= core.card_pulled_until:
            core.publish(replace(core.view, card_pulled=False))
        if state is State.IDLE and not self._readers and now >= self._reader_deadline:
            self._reader_lost("no reader reported since start")
        elif rule.timeout is Timeout.READ:
            self.reading.tick(now)
        elif core.view.busy is not None:
            self._check_busy(core.view.busy)
        elif rule.timeout is Timeout.REMINDER and now >= core.next_reminder:
            core.next_reminder = now + core.settings.take_card_reminder_seconds
            reminders = core.view.take_card_reminders + 1
            core.publish(replace(core.view, take_card_reminders=reminders))
            entry = core.card
            if entry is not None and reminders >= LEFT_BEHIND_REMINDERS and not entry.left_behind:
                entry.left_behind = True
                log.warning("card left in the reader after %d reminders", reminders)
                core.audit("card_left_behind", "take_card")
        elif rule.timeout in (Timeout.IDLE, Timeout.PIN) and core.view.busy is None:
            held = rule.holds_while_no_reader and not self._readers  # until the reader is back
            if not held:
                self._check_idle(now, state)

    def _check_busy(self, busy: Busy) -> None:
        """No wait lasts longer than its bound: it ends in the screen its failure has."""
        core = self.core
        bound = core.busy_bound(busy)
        if core.busy_for() <= bound:
            return
        log.warning("%s lasted longer than %.0f s: given up", busy.value, bound)
        core.drop_pending()
        error = busy_overran(busy, bound)
        if busy is Busy.PRINTING:
            self.accounts.print_failed(error)
        else:
            core.failed(error)

    def fit_history_rows(self, normal: int, elderly: int) -> None:
        """The history's rows a page, as many as the window has room for in each text size
        (the UI measures; the next page loaded uses them)."""
        fitted = replace(
            self.core.settings, history_rows=max(2, normal), history_rows_elderly=max(2, elderly)
        )
        self.settings = self.core.settings = fitted

    def seconds_left(self) -> int | None:
        """Seconds until the screen on show times out without a touch (the top bar's
        countdown), or None where no such bound applies (the start screen, a wait)."""
        core = self.core
        state = core.view.state
        rule = rule_for(state)
        if rule.timeout not in (Timeout.IDLE, Timeout.PIN) or core.view.busy is not None:
            return None
        if state is State.IDLE:
            return None
        settings = core.settings
        limit = settings.pin_entry_seconds if rule.timeout is Timeout.PIN else settings.idle_seconds
        warning = settings.idle_warning_seconds if rule.warns_before_timeout else 0.0
        return max(0, math.ceil(limit + warning - (core.monotonic() - core.last_touch)))

    def _check_idle(self, now: float, state: State) -> None:
        core, rule = self.core, rule_for(state)
        settings = core.settings
        limit = settings.pin_entry_seconds if rule.timeout is Timeout.PIN else settings.idle_seconds
        # A problem screen says what happened and where to go; it ends on its own (the
        # take-card screen) without an "are you still there?" over the words.
        warning = settings.idle_warning_seconds if rule.warns_before_timeout else 0.0
        quiet = now - core.last_touch
        if quiet >= limit + warning:
            log.info("session timed out in %s", state.value)
            if rule.on_timeout is OnTimeout.START_SCREEN:
                core.wipe(State.IDLE)
            else:
                core.end_session()
        elif quiet >= limit:
            left = math.ceil(limit + warning - quiet)
            if core.view.idle_warning_seconds != left:
                core.publish(replace(core.view, idle_warning_seconds=left))

    def close(self) -> None:
        self.core.generation += 1
        self.core.listeners.clear()

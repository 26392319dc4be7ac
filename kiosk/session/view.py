"""What the screen shows: the session's state as one immutable snapshot the UI renders.

The UI holds no business state: every change in the session produces a new `View`, and the
window renders it. Personal data lives only in the fields marked below, and a view for the
start screen (`View.idle`) has none of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from kiosk.domain import (
    AccountSummary,
    AnnualStatement,
    Contribution,
    FamilyBinding,
    FilingRequest,
    FlaggedCharge,
    HistoryPage,
    LedgerKind,
    LossReport,
    RemoteFiling,
)
from kiosk.pin_rules import WeakPin
from kiosk.session.filing_draft import FilingDraft

T = TypeVar("T")


class State(enum.Enum):
    IDLE = "idle"
    READING = "reading"
    PIN_ENTRY = "pin_entry"
    OVERVIEW = "overview"
    HISTORY = "history"
    CONTRIBUTIONS = "contributions"
    ANNUAL = "annual"
    FAMILY_AID = "family_aid"
    FILINGS = "filings"
    FLAGGED = "flagged"
    PRINTING = "printing"
    TAKE_CARD = "take_card"
    CARD_PROBLEM = "card_problem"
    SERVICE_UNAVAILABLE = "service_unavailable"
    MAINTENANCE_PIN = "maintenance_pin"
    MAINTENANCE = "maintenance"
    CHANGE_PIN = "change_pin"
    PIN_CHANGED = "pin_changed"
    LOSS_ID = "loss_id"  # the loss report without the card: the citizen ID
    LOSS_PASSWORD = "loss_password"  # noqa: S105 (a state: then the service password)
    LOSS_REPORTED = "loss_reported"
    FILING_FORM = "filing_form"  # a remote-care filing request, one choice a screen
    FILING_REQUESTED = "filing_requested"


# The account screens a person can move between after the PIN.
ACCOUNT_STATES = frozenset(
    {State.OVERVIEW, State.HISTORY, State.CONTRIBUTIONS, State.ANNUAL, State.FAMILY_AID,
     State.FILINGS, State.FLAGGED}
)  # fmt: skip


class PinChangeStep(enum.Enum):
    """Which PIN the PIN-change pad asks for."""

    OLD = "old"
    NEW = "new"
    REPEAT = "repeat"


class Busy(enum.Enum):
    """A wait the screen explains in words (ui.md: anything over 300 ms gets a spinner)."""

    READING_CARD = "reading_card"
    CHECKING_PIN = "checking_pin"
    CHANGING_PIN = "changing_pin"
    REPORTING_LOSS = "reporting_loss"
    LOADING = "loading"
    PRINTING = "printing"
    CHECKING_ADMIN_PIN = "checking_admin_pin"


class ProblemKind(enum.Enum):
    NOT_SSSE = "not_ssse"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    LOST = "lost"
    REPLACED = "replaced"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    UNKNOWN_CARD = "unknown_card"
    REPORTED_LOST = "reported_lost"  # a temporary report in force: "I found my card"
    PIN_BLOCKED = "pin_blocked"
    CARD_LOCKED = "card_locked"
    READ_FAILED = "read_failed"
    READ_TIMEOUT = "read_timeout"
    NOT_RESPONDING = "not_responding"
    CARD_MUTE = "card_mute"  # in the reader but no answer to reset: reversed, or a mute chip
    READER_BUSY = "reader_busy"  # another program holds the reader
    STORE_UNAVAILABLE = "store_unavailable"
    READER_UNAVAILABLE = "reader_unavailable"
    PRINTER = "printer"
    SLIP_LIMIT = "slip_limit"  # this card printed its slips for today
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Problem:
    """What went wrong, in both languages, so a language switch re-renders it."""

    kind: ProblemKind
    message_zh: str
    message_en: str

    def message(self, language: str) -> str:
        return self.message_zh if language == "zh" else self.message_en


@dataclass(frozen=True)
class MaintenanceInfo:
    """The admin screen: health only, never personal data."""

    reader: str
    printer: str
    store: str
    paper_left_mm: int | None
    paper_low: bool
    outbox_pending: int
    last_errors: tuple[str, ...]
    # The receipt key was found damaged and replaced (operator words, kiosk.printers), or "".
    key_notice: str = ""
    # Audit rows the outbox file could not take (a full disk): held in memory, retried.
    outbox_held_in_memory: int = 0


@dataclass(frozen=True)
class ListPage:
    """Which page of a short list (contributions, family aid, filings, flagged) is shown."""

    page: int
    pages: int
    rows: int

    @classmethod
    def first(cls, items: int, rows: int) -> ListPage:
        return cls(1, max(1, -(-items // rows)), rows)

    def at(self, page: int) -> ListPage:
        return ListPage(max(1, min(self.pages, page)), self.pages, self.rows)

    def resized(self, items: int, rows: int) -> ListPage:
        """The same first row on screen with `rows` a page (the text size changed)."""
        first_row = (self.page - 1) * self.rows
        return ListPage.first(items, rows).at(first_row // rows + 1)

    def of(self, items: tuple[T, ...]) -> tuple[T, ...]:
        return items[(self.page - 1) * self.rows : self.page * self.rows]


@dataclass(frozen=True)
class View:
    state: State
    language: str
    elderly: bool
    busy: Busy | None = None
    # -- personal data: only while a card is in and the PIN was right ---------------------
    summary: AccountSummary | None = None
    display_name: str = ""  # the name as the screen shows it (masked per kiosk.toml)
    history: HistoryPage | None = None
    history_kind: LedgerKind | None = None
    contributions: tuple[Contribution, ...] = ()
    annual: AnnualStatement | None = None
    family: tuple[FamilyBinding, ...] = ()
    filings: tuple[RemoteFiling, ...] = ()
    flagged: tuple[FlaggedCharge, ...] = ()
    list_page: ListPage | None = None  # the page of the short list on screen
    # Large text shows the overview in two pages (ui.md: fewer items a page): the balance
    # and what matters most, then "more services". Kept while the person moves between
    # account screens, so Back returns to the page they came from.
    overview_more: bool = False
    # -- the flow ---------------------------------------------------------------------------
    pin_tries_left: int | None = None
    pin_wrong: bool = False
    pin_change_step: PinChangeStep | None = None
    pin_change_refused: WeakPin | None = None  # why the last new PIN was not taken
    admin_pin_wrong: bool = False
    # Wrong admin PINs locked the pad: seconds until it opens again (None: open).
    admin_pin_locked_seconds: int | None = None
    problem: Problem | None = None
    # -- the loss report (no card): what the store answered, never what was typed ------------
    loss_report: LossReport | None = None  # personal: the masked name
    loss_password_tries_left: int | None = None  # a wrong service password
    loss_locked_until: datetime | None = None
    loss_refused: str | None = None  # LossReportRefused.reason
    loss_lifted: bool = False  # the card's temporary report was lifted in this session
    slip_failed: bool = False
    card_pulled: bool = False  # the start screen: the card came out while being read
    slip_printed: bool = False
    certificate_printed: bool = False  # the overview says so, and the session goes on
    # -- a remote-care filing request --------------------------------------------------------
    filing_draft: FilingDraft | None = None
    filing_request: FilingRequest | None = None  # personal: the person's own request
    printed: bool = False
    idle_warning_seconds: int | None = None  # the countdown, when it shows
    take_card_reminders: int = 0
    maintenance: MaintenanceInfo | None = None

    @classmethod
    def idle(cls, language: str, elderly: bool) -> View:
        return cls(State.IDLE, language, elderly)

    @property
    def has_personal_data(self) -> bool:
        return any(
            (
                self.summary,
                self.display_name,
                self.history,
                self.contributions,
                self.annual,
                self.family,
                self.filings,
                self.flagged,
                self.loss_report,
                self.filing_request,
            )
        )

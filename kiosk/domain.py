"""Plain, immutable domain types shared by the store, the session, the UI and printing, and
the one way screen and slip write money (`yuan`) and dates (`date_text`): printing may
import this module only, so the formatters live here (kiosk.words re-exports them).

Money is always `decimal.Decimal` with two places; nothing here touches SQL, Qt or cards.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

CENT = Decimal("0.01")
# Dates read the same in both languages: year first, as Chinese readers write them.
DATE_FORMATS = {
    "month": "%Y-%m",
    "day": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
}


def money(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded to the cent (never a float)."""
    return Decimal(value).quantize(CENT)


def yuan(amount: Decimal, sign: bool = False, *, symbol: bool = True) -> str:
    """Money as the person reads it, on screen and slip: ¥1,234.50, -¥56.09; with `sign`
    money in shows +¥105.34 (in and out told apart by more than colour). `symbol=False`
    drops the ¥ where a column of amounts is headed by one (the slip's entries)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money is a Decimal, not {type(amount).__name__}")
    prefix = "-" if amount < 0 else "+" if sign and amount > 0 else ""
    return f"{prefix}{'¥' if symbol else ''}{abs(amount):,.2f}"


def date_text(value: date, to: Literal["month", "day", "minute", "second"] = "day") -> str:
    """2026-11-24 (or 2026-11, 2026-11-24 10:30, 2026-11-24 10:30:05): dates on screen and
    slip, the same in both languages."""
    return value.strftime(DATE_FORMATS[to])


class KnownFailure(Exception):
    """A known failure (store, printer): `kind` says what the person reads, looked up in the
    catalogue by the kiosk (kiosk.words.failures); `operator_message` goes to the log. Neither
    ever holds personal data. card_reader's CardError has the same shape, its own copy,
    because card_reader may not import kiosk."""

    kind: str = "unexpected"

    def __init__(self, operator_message: str = "") -> None:
        self.operator_message = operator_message or type(self).__name__
        super().__init__(self.operator_message)


class InsuranceType(enum.StrEnum):
    EMPLOYEE = "employee"
    RESIDENT = "resident"
    RETIREE = "retiree"


class CardStatus(enum.StrEnum):
    ACTIVE = "active"
    LOST = "lost"
    SUSPENDED = "suspended"
    REPLACED = "replaced"
    CANCELLED = "cancelled"


class LedgerKind(enum.StrEnum):
    CONTRIBUTION = "contribution"
    EMPLOYER_SHARE = "employer_share"
    RETIREE_ALLOCATION = "retiree_allocation"
    OUTPATIENT = "outpatient"
    PHARMACY = "pharmacy"
    INPATIENT_SELF_PAY = "inpatient_self_pay"
    EXAM = "exam"
    FAMILY_AID_OUT = "family_aid_out"
    FAMILY_AID_IN = "family_aid_in"
    CARRYOVER = "carryover"
    REFUND = "refund"
    CORRECTION = "correction"


class InstitutionKind(enum.StrEnum):
    HOSPITAL = "hospital"
    CLINIC = "clinic"
    PHARMACY = "pharmacy"


class FilingType(enum.StrEnum):
    LONG_TERM = "long_term"
    TEMPORARY = "temporary"
    REFERRAL = "referral"


class FilingStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PENDING = "pending"  # requested at a kiosk, not yet approved by the insurance centre


class FlagReason(enum.StrEnum):
    """Why a charge deserves a second look (domain.md, 防止盗刷)."""

    AFTER_CARD_LOST = "after_card_lost"
    TWO_CITIES = "two_cities"
    REMOTE_WITHOUT_FILING = "remote_without_filing"
    DUPLICATE = "duplicate"
    PHARMACY_SPIKE = "pharmacy_spike"
    NIGHT_PHARMACY = "night_pharmacy"


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: int
    posted_at: datetime
    kind: LedgerKind
    amount: Decimal  # signed: money in is positive, money out negative
    balance_after: Decimal
    institution_name: str | None = None
    institution_kind: InstitutionKind | None = None
    region_code: str | None = None
    pooled_amount: Decimal = Decimal("0.00")
    quota_used: Decimal = Decimal("0.00")
    counterpart: str | None = None  # family aid: the other person's masked name
    reference: str | None = None
    flags: tuple[FlagReason, ...] = ()


@dataclass(frozen=True)
class HistoryPage:
    entries: tuple[LedgerEntry, ...]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Contribution:
    period: date  # first day of the month
    base: Decimal
    employee: Decimal
    employer: Decimal
    to_personal_account: Decimal
    arrived_at: datetime | None


@dataclass(frozen=True)
class FamilyBinding:
    counterpart_name: str  # masked
    relation: str  # spouse / child / parent
    direction: str  # "payer" (my account pays for them) or "beneficiary"
    since: date
    transferred_this_year: Decimal


@dataclass(frozen=True)
class RemoteFiling:
    filing_type: FilingType
    region_code: str
    region_name: str
    valid_from: date
    valid_until: date | None
    status: FilingStatus


@dataclass(frozen=True)
class QuotaStatus:
    year: int
    limit: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return max(Decimal("0.00"), self.limit - self.used)


@dataclass(frozen=True)
class AccountSummary:
    """What the overview screen shows right after the PIN."""

    person_name: str  # unmasked: the UI and receipt mask per kiosk.toml
    citizen_id: str
    card_number: str
    insurance_type: InsuranceType
    home_region: str
    balance: Decimal
    quota: QuotaStatus
    last_contribution: Contribution | None
    active_filing: RemoteFiling | None
    family: tuple[FamilyBinding, ...]
    flagged_count: int
    # Where the card was issued, from the chip's card identification code (not the store).
    card_region_code: str = ""
    card_region_name: str = ""


@dataclass(frozen=True)
class AnnualStatement:
    year: int
    opening_balance: Decimal
    income_by_kind: dict[LedgerKind, Decimal]
    spending_by_kind: dict[LedgerKind, Decimal]  # positive amounts
    family_aid_in: Decimal
    family_aid_out: Decimal
    closing_balance: Decimal
    carried_over: Decimal
    spending_by_month: tuple[Decimal, ...] = field(default=())  # 12 values, Jan..Dec

    @property
    def total_in(self) -> Decimal:
        return sum(self.income_by_kind.values(), Decimal("0.00"))

    @property
    def total_out(self) -> Decimal:
        return sum(self.spending_by_kind.values(), Decimal("0.00"))

    @property
    def closing_from_movements(self) -> Decimal:
        """Opening + in - out + family aid in - out: equals `closing_balance` when it reconciles."""
        return (
            self.opening_balance
            + self.total_in
            - self.total_out
            + self.family_aid_in
            - self.family_aid_out
        )


@dataclass(frozen=True)
class FlaggedCharge:
    entry: LedgerEntry
    reasons: tuple[FlagReason, ...]


@dataclass(frozen=True)
class MaskingRules:
    """How much of a name / ID / card number a screen or receipt shows (from kiosk.toml)."""

    mask_name: bool = True
    mask_citizen_id: bool = True
    citizen_id_visible_head: int = 4
    citizen_id_visible_tail: int = 4
    card_number_visible_tail: int = 4


@dataclass(frozen=True)
class ReceiptWords:
    """The words on a receipt, already in the person's language: kiosk.words fills them from
    the catalogue, so printing imports no catalogue. Fields in braces are left for printing:
    `quota` {year}, `to_personal` {period}, `entries` {count}, `family` {name}."""

    title: str
    subtitle: str  # the title in the other language
    kiosk: str
    location: str
    printed_at: str
    serial: str
    name: str
    citizen_id: str
    card_number: str
    card_region: str
    balance: str
    quota: str
    quota_used: str
    quota_left: str
    last_contribution: str
    to_personal: str
    entries: str
    no_entries: str
    head_line1: str
    head_amount: str
    head_line2: str
    head_balance: str
    balance_after: str
    family: str
    flagged: str
    what_to_do: str
    hotlines: str
    code: str
    verify_hint: str
    footer: str
    reason_separator: str
    kinds: Mapping[LedgerKind, str]  # the same words as the screen's history
    reasons: Mapping[FlagReason, str]  # the same words as the screen's charges to check


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt shows; built by kiosk.services, rendered by printing.receipt."""

    kiosk_id: str
    kiosk_location: str
    printed_at: datetime
    serial: str
    person_name: str  # unmasked; the renderer masks per `masking`
    citizen_id: str
    card_number: str
    balance: Decimal
    quota: QuotaStatus
    last_contribution: Contribution | None
    entries: tuple[LedgerEntry, ...]
    flagged: tuple[FlaggedCharge, ...]
    card_hash: str  # hashed card number, for the verification code
    words: ReceiptWords  # in `language`
    masking: MaskingRules = MaskingRules()
    language: str = "zh"
    card_region_code: str = ""  # from the chip, when the slip is printed for an inserted card
    card_region_name: str = ""


# -- the insurance certificate (参保证明), issue 17 -------------------------------------------


class EnrolmentStatus(enum.StrEnum):
    """Where the person stands in the scheme (参保状态)."""

    CONTRIBUTING = "contributing"  # 正常参保缴费
    SUSPENDED = "suspended"  # 暂停缴费 (between jobs, say)
    RETIRED = "retired"  # 退休, receiving allocations
    ENDED = "ended"  # 终止参保


class BaseBand(enum.StrEnum):
    """The latest monthly contribution base as a share of the region's average wage.

    The base is bounded by law to 60 %-300 % of the regional average; a band says where in
    that range a person pays without printing the income the base reveals.
    """

    NONE = "none"  # no wage-based contribution: residents pay a flat premium, retirees none
    FLOOR = "floor"  # at the 60 % floor (or below, pending correction)
    LOWER = "lower"  # above 60 %, below 100 %
    MIDDLE = "middle"  # 100 % to below 200 %
    UPPER = "upper"  # 200 % to below 300 %
    CEILING = "ceiling"  # at the 300 % ceiling (or above)


@dataclass(frozen=True)
class CertificateWords:
    """Every word of a certificate, in one language (kiosk.words.certificate makes them)."""

    title: str
    subtitle: str  # the title in the other language
    statement: str  # "This certifies that the person below is enrolled ..."
    kiosk: str
    location: str
    printed_at: str
    serial: str
    name: str
    citizen_id: str
    card_number: str
    insurance_type: str
    enrolment_start: str
    status: str
    months_this_year: str  # with {year}
    months_total: str
    months_unit: str  # with {months}
    base_band: str
    unit: str
    no_unit: str
    code: str
    verify_hint: str
    footer: str
    types: Mapping[InsuranceType, str]
    statuses: Mapping[EnrolmentStatus, str]
    bands: Mapping[BaseBand, str]


@dataclass(frozen=True)
class CertificateData:
    """What a certificate certifies; printing masks names and numbers per `masking`."""

    kiosk_id: str
    kiosk_location: str
    printed_at: datetime
    serial: str
    person_name: str  # unmasked; the renderer masks per `masking`
    citizen_id: str
    card_number: str
    insurance_type: InsuranceType
    enrolment_start: date | None
    status: EnrolmentStatus
    year: int  # the year `months_this_year` counts
    months_this_year: int
    months_total: int
    base_band: BaseBand
    latest_base: Decimal | None  # not printed: the band is; kept for the session's screen
    unit_name: str  # "" when there is no unit (residents, most retirees)
    unit_code: str  # 统一社会信用代码, "" without a unit
    words: CertificateWords  # in `language`
    masking: MaskingRules = MaskingRules()
    language: str = "zh"
    card_region_code: str = ""
    card_region_name: str = ""


# -- issue 17: the loss report without the card, and the remote-care filing request -------


@dataclass(frozen=True)
class LossReport:
    """A temporary loss report (临时挂失) as the screen and the slip show it."""

    report_no: int
    reported_at: datetime
    expires_at: datetime  # it lapses then, unless confirmed at the counter
    masked_name: str  # masked by the store: the person proved only a password
    citizen_id: str = ""  # as typed at the kiosk; the slip masks it


@dataclass(frozen=True)
class City:
    code: str  # 行政区划代码, e.g. 440100
    name: str


@dataclass(frozen=True)
class Province:
    name: str
    cities: tuple[City, ...]


@dataclass(frozen=True)
class FilingRequest:
    """A remote-care filing request, stored as pending (its filing reads 'pending')."""

    request_no: int
    filing_type: FilingType
    region_code: str
    region_name: str
    province: str
    valid_from: date
    valid_until: date
    requested_at: datetime


@dataclass(frozen=True)
class SlipWords:
    """The words of a loss-report or filing slip, already in the person's language
    (kiosk.words.slips fills them). Braces are left for printing: `holds_until` {until},
    `days` {days}."""

    title: str
    subtitle: str  # the title in the other language
    number: str
    name: str
    citizen_id: str
    when: str
    where: str
    holds_until: str
    status: str
    status_value: str
    kind: str
    kind_value: str
    destination: str
    start: str
    end: str
    days: str
    next_steps: tuple[str, ...]
    footer: str


@dataclass(frozen=True)
class LossReportSlip:
    """Everything a loss-report slip shows; printing.slips renders it."""

    report: LossReport
    citizen_id: str  # as typed; the renderer masks it per `masking`
    kiosk_id: str
    kiosk_location: str
    printed_at: datetime
    words: SlipWords
    masking: MaskingRules = MaskingRules()
    language: str = "zh"


@dataclass(frozen=True)
class FilingSlip:
    """Everything a filing-request slip shows; printing.slips renders it."""

    request: FilingRequest
    kiosk_id: str
    kiosk_location: str
    printed_at: datetime
    words: SlipWords
    masking: MaskingRules = MaskingRules()
    language: str = "zh"

"""What the session needs of the card, the account store and the printer (kiosk.card_access,
kiosk.services and kiosk.printers provide them; tests may pass their own). The session
reaches those parts only through these ports (an import contract checks it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from card_reader.identity import CardFacts, CardProbe, PinResult
from kiosk.domain import (
    AccountSummary,
    AnnualStatement,
    CertificateData,
    Contribution,
    FamilyBinding,
    FilingRequest,
    FlaggedCharge,
    HistoryPage,
    LedgerKind,
    LossReport,
    MaskingRules,
    Province,
    ReceiptData,
    RemoteFiling,
)


class OpenCard(Protocol):
    """One inserted card, opened for this session. Used from the worker thread only."""

    def probe(self) -> CardProbe:
        """SELECT the application and ask the PIN tries left: all the PIN pad needs."""
        ...

    def read_facts(self) -> CardFacts:
        """EF05 (kept once read). PinRequiredError on a card that opens it after the PIN."""
        ...

    def read_holder_if_open(self) -> str | None:
        """Read EF06 and return its citizen ID, unless the card keeps it behind the PIN
        (then None)."""
        ...

    def verify_pin(self, pin: bytearray) -> PinResult:
        """VERIFY; the bytearray is zeroed once the APDU is built."""
        ...

    def change_pin(self, old: bytearray, new: bytearray) -> PinResult:
        """CHANGE PIN from `old` to `new`; both bytearrays are zeroed once the APDU is built."""
        ...

    def close(self) -> None:
        """Disconnect from the card (never raises)."""
        ...


class CardPort(Protocol):
    """The card reader, as the session uses it."""

    def open(self, reader: str) -> OpenCard:
        """Connect to the card in `reader`; every command on it has the card deadline."""
        ...


class AccountPort(Protocol):
    """What the session needs of kiosk.services.AccountService."""

    def card_status(self, card_number: str) -> None:
        """Raise kiosk.store.errors.CardNotActive unless the card is active."""
        ...

    def prove(self, card_number: str, citizen_id: str) -> None:
        """What the chip proved: the store serves `card_number` only to this citizen ID
        (a forged card carrying someone's number is refused), until `forget`."""
        ...

    def forget(self, card_number: str) -> None:
        """The session ended: drop what `prove` was told."""
        ...

    def summary(self, card_number: str, card_region: str = "") -> AccountSummary: ...

    def history(
        self, card_number: str, page: int = 1, page_size: int = 20, kind: LedgerKind | None = None
    ) -> HistoryPage: ...

    def contributions(self, card_number: str, months: int = 12) -> tuple[Contribution, ...]: ...

    def annual_statement(self, card_number: str, year: int | None = None) -> AnnualStatement: ...

    def flagged_charges(self, card_number: str) -> tuple[FlaggedCharge, ...]: ...

    def family_bindings(self, card_number: str) -> tuple[FamilyBinding, ...]: ...

    def filings(self, card_number: str) -> tuple[RemoteFiling, ...]: ...

    def receipt_data(
        self,
        card_number: str,
        printed_at: datetime,
        serial: str,
        masking: MaskingRules = ...,
        *,
        entries: int = 10,
        language: str = "zh",
        card_region: str = "",
    ) -> ReceiptData: ...

    def record_query(
        self, action: str, outcome: str, card_number: str | None = None, reachable: bool = True
    ) -> None: ...

    def certificate_data(
        self,
        card_number: str,
        printed_at: datetime,
        serial: str,
        masking: MaskingRules,
        *,
        language: str = "zh",
        card_region: str = "",
    ) -> CertificateData:
        """The insurance certificate's facts, its words in `language`. CardNotActive and
        StoreUnavailable as the other reads."""
        ...


class ServicePort(Protocol):
    """What the session needs for the loss report, its lifting and the filing request
    (kiosk.citizen_requests.CitizenRequests; issue 17). Refusals are the typed errors of
    kiosk.store.errors, each with a catalogue `kind`: ServicePasswordRefused (tries_left),
    ServicePasswordLocked (until), LossReportRefused (reason), FilingRefused (reason),
    CardNotActive, StoreUnavailable."""

    def report_lost(self, citizen_id: str, service_password: bytearray) -> LossReport:
        """Report the person's current card lost (no card needed); the password bytearray
        is zeroed. An ID nobody enrolled is refused exactly as a wrong password is."""
        ...

    def lift_loss_report(self, card_number: str) -> None:
        """ "I found my card": after the PIN, with the chip's citizen ID proved."""
        ...

    def filing_destinations(self) -> tuple[Province, ...]:
        """The provinces, each with its cities (code and name), a filing may name."""
        ...

    def request_filing(
        self, card_number: str, kind: str, region_code: str, start: date, days: int
    ) -> FilingRequest:
        """Store a pending filing for the card's holder (listed by `filings` as pending)."""
        ...


class ReceiptPort(Protocol):
    """What the session needs of kiosk.printers.ReceiptPrinter."""

    def next_serial(self, now: datetime) -> str: ...

    def print_receipt(self, data: ReceiptData) -> object: ...

    def print_loss_report(self, report: LossReport, language: str) -> object:
        """The loss report's slip: its number, until when it holds, what to do next."""
        ...

    def print_filing_request(self, request: FilingRequest, language: str) -> object:
        """The filing request's slip: kind, destination, dates, pending, its number."""
        ...

    def print_certificate(self, data: CertificateData) -> object:
        """Record the certificate's digest in the store, then print it on 80 mm.
        PrinterProblem as print_receipt; StoreUnavailable / CardNotActive when the store
        cannot record it (nothing is printed then)."""
        ...

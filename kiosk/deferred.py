"""An account service built on first use, so the start screen paints before SQLAlchemy loads.

Importing SQLAlchemy and its dialect costs ~250 ms, more than the whole window. The kiosk
paints the start screen first and builds the real AccountService on the worker thread
(warm-up right after the first paint, or the first heartbeat), long before a card arrives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from kiosk.domain import (
    AccountSummary,
    AnnualStatement,
    CertificateData,
    Contribution,
    FamilyBinding,
    FlaggedCharge,
    HistoryPage,
    LedgerKind,
    MaskingRules,
    ReceiptData,
    RemoteFiling,
)
from kiosk.store.errors import StoreUnavailable

if TYPE_CHECKING:
    from kiosk.services import AccountService

DEFAULT_MASKING = MaskingRules()


class DeferredAccounts:
    """kiosk.session.ports.AccountPort (and the heartbeat's calls), each passed on to the
    AccountService once it is built."""

    def __init__(self, build: Callable[[], AccountService]) -> None:
        self._build = build
        self._service: AccountService | None = None
        self._lock = threading.Lock()

    @property
    def service(self) -> AccountService:
        """The service, built now if it was not; a store that cannot even be set up (a bad
        URL, a missing driver) is StoreUnavailable, like one that does not answer."""
        with self._lock:
            if self._service is None:
                try:
                    self._service = self._build()
                except Exception as error:
                    raise StoreUnavailable(f"store not set up: {type(error).__name__}") from error
            return self._service

    def warm_up(self) -> None:
        """Build the service now (call it on the worker thread)."""
        _ = self.service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()

    # -- what the session asks (kiosk.session.ports.AccountPort) ---------------------------

    def card_status(self, card_number: str) -> None:
        self.service.card_status(card_number)

    def prove(self, card_number: str, citizen_id: str) -> None:
        self.service.prove(card_number, citizen_id)

    def forget(self, card_number: str) -> None:
        self.service.forget(card_number)

    def summary(self, card_number: str, card_region: str = "") -> AccountSummary:
        return self.service.summary(card_number, card_region)

    def history(
        self,
        card_number: str,
        page: int = 1,
        page_size: int = 20,
        kind: LedgerKind | None = None,
        since: date | datetime | None = None,
    ) -> HistoryPage:
        return self.service.history(card_number, page, page_size, kind, since)

    def contributions(self, card_number: str, months: int = 12) -> tuple[Contribution, ...]:
        return self.service.contributions(card_number, months)

    def annual_statement(self, card_number: str, year: int | None = None) -> AnnualStatement:
        return self.service.annual_statement(card_number, year)

    def flagged_charges(self, card_number: str) -> tuple[FlaggedCharge, ...]:
        return self.service.flagged_charges(card_number)

    def family_bindings(self, card_number: str) -> tuple[FamilyBinding, ...]:
        return self.service.family_bindings(card_number)

    def filings(self, card_number: str) -> tuple[RemoteFiling, ...]:
        return self.service.filings(card_number)

    def receipt_data(
        self,
        card_number: str,
        printed_at: datetime,
        serial: str,
        masking: MaskingRules = DEFAULT_MASKING,
        *,
        entries: int = 10,
        language: str = "zh",
        card_region: str = "",
    ) -> ReceiptData:
        return self.service.receipt_data(
            card_number,
            printed_at,
            serial,
            masking,
            entries=entries,
            language=language,
            card_region=card_region,
        )

    def record_query(
        self, action: str, outcome: str, card_number: str | None = None, reachable: bool = True
    ) -> None:
        self.service.record_query(action, outcome, card_number, reachable)

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
        return self.service.certificate_data(
            card_number, printed_at, serial, masking, language=language, card_region=card_region
        )

    # -- what the heartbeat and maintenance ask -------------------------------------------

    def record_heartbeat(
        self,
        reader_state: str,
        printer_state: str,
        paper_left_mm: int | None = None,
        *,
        last_error: str = "",
        version: str = "",
        alerts: str = "",
    ) -> None:
        self.service.record_heartbeat(
            reader_state,
            printer_state,
            paper_left_mm,
            last_error=last_error,
            version=version,
            alerts=alerts,
        )

    def flush_outbox(self) -> int:
        return self.service.flush_outbox()

    @property
    def outbox_pending(self) -> int:
        return self.service.outbox_pending

    @property
    def outbox_held_in_memory(self) -> int:
        """Audit rows the outbox file could not take (a full disk), waiting in memory."""
        return self.service.outbox_held_in_memory

    @property
    def pseudonym_key_notice(self) -> str:
        """Set when this installation's card pseudonym key was damaged and replaced."""
        return self.service.pseudonym_key_notice

    @property
    def outbox_dropped(self) -> int:
        """Audit rows lost because the disk stayed full past the in-memory bound."""
        return self.service.outbox_dropped

"""What a person asks of the insurance centre at a kiosk beyond reading: a loss report
without the card, lifting it, and a remote-care filing request (kiosk.session.ports's
ServicePort). Built in kiosk/app.py over the kiosk's AccountService, so it shares its
store, deadline, clock, pseudonym key and what the chip proved.

The service password arrives as a bytearray and is zeroed here, whatever happens; it never
leaves this process (kiosk/store/service_password.py says what does). Refusals keep their
audit rows and counted tries: the embedded store's transaction commits before the refusal
is raised. The store modules (and so SQLAlchemy) load on the first request, not at start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from kiosk.domain import FilingRequest, LossReport, Province
from kiosk.services import on_fleet_store, proven_citizen_id, write_to_store
from kiosk.store.errors import CardNotActive, CardRefusal, StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from kiosk.services import AccountService

T = TypeVar("T")
DEFAULT_REPORT_DAYS = 7


class CitizenRequests:
    """The loss report, its lifting and the filing request, on either store."""

    def __init__(self, accounts: AccountService, loss_report_days: int = DEFAULT_REPORT_DAYS):
        self.accounts = accounts
        self.loss_report_days = loss_report_days

    def report_lost(self, citizen_id: str, service_password: bytearray) -> LossReport:
        """Report the person's current card lost with their service password (zeroed).

        ServicePasswordRefused (with the tries left), ServicePasswordLocked (until when),
        LossReportRefused ('no_card', 'expired'); an ID nobody enrolled is refused exactly
        as a wrong password is, with the same count."""
        from kiosk.store.loss_reports import check_citizen_id

        try:
            check_citizen_id(citizen_id)  # ValueError: the keypad checks it as it is typed
            return replace(self._report_lost(citizen_id, service_password), citizen_id=citizen_id)
        finally:
            service_password[:] = bytes(len(service_password))

    def _report_lost(self, citizen_id: str, service_password: bytearray) -> LossReport:
        from kiosk.store import loss_reports

        if self._fleet():
            return write_to_store(
                    self.accounts,
                    lambda c: loss_reports.report_lost_on_fleet(
                        c, citizen_id=citizen_id, password=service_password,
                    days=self.loss_report_days,
                ),
            )  # fmt: skip
        key = self.accounts.pseudonyms.key
        return self._embedded(
            lambda c: loss_reports.report_lost(
                c, citizen_id=citizen_id, password=service_password, key=key,
                kiosk_id=self.accounts.kiosk_id, now=self.accounts.clock(),
                days=self.loss_report_days,
            )
        )  # fmt: skip

    def lift_loss_report(self, card_number: str) -> None:
        """The card is back (its PIN verified): lift its report in force. The chip's
        citizen ID must have been proved (AccountService.prove) for the card."""
        from kiosk.store import loss_reports

        citizen_id = self._proven(card_number)
        if self._fleet():
            write_to_store(
                self.accounts,
                lambda c: loss_reports.lift_on_fleet(
                    c, card_number=card_number, citizen_id=citizen_id
                ),
            )
            return
        key = self.accounts.pseudonyms.key
        self._embedded(
            lambda c: loss_reports.lift(
                c, card_number=card_number, citizen_id=citizen_id,
                kiosk_id=self.accounts.kiosk_id, now=self.accounts.clock(), key=key,
            )
        )  # fmt: skip

    def filing_destinations(self) -> tuple[Province, ...]:
        """The provinces and their cities a filing may name (the region table)."""
        from kiosk.store import filing_requests

        if self._fleet():
            return write_to_store(self.accounts, filing_requests.destinations_on_fleet)
        return self._embedded(filing_requests.destinations)

    def request_filing(
        self, card_number: str, kind: str, region_code: str, start: date, days: int
    ) -> FilingRequest:
        """Store a pending remote-care filing for the card's holder; FilingRefused for a
        destination the store does not list (or the home region) or a kind, start or
        length out of bounds."""
        from kiosk.store import filing_requests

        citizen_id = self._proven(card_number)
        today = self.accounts.clock().date()
        if self._fleet():
            return write_to_store(
                self.accounts,
                lambda c: filing_requests.request_on_fleet(
                    c, card_number=card_number, citizen_id=citizen_id, kind=kind,
                    region_code=region_code, start=start, days=days, today=today,
                ),
            )  # fmt: skip
        filing_requests.check_request(kind, start, days, today)

        key = self.accounts.pseudonyms.key

        def stored(connection: Connection) -> FilingRequest:
            from kiosk.store import reads
            from kiosk.store.audit import card_hash
            from kiosk.store.loss_reports import audit

            now = self.accounts.clock()
            kiosk, ref = self.accounts.kiosk_id, card_hash(card_number, key)
            try:  # the gate's checks, as kiosk_api.request_filing makes them
                holder = reads.resolve(connection, card_number, now)
                reads.refuse_reported(connection, card_number, now)
                if holder.citizen_id.strip().upper() != citizen_id:
                    raise CardNotActive(CardRefusal.MISMATCH)
            except CardNotActive as refused:
                outcome = f"refused_{refused.status.value}"
                audit(connection, kiosk, "request_filing", outcome, ref, now=now)
                raise
            audit(connection, kiosk, "request_filing", "ok", ref, now=now)
            return filing_requests.request(
                connection, person_id=holder.person_id, kind=kind, region_code=region_code,
                start=start, days=days, kiosk_id=self.accounts.kiosk_id, now=now,
            )  # fmt: skip

        return self._embedded(stored)

    def _fleet(self) -> bool:
        return on_fleet_store(self.accounts)

    def _proven(self, card_number: str) -> str:
        found = proven_citizen_id(self.accounts, card_number)
        if found is None:
            # The session proves the chip's citizen ID before any screen: a bug if not.
            raise CardNotActive(CardRefusal.MISMATCH, "no citizen ID proved for this card")
        return found

    def _embedded(self, call: Callable[[Connection], T]) -> T:
        """`call` in one committed transaction; a refusal is raised after the commit, so
        its counted try and audit row stay."""
        refused: list[StoreError] = []

        def keeping_refusals(connection: Connection) -> T | None:
            try:
                return call(connection)
            except StoreError as error:
                refused.append(error)
                return None

        result = write_to_store(self.accounts, keeping_refusals)
        if refused:
            raise refused[0]
        return result  # type: ignore[return-value]


class DeferredCitizenRequests:
    """kiosk.session.ports.ServicePort over an AccountService built on first use (the
    kiosk builds it after the first paint: kiosk/deferred.py)."""

    def __init__(self, accounts: Callable[[], AccountService], loss_report_days: int) -> None:
        self._accounts = accounts
        self._days = loss_report_days
        self._built: CitizenRequests | None = None

    @property
    def requests(self) -> CitizenRequests:
        if self._built is None:
            self._built = CitizenRequests(self._accounts(), self._days)
        return self._built

    def report_lost(self, citizen_id: str, service_password: bytearray) -> LossReport:
        try:
            requests = self.requests
        except BaseException:
            service_password[:] = bytes(len(service_password))  # zeroed even then
            raise
        return requests.report_lost(citizen_id, service_password)

    def lift_loss_report(self, card_number: str) -> None:
        self.requests.lift_loss_report(card_number)

    def filing_destinations(self) -> tuple[Province, ...]:
        return self.requests.filing_destinations()

    def request_filing(
        self, card_number: str, kind: str, region_code: str, start: date, days: int
    ) -> FilingRequest:
        return self.requests.request_filing(card_number, kind, region_code, start, days)

"""AccountService: the only way the session flow reads the account store.

Each public call is one short read-only transaction with a deadline (store.timeout_seconds),
answers with kiosk.domain types, and leaves an audit row (card number hashed). Known
failures are typed: CardNotActive (lost / replaced / expired / suspended / cancelled /
unknown) and StoreUnavailable (unreachable, too slow, or not set up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kiosk.domain import (
    AccountSummary,
    AnnualStatement,
    CertificateData,
    Contribution,
    FamilyBinding,
    FlaggedCharge,
    HistoryPage,
    InsuranceType,
    LedgerKind,
    MaskingRules,
    ReceiptData,
    RemoteFiling,
)
from kiosk.store.errors import CardNotActive, CardRefusal, StoreError, StoreUnavailable
from kiosk.store_calls import StoreCalls
from kiosk.words import receipt_words

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import sessionmaker

    from kiosk.config import KioskConfig
    from kiosk.store.reads import Holder

__all__ = [
    "AccountService",
    "CardNotActive",
    "CardRefusal",
    "StoreError",
    "StoreUnavailable",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_PAGE_SIZE = 100
DEFAULT_MASKING = MaskingRules()
OUTBOX_NAME = "audit-outbox.sqlite3"


class AccountService:
    """Queries for one kiosk. Thread-safe for the kiosk's single store worker thread."""

    def __init__(
        self,
        store: Engine | sessionmaker,  # type: ignore[type-arg]
        kiosk_id: str,
        clock: Callable[[], datetime] = datetime.now,
        *,
        timeout_seconds: float = 3.0,
        outbox_path: Path | None = None,
        audit: bool = True,
        kiosk_location: str = "",
        key_dir: Path | None = None,
        pseudonym_key: bytes | None = None,
    ) -> None:
        """The card pseudonym key (kiosk/pseudonym_key.py) is `pseudonym_key`, or the file
        `pseudonym-key` in `key_dir`, by default the outbox's folder (data_dir, as
        from_config has it), read or made when a pseudonym is first needed."""
        from sqlalchemy import Engine

        from kiosk.pseudonym_key import PseudonymKey
        from kiosk.store.audit import AuditWriter
        from kiosk.store.outbox import AuditOutbox

        engine = store if isinstance(store, Engine) else store.kw["bind"]
        self.engine: Engine = engine
        self.kiosk_id = kiosk_id
        self.kiosk_location = kiosk_location
        self.clock = clock
        self.audit = audit
        self._store = StoreCalls(engine, timeout_seconds)
        outbox = AuditOutbox(outbox_path or Path("var") / OUTBOX_NAME)
        self._audit = AuditWriter(engine, outbox)
        self.pseudonyms = PseudonymKey(key_dir or outbox.path.parent, pseudonym_key)
        self._region_names: dict[str, str] = {}
        # What the chip proved for the card in the reader: card number -> citizen ID.
        self._proofs: dict[str, str] = {}
        # A kiosk role on the fleet store calls kiosk_api functions, never tables; decided
        # on the first call that reaches the store.
        self._fleet: bool | None = None if engine.dialect.name == "postgresql" else False

    @property
    def timeout_seconds(self) -> float:
        return self._store.timeout_seconds

    @classmethod
    def from_config(
        cls, config: KioskConfig, clock: Callable[[], datetime] = datetime.now
    ) -> AccountService:
        """The service for kiosk.toml's store URL, timeout and data_dir (for the outbox)."""
        from kiosk.store.engine import make_engine

        engine = make_engine(config.store_url(), config.store.timeout_seconds)
        made = cls(
            engine,
            config.kiosk.id,
            clock,
            timeout_seconds=config.store.timeout_seconds,
            outbox_path=config.data_dir / OUTBOX_NAME,
            kiosk_location=config.kiosk.location,
            key_dir=config.data_dir,
        )
        made.pseudonyms.problem()  # made (or replaced) at start, while nobody waits
        return made

    # -- the queries -------------------------------------------------------------------

    def card_status(self, card_number: str) -> None:
        """CardNotActive unless this is the person's current, active card: asked before the
        PIN, so a lost or replaced card is turned away while the PIN is still being typed."""
        if self._on_fleet():
            from kiosk.store import fleet_api

            self._store.function_call(lambda c: fleet_api.card_status(c, card_number))
            return
        self._call("card_status", card_number, lambda connection, holder, now: None)

    def prove(self, card_number: str, citizen_id: str) -> None:
        """From now on `card_number` opens the accounts only if the store has it for
        `citizen_id` (read from the same chip): knowing a card number is not enough."""
        self._proofs[card_number] = _normal_id(citizen_id)

    def forget(self, card_number: str) -> None:
        self._proofs.pop(card_number, None)

    def summary(self, card_number: str, card_region: str = "") -> AccountSummary:
        """The overview: balance, quota, last contribution, filing, family, flagged count;
        `card_region` (from the chip) is named as the region the card was issued in."""
        from kiosk.store import reads

        def query(connection: Connection, holder: Holder, now: datetime) -> AccountSummary:
            recent = reads.recent_charges(connection, holder.person_id, now)
            found = reads.filings(connection, holder.person_id, now.date())
            return AccountSummary(
                person_name=holder.name,
                citizen_id=holder.citizen_id,
                card_number=card_number,
                insurance_type=InsuranceType(holder.insurance_type),
                home_region=holder.home_region,
                balance=holder.balance,
                quota=holder.quota,
                last_contribution=reads.last_contribution(connection, holder.person_id),
                active_filing=reads.active_filing(found, now.date()),
                family=reads.family_bindings(connection, holder.person_id, recent, now.year),
                flagged_count=len(reads.analyse(recent, holder, found)),
                card_region_code=card_region,
                card_region_name=self._region_name(connection, card_region),
            )

        return self._call(
            "summary",
            card_number,
            query,
            ("overview", lambda now: {"year": now.year, "region_code": card_region or None}),
        )

    def history(
        self,
        card_number: str,
        page: int = 1,
        page_size: int = 20,
        kind: LedgerKind | None = None,
        since: date | datetime | None = None,
    ) -> HistoryPage:
        """Ledger entries newest first; `page` counts from 1; entries carry their flags."""
        from kiosk.store import reads

        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page >= 1 and 1 <= page_size <= {MAX_PAGE_SIZE}")
        start = since if isinstance(since, datetime) or since is None else _midnight(since)
        return self._call(
            "history",
            card_number,
            lambda c, h, now: reads.history(
                c, h, now, page=page, page_size=page_size, kind=kind, since=start
            ),
            (
                "history_page",
                lambda now: {
                    "kind": kind.value if kind is not None else None,
                    "since": start,
                    "page_limit": page_size,
                    "page_offset": (page - 1) * page_size,
                },
            ),
        )

    def contributions(self, card_number: str, months: int = 12) -> tuple[Contribution, ...]:
        """The last `months` months of contributions (or retiree allocations), newest first."""
        from kiosk.store import reads

        def since(now: datetime) -> date:
            index = now.year * 12 + now.month - 1 - (months - 1)
            return date(index // 12, index % 12 + 1, 1)

        def query(
            connection: Connection, holder: Holder, now: datetime
        ) -> tuple[Contribution, ...]:
            return reads.contributions(connection, holder.person_id, since(now))

        api = ("contributions", lambda now: {"since": since(now)})
        return self._call("contributions", card_number, query, api)

    def annual_statement(self, card_number: str, year: int | None = None) -> AnnualStatement:
        """The year's statement (default: this year), reconciling to the ledger to the cent."""
        from kiosk.store import reads

        def bounds(now: datetime) -> dict[str, object]:
            chosen = year or now.year
            return {"start": datetime(chosen, 1, 1), "stop": datetime(chosen + 1, 1, 1)}

        return self._call(
            "annual_statement",
            card_number,
            lambda c, h, now: reads.annual_statement(c, h.person_id, year or now.year, now.date()),
            ("annual_statement", bounds),
        )

    def flagged_charges(self, card_number: str) -> tuple[FlaggedCharge, ...]:
        """Recent charges that deserve a second look (domain.md), newest first."""
        return self._call("flagged_charges", card_number, _flagged, ("charges_to_check", _recent))

    def family_bindings(self, card_number: str) -> tuple[FamilyBinding, ...]:
        from kiosk.store import reads

        def query(
            connection: Connection, holder: Holder, now: datetime
        ) -> tuple[FamilyBinding, ...]:
            recent = reads.recent_entries(connection, holder.person_id, now)
            return reads.family_bindings(connection, holder.person_id, recent, now.year)

        return self._call("family_bindings", card_number, query, ("family_aid", _recent))

    def filings(self, card_number: str) -> tuple[RemoteFiling, ...]:
        """Every remote-care filing, newest first (expired and revoked ones too)."""
        from kiosk.store import reads

        return self._call(
            "filings",
            card_number,
            lambda c, h, now: reads.filings(c, h.person_id, now.date()),
            ("filings", lambda now: {}),
        )

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
        """Everything a receipt shows, read in one transaction, with its words in `language`."""
        from kiosk.store import reads
        from kiosk.store.audit import card_hash

        # This installation's pseudonym, on the fleet store too: the receipt journal and
        # `kiosk receipt verify --card-number` are this kiosk's. PseudonymKeyError (a full
        # disk) fails the slip, before the store is asked.
        pseudonym = card_hash(card_number, self.pseudonyms.key)

        def query(connection: Connection, holder: Holder, now: datetime) -> ReceiptData:
            page = reads.history(connection, holder, now, page=1, page_size=max(1, entries))
            return ReceiptData(
                kiosk_id=self.kiosk_id,
                kiosk_location=self.kiosk_location,
                printed_at=printed_at,
                serial=serial,
                person_name=holder.name,
                citizen_id=holder.citizen_id,
                card_number=card_number,
                balance=holder.balance,
                quota=holder.quota,
                last_contribution=reads.last_contribution(connection, holder.person_id),
                entries=page.entries[:entries],
                flagged=_flagged(connection, holder, now),
                card_hash=pseudonym,
                words=receipt_words(language),
                masking=masking,
                language=language,
                card_region_code=card_region,
                card_region_name=self._region_name(connection, card_region),
            )

        def api(now: datetime) -> dict[str, object]:
            return {**_recent(now), "entries": max(1, entries), "region_code": card_region or None}

        return self._call("receipt", card_number, query, ("receipt_data", api))

    def certificate_data(
        self,
        card_number: str,
        printed_at: datetime,
        serial: str,
        masking: MaskingRules = DEFAULT_MASKING,
        *,
        language: str = "zh",
        card_region: str = "",
    ) -> CertificateData:
        """The insurance certificate's facts (kiosk.certificates), words in `language`."""
        from kiosk.certificates import certificate_data
        from kiosk.store import certificate_reads

        def build(holder: Holder, facts: certificate_reads.EnrolmentFacts) -> CertificateData:
            return certificate_data(
                holder,
                facts,
                card_number=card_number,
                kiosk_id=self.kiosk_id,
                kiosk_location=self.kiosk_location,
                printed_at=printed_at,
                serial=serial,
                masking=masking,
                language=language,
                card_region=card_region,
            )

        def table(connection: Connection, holder: Holder, now: datetime) -> CertificateData:
            facts = certificate_reads.table_facts(connection, holder, now, card_region)
            return build(holder, facts)

        def fleet(connection: Connection) -> CertificateData:
            citizen_id = self._proofs.get(card_number)
            holder, facts = certificate_reads.fleet_facts(
                connection, card_number, citizen_id, self.clock(), card_region
            )
            return build(holder, facts)

        return self._served(
            "certificate", card_number, table, lambda: self._store.function_call(fleet)
        )

    def _served(
        self,
        action: str,
        card_number: str,
        table: Callable[[Connection, Holder, datetime], T],
        fleet: Callable[[], T] | None,
    ) -> T:
        """A screen's read, audited: on the fleet store `fleet` (its kiosk_api call, which
        audits server-side), else `table` on the embedded store."""
        outcome, reachable, on_fleet = "ok", True, False
        try:
            on_fleet = fleet is not None and self._on_fleet()
            if on_fleet and fleet is not None:
                return fleet()
            return self._read(card_number, table)
        except CardNotActive as refused:
            outcome = f"refused_{refused.status.value}"
            raise
        except StoreUnavailable:
            outcome, reachable = "store_unavailable", False
            raise
        finally:
            # The fleet store audits every call it answered itself; the kiosk keeps only
            # those that never reached it.
            if self.audit and not (on_fleet and reachable):
                self.record_query(action, outcome, card_number, reachable)

    # -- audit and heartbeat -----------------------------------------------------------

    def record_query(
        self, action: str, outcome: str, card_number: str | None = None, reachable: bool = True
    ) -> None:
        """An audit row for something the service did not see itself (a print, a PIN block).

        The queries above audit themselves. Never raises: a row the store cannot take waits
        in the local outbox (under data_dir) and is written when the store answers again.
        """
        from kiosk.pseudonym_key import PseudonymKeyError
        from kiosk.store.audit import new_record

        # Only the table path keys the card here, by this installation's pseudonym. A kiosk
        # role on the fleet store (or a PostgreSQL store not asked yet) keeps no
        # card-derived value on this disk: the server keys what reaches it.
        fleet = self._fleet is not False
        kept = None if fleet else card_number
        try:
            key = self.pseudonyms.key if kept else b""
        except PseudonymKeyError as error:  # a full disk: the row matters more than its card
            log.warning("audit row %s kept without its card: %s", action, error)
            kept, key = None, b""
        record = new_record(self.kiosk_id, action, outcome, kept, self.clock(), key=key)
        try:
            self._audit.write(record, reachable, card_number if fleet else None)
        except Exception:  # the audit trail must never break a session
            log.exception("audit row lost: the outbox failed too")

    def flush_outbox(self) -> int:
        """Write waiting audit rows to the store; returns how many were written."""
        return self._audit.flush()

    @property
    def outbox_pending(self) -> int:
        return self._audit.outbox.pending_count()

    @property
    def outbox_held_in_memory(self) -> int:
        """Audit rows the outbox file could not take (a full disk), held and retried."""
        return self._audit.outbox.held_count()

    @property
    def outbox_dropped(self) -> int:
        """Audit rows lost since start: more held in memory than its bound (10,000)."""
        return self._audit.outbox.dropped

    @property
    def pseudonym_key_notice(self) -> str:
        """For the maintenance screen: the pseudonym key was damaged and replaced, or ""."""
        return self.pseudonyms.notice

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
        """Upsert this kiosk's heartbeat row; raises StoreUnavailable when it cannot.

        `last_error` is the latest problem in operator words (its first line is kept,
        redacted, at most 200 characters); `version` the kiosk software's version; `alerts`
        what the kiosk's own watch raises (kiosk.app.KioskParts.alerts).
        """
        from sqlalchemy.exc import SQLAlchemyError

        from kiosk.store.engine import deadline

        try:
            self._on_fleet()
            with deadline(self.timeout_seconds):
                self._audit.heartbeat(
                    self.kiosk_id,
                    self.clock(),
                    reader_state,
                    printer_state,
                    paper_left_mm,
                    last_error=last_error,
                    version=version,
                    alerts=alerts,
                )
        except SQLAlchemyError as error:
            raise StoreUnavailable(f"heartbeat not written: {type(error).__name__}") from None

    def close(self) -> None:
        self._audit.outbox.close()
        self.hand_back_connections()
        self.engine.dispose()

    def hand_back_connections(self) -> None:
        """Return the connection the embedded store's reads keep to the engine's pool."""
        self._store.hand_back()

    # -- plumbing ----------------------------------------------------------------------

    def _on_fleet(self) -> bool:
        """Whether this service is a kiosk role on the fleet store (asked once)."""
        if self._fleet is None:
            from kiosk.store import fleet_api

            self._fleet = self._store.function_call(fleet_api.is_kiosk_role, commit=False)
            self._audit.functions = self._fleet
        return self._fleet

    def _call(
        self,
        action: str,
        card_number: str,
        query: Callable[[Connection, Holder, datetime], T],
        api: tuple[str, Callable[[datetime], dict[str, Any]]] | None = None,
    ) -> T:
        fleet = None if api is None else (lambda: self._fleet_read(card_number, query, *api))
        return self._served(action, card_number, query, fleet)

    def _read(self, card_number: str, query: Callable[[Connection, Holder, datetime], T]) -> T:
        from kiosk.store import reads

        def call(connection: Connection) -> T:
            now = self.clock()
            holder = reads.resolve_with_report(connection, card_number, now)  # and issue 17
            proof = self._proofs.get(card_number)
            if proof is not None and proof != _normal_id(holder.citizen_id):
                raise CardNotActive(CardRefusal.MISMATCH)
            return query(connection, holder, now)

        return self._store.read(call)

    def _fleet_read(
        self,
        card_number: str,
        query: Callable[[Connection, Holder, datetime], T],
        screen: str,
        arguments: Callable[[datetime], dict[str, Any]],
    ) -> T:
        from kiosk.store import fleet_api, reads

        def call(connection: Connection) -> T:
            now = self.clock()
            citizen_id = self._proofs.get(card_number)
            found = fleet_api.screen(connection, screen, card_number, citizen_id, arguments(now))
            bundle = cast("Connection", found)  # it answers execute() as reads.py asks it
            holder = reads.resolve(bundle, card_number, now)
            return query(bundle, holder, now)

        return self._store.function_call(call)

    def _region_name(self, connection: Connection, code: str) -> str:
        """Region names hardly ever change: ask the store once per code."""
        from kiosk.store import reads

        if not code:
            return ""
        if code not in self._region_names:
            self._region_names[code] = reads.region_name(connection, code)
        return self._region_names[code]


def _flagged(connection: Connection, holder: Holder, now: datetime) -> tuple[FlaggedCharge, ...]:
    from kiosk.store import reads

    recent = reads.recent_entries(connection, holder.person_id, now)
    flags = reads.analyse(recent, holder, reads.filings(connection, holder.person_id, now.date()))
    return tuple(
        FlaggedCharge(entry=reads.to_entry(row, flags), reasons=flags[row.entry_no])
        for row in reversed(recent)
        if row.entry_no in flags
    )


def _normal_id(citizen_id: str) -> str:
    return citizen_id.strip().upper()  # the check character may be x or X


def _recent(now: datetime) -> dict[str, object]:
    """The flag look-back the screens' recent ledger rows start at."""
    from kiosk.store.flags import LOOKBACK

    return {"since": now - LOOKBACK}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


# -- issue 17: what kiosk.citizen_requests needs of the account service ----------------------


def on_fleet_store(service: AccountService) -> bool:
    """Whether `service` is a kiosk role on the fleet store (kiosk_api functions only)."""
    return service._on_fleet()


def write_to_store(service: AccountService, call: Callable[[Connection], T]) -> T:
    """`call` on the store with the service's deadline, committed: on the fleet store its
    statements each commit on their own (autocommit), on the embedded one together."""
    if service._on_fleet():
        return service._store.function_call(call)
    return service._store.transaction(call, commit=True)


def proven_citizen_id(service: AccountService, card_number: str) -> str | None:
    """The citizen ID the chip proved for `card_number` (AccountService.prove), if any."""
    return service._proofs.get(card_number)

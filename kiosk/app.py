"""The composition root: builds the reader, the store, the printer and the session from
kiosk.toml. The only place that picks concrete backends; ui/ asks it for a ready session."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from card_reader.health import HealthState
from kiosk.card_access import ReaderCards
from kiosk.deferred import DeferredAccounts
from kiosk.health import HealthWatch
from kiosk.masking import rules_for
from kiosk.recent_problems import RecentProblems
from kiosk.session import Session
from kiosk.session.settings import SessionSettings
from kiosk.session.view import MaintenanceInfo
from kiosk.store.errors import StoreError
from kiosk.worker import Post, ThreadWorker, Worker

if TYPE_CHECKING:
    from card_reader.backends.base import ReaderBackend
    from kiosk.config import KioskConfig
    from kiosk.domain import CertificateData, FilingRequest, LossReport, ReceiptData
    from kiosk.printers import ReceiptPrinter
    from kiosk.session.ports import ServicePort
    from printing.dispatch import Printer

log = logging.getLogger(__name__)
STATE_CHARS = 32


class ConfiguredReceipts:
    """The session's receipt port: serials from kiosk.toml's data_dir, the configured printer."""

    def __init__(self, config: KioskConfig, printer: ReceiptPrinter) -> None:
        self._config = config
        self.printer = printer

    def next_serial(self, now: datetime) -> str:
        from kiosk.printers import next_serial

        return next_serial(self._config, now)

    def print_receipt(self, data: ReceiptData) -> object:
        return self.printer.print_receipt(data)

    def print_certificate(self, data: CertificateData) -> object:
        return self.printer.print_certificate(data)

    def print_loss_report(self, report: LossReport, language: str) -> object:
        from kiosk.words.slips import loss_report_slip

        return self.printer.print_slip(loss_report_slip(report, language, **self._slip_place()))

    def print_filing_request(self, request: FilingRequest, language: str) -> object:
        from kiosk.words.slips import filing_slip

        return self.printer.print_slip(filing_slip(request, language, **self._slip_place()))

    def _slip_place(self) -> dict[str, Any]:
        """Where and when a slip is printed, and how it masks (kiosk.toml)."""
        return {
            "kiosk_id": self._config.kiosk.id,
            "kiosk_location": self._config.kiosk.location,
            "printed_at": datetime.now(),
            "masking": rules_for(self._config.privacy),
        }


@dataclass
class KioskParts:
    config: KioskConfig
    backend: ReaderBackend
    accounts: DeferredAccounts  # the AccountService, built after the first paint
    receipts: ConfiguredReceipts
    worker: Worker
    session: Session
    problems: RecentProblems
    watch: HealthWatch

    def warm_up(self) -> None:
        """Load what the first person would otherwise wait for: the store driver and the
        receipt fonts (~200 ms). Runs on the worker, after the start screen is painted."""
        from printing.receipt import register_fonts

        self.accounts.warm_up()
        register_fonts()

    def heartbeat(self) -> str:
        """Write this kiosk's heartbeat and flush waiting audit rows (runs on the worker).

        Returns the store's state in operator words; never raises, since a kiosk whose
        store is down must keep serving the screens it can.
        """
        reader, printer_words, _detail = self._device_states()
        printer = self.receipts.printer
        errors = self.problems.lines()
        try:
            self.accounts.record_heartbeat(  # the columns hold 32 characters
                reader[:STATE_CHARS],
                printer_words[:STATE_CHARS],
                printer.paper_left_mm,
                last_error=errors[-1] if errors else "",
                version=kiosk_version(),
                alerts="; ".join(self.alerts()),
            )
            flushed = self.accounts.flush_outbox()
        except StoreError as error:
            return f"unreachable ({error.operator_message})"
        if flushed:
            log.info("audit outbox: %d row(s) written to the store", flushed)
        return "ok"

    def alerts(self) -> list[str]:
        """What the fleet's operators must hear of although the kiosk still serves."""
        found = [self.watch.verdict.words()]
        if self.session.card_left_behind:
            found.append("card left in the reader")
        if self.receipts.printer.key_notice:
            found.append("receipt key was damaged and replaced")
        try:
            if self.accounts.pseudonym_key_notice:
                found.append("card pseudonym key was damaged and replaced")
        except StoreError:  # the store not even set up: the heartbeat says so itself
            pass
        if locked := self.session.admin_pin_locked_for():
            wrong = self.session.admin_pin_failures
            found.append(f"admin PIN pad locked {locked:.0f} s ({wrong} wrong in a row)")
        try:
            held, dropped = self.accounts.outbox_held_in_memory, self.accounts.outbox_dropped
        except StoreError:  # the store not even set up: the heartbeat says so itself
            held = dropped = 0
        if held:
            found.append(f"{held} audit row(s) held in memory (outbox disk full)")
        if dropped:
            found.append(f"{dropped} audit row(s) lost (outbox disk full too long)")
        return [alert for alert in found if alert]

    def reader_words(self) -> str:
        """The reader as the monitor last saw it, in operator words: never a fresh PC/SC
        context, which would answer "ok" while the monitor itself is stuck."""
        health = self.backend.health()
        if health.state is HealthState.OK:
            return f"ok ({len(health.readers)})"
        return f"{health.state.value}: {health.detail}" if health.detail else health.state.value

    def _device_states(self) -> tuple[str, str, str]:
        reader = self.reader_words()
        status = self.receipts.printer.status()
        printer_words = "ready" if status.ready else ", ".join(p.value for p in status.problems)
        return reader, printer_words, status.detail

    def health(self) -> MaintenanceInfo:
        """Reader, printer, store and paper, for the maintenance screen (runs on the worker)."""
        reader, printer_words, detail = self._device_states()
        printer = self.receipts.printer
        store = self.heartbeat()
        return MaintenanceInfo(
            reader=reader,
            printer=printer_words + (f" - {detail}" if detail else ""),
            store=store,
            paper_left_mm=printer.paper_left_mm,
            paper_low=printer.paper_low,
            outbox_pending=self.accounts.outbox_pending,  # first: reading it retries held rows
            last_errors=self.problems.lines(),
            key_notice="; ".join(
                n for n in (printer.key_notice, self.accounts.pseudonym_key_notice) if n
            ),
            outbox_held_in_memory=self.accounts.outbox_held_in_memory,
        )

    def close(self) -> None:
        self.session.close()
        self.worker.shutdown()
        self.backend.close()
        self.accounts.close()
        logging.getLogger().removeHandler(self.problems)


def kiosk_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sscard-kiosk")
    except PackageNotFoundError:
        return "unknown"


def reader_backend(config: KioskConfig) -> ReaderBackend:
    if config.reader.backend == "pcsc":
        from card_reader.backends.pcsc import PcscBackend

        return PcscBackend(config.reader.name_pattern)
    from card_reader.backends.virtual import VirtualBackend

    return VirtualBackend()


def ensure_demo_store(config: KioskConfig, now: datetime) -> bool:
    """Seed the demo accounts on first use when the store is a SQLite file not there yet;
    bring an older demo file's schema up to date (the fleet store is migrated by its operator)."""
    from sqlalchemy.engine import make_url

    from kiosk.store.engine import make_engine, sqlite_path
    from kiosk.store.migrate import current_revision, head_revision, upgrade
    from kiosk.store.seeding import create_store

    url = config.store_url()
    parsed = make_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is None:
        return False
    if path.exists():
        engine = make_engine(url, config.store.timeout_seconds)
        try:
            if current_revision(engine) != head_revision():
                log.info("upgrading the demo store's schema")
                upgrade(engine)
        finally:
            engine.dispose()
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    log.info("seeding the demo store on first use")
    create_store(url, now, persons=0, years=3, seed=1)
    return True


def build_kiosk(
    config: KioskConfig,
    post: Post,
    *,
    backend: ReaderBackend | None = None,
    printer: Printer | None = None,
    worker: Worker | None = None,
    on_exit: Callable[[], None] | None = None,
    now: Callable[[], datetime] = datetime.now,
    monotonic: Callable[[], float] = time.monotonic,
) -> KioskParts:
    from kiosk.printers import ReceiptPrinter
    from kiosk.services import AccountService
    from kiosk.slip_records import DocumentRecorder

    problems = RecentProblems()
    logging.getLogger().addHandler(problems)
    reader = backend if backend is not None else reader_backend(config)
    accounts = DeferredAccounts(lambda: AccountService.from_config(config, now))
    # Slips are recorded over the AccountService's own engine: one store connection a kiosk.
    documents = DocumentRecorder(
        lambda: accounts.service.engine,
        config.data_dir,
        config.kiosk.id,
        timeout_seconds=config.store.timeout_seconds,
    )
    receipts = ConfiguredReceipts(config, ReceiptPrinter.from_config(config, printer, documents))
    runner = worker if worker is not None else ThreadWorker(post)
    holder: list[KioskParts] = []

    def health() -> MaintenanceInfo:  # the parts exist by the time anyone asks
        return holder[0].health()

    settings = SessionSettings.from_config(config)
    session = Session(
        ReaderCards(reader, settings.card_command_seconds),
        accounts,
        receipts,
        runner,
        settings,
        monotonic=monotonic,
        now=now,
        health=health,
        on_exit=on_exit,
        refill_paper=receipts.printer.refilled,
        services=citizen_requests(config, accounts),
    )
    watch = HealthWatch(runner, lambda: reader.health().monitor_age_seconds, clock=monotonic)
    parts = KioskParts(config, reader, accounts, receipts, runner, session, problems, watch)
    holder.append(parts)
    return parts


def citizen_requests(config: KioskConfig, accounts: DeferredAccounts) -> ServicePort:
    """The session's ServicePort (issue 17): the loss report, its lifting and the filing
    request, over the kiosk's own AccountService once it is built."""
    from kiosk.citizen_requests import DeferredCitizenRequests

    return DeferredCitizenRequests(lambda: accounts.service, config.services.loss_report_days)

"""The composition root: builds the reader, the store, the printer and the session from
kiosk.toml. The only place that picks concrete backends; ui/ asks it for a ready session."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.recent_problems import RecentProblems
from kiosk.session import Session
from kiosk.session_settings import SessionSettings
from kiosk.session_view import MaintenanceInfo
from kiosk.store.errors import StoreError
from kiosk.worker import Post, ThreadWorker, Worker

if TYPE_CHECKING:
    from card_reader.backends.base import ReaderBackend
    from kiosk.config import KioskConfig
    from kiosk.domain import ReceiptData
    from kiosk.printers import ReceiptPrinter
    from kiosk.services import AccountService
    from printing.dispatch import Printer

log = logging.getLogger(__name__)


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


@dataclass
class KioskParts:
    config: KioskConfig
    backend: ReaderBackend
    accounts: AccountService
    receipts: ConfiguredReceipts
    worker: Worker
    session: Session
    problems: RecentProblems

    def health(self) -> MaintenanceInfo:
        """Reader, printer, store and paper, for the maintenance screen (runs on the worker)."""
        readers = self.backend.list_readers()
        reader = f"ok ({len(readers)})" if readers else "no reader"
        printer = self.receipts.printer
        status = printer.status()
        printer_words = "ready" if status.ready else ", ".join(p.value for p in status.problems)
        try:
            self.accounts.record_heartbeat(reader, printer_words, printer.paper_left_mm)
            store = "ok"
        except StoreError as error:
            store = f"unreachable ({error.operator_message})"
        return MaintenanceInfo(
            reader=reader,
            printer=printer_words + (f" - {status.detail}" if status.detail else ""),
            store=store,
            paper_left_mm=printer.paper_left_mm,
            paper_low=printer.paper_low,
            outbox_pending=self.accounts.outbox_pending,
            last_errors=self.problems.lines(),
        )

    def close(self) -> None:
        self.session.close()
        self.worker.shutdown()
        self.backend.close()
        self.accounts.close()
        logging.getLogger().removeHandler(self.problems)


def reader_backend(config: KioskConfig) -> ReaderBackend:
    if config.reader.backend == "pcsc":
        from card_reader.backends.pcsc import PcscBackend

        return PcscBackend(config.reader.name_pattern)
    from card_reader.backends.virtual import VirtualBackend

    return VirtualBackend()


def ensure_demo_store(config: KioskConfig, now: datetime) -> bool:
    """Seed the demo accounts on first use when the store is a SQLite file not there yet."""
    from sqlalchemy.engine import make_url

    from kiosk.store.engine import sqlite_path
    from kiosk.store.seeding import create_store

    url = config.store_url()
    parsed = make_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is None or path.exists():
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

    problems = RecentProblems()
    logging.getLogger().addHandler(problems)
    reader = backend if backend is not None else reader_backend(config)
    accounts = AccountService.from_config(config, now)
    receipts = ConfiguredReceipts(config, ReceiptPrinter.from_config(config, printer))
    runner = worker if worker is not None else ThreadWorker(post)
    holder: list[KioskParts] = []

    def health() -> MaintenanceInfo:  # the parts exist by the time anyone asks
        return holder[0].health()

    session = Session(
        reader,
        accounts,
        receipts,
        runner,
        SessionSettings.from_config(config),
        monotonic=monotonic,
        now=now,
        health=health,
        on_exit=on_exit,
        refill_paper=receipts.printer.refilled,
    )
    parts = KioskParts(config, reader, accounts, receipts, runner, session, problems)
    holder.append(parts)
    return parts

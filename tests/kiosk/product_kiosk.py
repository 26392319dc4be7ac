"""A kiosk built as the product builds it from kiosk.toml (AccountService.from_config, the
configured printer, the session), on the virtual reader, an inline worker and a fake clock:
for tests that search what a kiosk leaves behind (logs, journal, audit rows, outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from card_reader.backends.virtual import VirtualBackend
from kiosk.app import ConfiguredReceipts
from kiosk.card_access import ReaderCards
from kiosk.config import KioskConfig
from kiosk.printers import ReceiptPrinter
from kiosk.services import AccountService
from kiosk.session import Session
from kiosk.session.settings import SessionSettings
from kiosk.session.view import State
from kiosk.worker import InlineWorker
from realparts.clock import FakeClock
from tests.session_kit import NOW, demo_card


@dataclass
class Kiosk:
    config: KioskConfig
    backend: VirtualBackend
    session: Session
    accounts: AccountService
    clock: FakeClock

    def insert(self, key: str) -> None:
        self.backend.insert(demo_card(key))
        if self.session.view.state is State.READING:  # held back after failing cards
            self.clock.advance(61)
            self.session.tick()

    def pin(self, digits: str) -> None:
        self.session.submit_pin(bytearray(digits.encode("ascii")))

    def remove(self) -> None:
        self.backend.remove()
        assert self.session.view.state is State.IDLE


def product_kiosk(config: KioskConfig) -> Kiosk:
    accounts = AccountService.from_config(config, clock=lambda: NOW)
    backend = VirtualBackend()
    receipts = ConfiguredReceipts(config, ReceiptPrinter.from_config(config))
    clock = FakeClock()
    settings = SessionSettings.from_config(config)
    session = Session(
        ReaderCards(backend, settings.card_command_seconds),
        accounts,
        receipts,
        InlineWorker(),
        settings,
        monotonic=clock,
        now=lambda: NOW,
    )
    backend.subscribe(session.handle_reader_event)
    return Kiosk(config, backend, session, accounts, clock)

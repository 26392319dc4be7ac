"""A session wired to a virtual reader and a seeded SQLite store, for the session tests."""

from __future__ import annotations

from card_reader.backends.base import ReaderBackend
from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator.card import Faults
from kiosk.admin_pin import hash_admin_pin
from kiosk.card_access import ReaderCards
from kiosk.services import AccountService
from kiosk.session import Session
from kiosk.session.ports import ServicePort
from kiosk.session.settings import SessionSettings
from kiosk.session.view import MaintenanceInfo, State, View
from kiosk.worker import InlineWorker, Worker
from realparts.clock import FakeClock
from tests.session_kit import (
    NOW,
    PINS,
    RecordingReceipts,
    demo_card,
)

SETTINGS = SessionSettings(admin_pin_hash=hash_admin_pin("246810"))
HEALTH = MaintenanceInfo("Virtual Reader 0: ok", "spool: ok", "ok", 49000, False, 0, ())


class Kiosk:
    """A session wired to a virtual reader, with the views it published."""

    def __init__(
        self,
        accounts: AccountService,
        worker: Worker | None = None,
        receipts: RecordingReceipts | None = None,
        settings: SessionSettings = SETTINGS,
        backend: ReaderBackend | None = None,
        *,
        services: ServicePort | None = None,
    ) -> None:
        self.backend = VirtualBackend()
        self.clock = FakeClock()
        self.receipts = receipts or RecordingReceipts()
        self.exited = False
        self.session = Session(
            ReaderCards(backend or self.backend, settings.card_command_seconds),
            accounts,
            self.receipts,
            worker or InlineWorker(),
            settings,
            monotonic=self.clock,
            now=lambda: NOW,
            health=lambda: HEALTH,
            on_exit=self._exit,
            services=services,
        )
        self.views: list[View] = []
        self.session.subscribe(self.views.append)
        self.backend.subscribe(self.session.handle_reader_event)

    def _exit(self) -> None:
        self.exited = True

    @property
    def view(self) -> View:
        return self.session.view

    def insert(self, key: str, faults: Faults | None = None) -> None:
        self.backend.insert(demo_card(key, faults))

    def pin(self, digits: str) -> bytearray:
        buffer = bytearray(digits.encode("ascii"))
        self.session.submit_pin(buffer)
        return buffer

    def signed_in(self, key: str = "zhang-wei") -> None:
        self.insert(key)
        self.pin(PINS[key])
        assert self.view.state is State.OVERVIEW

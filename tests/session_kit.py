"""Shared pieces for session and UI tests: a seeded demo store, demo cards, a receipt spy."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from card_reader.simulator.card import Faults, SimulatedCard
from card_reader.simulator.profiles import build_card, profile
from kiosk.domain import CertificateData, FilingRequest, LossReport, ReceiptData
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store
from realparts.clock import START

NOW = START  # the stores are seeded at the time the fake clock starts
PINS = {p: profile(p).pin for p in ("zhang-wei", "wang-zhe", "li-kun", "long-name")}


def seed_demo_store(folder: Path) -> str:
    """A SQLite demo store (the demo people only) at NOW; returns its URL."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    create_store(url, NOW, persons=0, years=2, seed=7)
    return url


def account_service(url: str, outbox: Path) -> AccountService:
    return AccountService(
        make_engine(url, timeout_seconds=3.0),
        "test-kiosk",
        lambda: NOW,
        outbox_path=outbox,
        kiosk_location="测试点",
    )


def demo_card(key: str, faults: Faults | None = None) -> SimulatedCard:
    return build_card(profile(key), faults)


class RecordingReceipts:
    """Stands in for the printer in session-logic tests (the real ones run in tests/printing)."""

    def __init__(self, problem: Exception | None = None) -> None:
        self.printed: list[ReceiptData] = []
        self.slips: list[tuple[LossReport | FilingRequest, str]] = []
        self.certificates: list[CertificateData] = []
        self.problem = problem
        self._count = 0

    def next_serial(self, now: datetime) -> str:
        self._count += 1
        return f"T{now:%Y%m%d}-{self._count:04d}"

    def print_receipt(self, data: ReceiptData) -> object:
        if self.problem is not None:
            raise self.problem
        self.printed.append(data)
        return data

    def print_loss_report(self, report: LossReport, language: str) -> object:
        if self.problem is not None:
            raise self.problem
        self.slips.append((report, language))
        return report

    def print_certificate(self, data: CertificateData) -> object:
        if self.problem is not None:
            raise self.problem
        self.certificates.append(data)
        return data

    def print_filing_request(self, request: FilingRequest, language: str) -> object:
        if self.problem is not None:
            raise self.problem
        self.slips.append((request, language))
        return request

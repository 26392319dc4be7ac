"""Fixtures for the speech tests: a seeded demo store and a Kiosk session on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.services import AccountService
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import account_service, seed_demo_store


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_store(tmp_path_factory.mktemp("speech-store"))


@pytest.fixture
def accounts(store_url: str, tmp_path: Path) -> Iterator[AccountService]:
    service = account_service(store_url, tmp_path / "outbox.sqlite3")
    yield service
    service.close()


@pytest.fixture
def kiosk(accounts: AccountService) -> Kiosk:
    return Kiosk(accounts)

"""Every store test runs twice: on a SQLite file and on the throwaway PostgreSQL cluster."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store

NOW = datetime(2026, 11, 24, 10, 30)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


@pytest.fixture(scope="module", params=BACKENDS)
def store_url_factory(
    request: pytest.FixtureRequest,
) -> Iterator[Callable[[str], str]]:
    """name -> URL of an empty database on this module's backend."""
    folder = request.getfixturevalue("tmp_path_factory").mktemp("store")
    module = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])

    def sqlite_url(name: str) -> str:
        return f"sqlite:///{folder / name}.sqlite3"

    if request.param == "sqlite":
        yield sqlite_url
    else:
        database = request.getfixturevalue("postgres_database")
        yield lambda name: database(f"{module}_{name}")


@pytest.fixture(scope="module")
def backend(store_url_factory: Callable[[str], str]) -> str:
    return "postgresql" if store_url_factory("probe").startswith("postgresql") else "sqlite"


@pytest.fixture(scope="module")
def demo_url(store_url_factory: Callable[[str], str]) -> str:
    """The demo people plus 300 generated ones, at NOW."""
    url = store_url_factory("demo")
    create_store(url, NOW, persons=300, years=2, seed=7)
    return url


@pytest.fixture
def service(demo_url: str, tmp_path: Path) -> Iterator[AccountService]:
    engine = make_engine(demo_url, timeout_seconds=3.0)
    account_service = AccountService(
        engine,
        "test-kiosk",
        lambda: NOW,
        outbox_path=tmp_path / "outbox.sqlite3",
        kiosk_location="测试点",
    )
    try:
        yield account_service
    finally:
        account_service.close()

"""The two stores the loss-report and filing tests run on, behind one face.

`sqlite`: an embedded store file, kiosks sharing it, a fake clock that `elapse` moves.
`postgresql`: a database of its own on the package's throwaway cluster (the other tests'
store stays untouched), each kiosk its own kiosk role calling kiosk_api; the server's now()
is real, so `elapse` moves the stored timestamps back instead.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from kiosk.citizen_requests import CitizenRequests
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.roles import grant_kiosk_role
from kiosk.store.seeding import create_store
from realparts.postgres import PostgresCluster

NOW = datetime(2026, 11, 24, 10, 30)
# Every stored time a test may move back: the reports, the lock, the audit rows.
_TIMES = (
    ("loss_report", ("reported_at", "expires_at", "closed_at")),
    ("service_password_try", ("locked_until", "last_at")),
    ("card", ("status_changed_at",)),
)


@dataclass
class Kiosk:
    accounts: AccountService
    requests: CitizenRequests
    kiosk_id: str


@dataclass
class CitizenStore:
    backend: str
    url: str
    owner: Engine
    folder: Path
    cluster_base: Path | None = None
    database: str = ""
    clock: list[datetime] = field(default_factory=lambda: [NOW])
    _kiosks: list[Kiosk] = field(default_factory=list)
    _names: Iterator[int] = field(default_factory=itertools.count)

    def now(self) -> datetime:
        """The store's time: the fake clock, or the server's."""
        if self.backend == "sqlite":
            return self.clock[0]
        with self.owner.connect() as connection:
            return connection.execute(text("SELECT localtimestamp")).scalar_one()  # type: ignore[no-any-return]

    def kiosk(self, name: str = "", days: int = 7) -> Kiosk:
        kiosk_id = f"lr_{name or 'k'}_{next(self._names)}"
        if self.backend == "sqlite":
            url = self.url
        else:
            grant_kiosk_role(self.owner, kiosk_id)
            url = f"postgresql+psycopg://{kiosk_id}@/{self.database}?host={self.cluster_base}"
        accounts = AccountService(
            make_engine(url, 10.0),
            kiosk_id,
            lambda: self.clock[0] if self.backend == "sqlite" else datetime.now(),
            outbox_path=self.folder / f"{kiosk_id}.outbox.sqlite3",
            key_dir=self.folder,  # one installation key: the kiosks share the embedded store
        )
        made = Kiosk(accounts, CitizenRequests(accounts, days), kiosk_id)
        self._kiosks.append(made)
        return made

    def elapse(self, delta: timedelta) -> None:
        if self.backend == "sqlite":
            self.clock[0] += delta
            return
        with self.owner.begin() as connection:
            for table, columns in _TIMES:
                moved = ", ".join(f"{c} = {c} - CAST(:d AS interval)" for c in columns)
                connection.execute(text(f"UPDATE {table} SET {moved}"), {"d": delta})
            connection.execute(
                text(
                    "UPDATE kiosk_api.password_challenge SET created_at = created_at"
                    " - CAST(:d AS interval), answered_at = answered_at - CAST(:d AS interval)"
                ),
                {"d": delta},
            )

    def rows(self, sql: str, **values: Any) -> list[Any]:
        with self.owner.connect() as connection:
            return list(connection.execute(text(sql), values))

    def close(self) -> None:
        for kiosk in self._kiosks:
            kiosk.accounts.close()
        self.owner.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


def citizen_store(
    request: pytest.FixtureRequest, name: str, *, persons: int, seed: int
) -> CitizenStore:
    """A seeded store of its own for one test module, on the backend `request` names
    (SQLite in a temp folder, or a database `name` on the package's PostgreSQL cluster)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-"))
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'store.sqlite3'}"
        made = CitizenStore("sqlite", url, make_engine(url, 10.0), folder)
    else:
        cluster: PostgresCluster = request.getfixturevalue("api_cluster")
        url = cluster.create_database(name)
        made = CitizenStore("postgresql", url, make_engine(url, 10.0), folder, cluster.base, name)
    create_store(url, NOW, persons=persons, years=1, seed=seed)
    return made

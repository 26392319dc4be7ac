"""A throwaway PostgreSQL 15 cluster for tests and benchmarks, startable as root.

initdb and postgres refuse to run as root, so the cluster belongs to the `postgres` user
and lives in a mkdtemp() directory it owns (pytest's tmp_path is not traversable by it).
It listens only on a unix socket in that directory. About 0.85 s to start.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PG_BIN = Path(os.environ.get("KIOSK_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"


class PostgresCluster:
    """initdb + pg_ctl start/stop; `url(db)` gives a psycopg URL over the unix socket.

    As a context manager it is started on entry and stopped and deleted on exit.
    """

    def __init__(self, base: Path | None = None, settings: dict[str, str] | None = None) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.settings = {"fsync": "off", "full_page_writes": "off", **(settings or {})}
        account = pwd.getpwnam(PG_USER) if os.geteuid() == 0 else None
        self._ids = (account.pw_uid, account.pw_gid) if account else None

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        extra: dict[str, Any] = {}
        if self._ids is not None:
            extra = {"user": self._ids[0], "group": self._ids[1], "extra_groups": []}
        return subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=True, **extra
        )

    @property
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def init(self) -> None:
        if self._ids is not None:
            os.chown(self.base, *self._ids)
        self.base.chmod(0o755)
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            PG_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            for key, value in self.settings.items():
                conf.write(f"{key} = {value}\n")

    def start(self) -> None:
        """initdb if needed, then start and wait until it accepts connections."""
        if not self.initialised:
            self.init()
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            f"-k {self.base} -c listen_addresses=''",
            "start",
        )

    def stop(self, mode: str = "immediate", wait_seconds: float = 60) -> None:
        """pg_ctl stop, waiting up to `wait_seconds` (a fast stop's checkpoint may be long)."""
        wait = str(int(wait_seconds))
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", wait, "stop",
            timeout=wait_seconds + 30,
        )  # fmt: skip

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@/{database}?host={self.base}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        with psycopg.connect(
            host=str(self.base),
            user=PG_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        """Stop (if running) and delete everything."""
        if self.running:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

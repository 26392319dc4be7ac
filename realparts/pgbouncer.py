"""A throwaway PgBouncer (Debian `pgbouncer`, 1.18) in transaction mode before a PostgresCluster.

How the fleet reaches its store (issue 16): every kiosk logs in as its own kiosk role (the
kiosk_api functions know it by `session_user`), through PgBouncer, which lends it a backend
for one transaction at a time. PgBouncer refuses to run as root, so here it runs as the
`postgres` user, in a mkdtemp() directory that user owns (pytest's tmp_path is not
traversable by it), on a free TCP port of 127.0.0.1, in the foreground as our child.

Pools are per (database, user), so 1,000 kiosk roles are 1,000 pools; `FLEET_SETTINGS`
keeps them from needing 1,000 backends:

- `default_pool_size = 1`, `max_user_connections = 1`: a kiosk role gets at most one
  backend, however many client connections it opens (a kiosk holds one; a thief with a
  stolen credential and a hundred connections still has one backend, and the functions
  run one kiosk role's calls one at a time anyway).
- `max_db_connections`: the backends of the whole fleet database, all pools together,
  the auth_user's included. What PostgreSQL serves best is a few per core, not one per
  kiosk. When they are all taken and another kiosk needs one, PgBouncer closes an idle
  backend of another pool (it logs "evicted"); only backends inside a transaction are
  never taken, and a kiosk that finds all of them in one waits in PgBouncer's queue.
- `server_idle_timeout = 60`: with eviction this does not decide how kiosks share the
  backends; it gives idle ones back when the fleet is quiet, and keeps a kiosk's backend
  warm between the screens of a session while there are enough. The price of per-role
  pools: once more kiosks are active than max_db_connections, nearly every transaction
  opens a fresh backend (a fork, a login, connect_query, the functions' plans made
  again), and PostgreSQL still lists an evicted backend for the few milliseconds it
  takes to exit.
- `min_pool_size = 0`, `reserve_pool_size = 0`: nothing kept per kiosk.
- `query_wait_timeout` (`timeout_seconds`): a kiosk waiting longer than this for a backend
  is disconnected, so it sees an unavailable store (and reconnects on its next call)
  rather than hanging in the queue for PgBouncer's default 120 s. The kiosk's login waits
  for a backend too (PgBouncer needs one for auth_query and for a new pool's first
  client); its connect_timeout bounds that.
- `idle_transaction_timeout`: a client idle inside a transaction longer than the
  kiosk's idle_in_transaction_session_timeout is disconnected: it would hold a backend.
- `ignore_startup_parameters = options`: PgBouncer 1.18 refuses a client whose startup
  packet has `options` ("unsupported startup parameter"), and the kiosk sends its
  statement_timeout, lock_timeout and idle_in_transaction_session_timeout that way
  (kiosk.store.engine). PgBouncer drops them and sets the same bounds on every backend it
  opens, with the database's `connect_query` (`timeout_seconds`), so a call through
  PgBouncer is bounded like a direct one; a client cannot pass any server option through
  it at all.
- `max_client_conn`: the kiosks that may be connected at once (2,000 by default), and the
  file descriptor limit raised to match (the postgres user's soft limit is 1,024 here).

Authentication: `auth_type = hba`. Over TCP every client logs in with SCRAM-SHA-256 against
the verifier PostgreSQL holds for its role, fetched by `auth_query` (as `auth_user`,
here the cluster's superuser `postgres`, which the private cluster trusts on its socket):
a kiosk role made by `kiosk db grant-kiosk-role --password` works at once, with no user
list to keep in step, and one whose LOGIN is taken away cannot log in again. The default
`auth_query` answers only for direct members of `sscard_kiosk`, so PgBouncer lets no admin
role in; on a real server the lookup should be a SECURITY DEFINER function a non-superuser
`auth_user` may call (PgBouncer's documentation). PgBouncer logs in to PostgreSQL as the
kiosk role: trusted on this private cluster; on a real one with SCRAM, which PgBouncer
can do with a secret from auth_query once the client itself logged in with SCRAM
(pgbouncer(5), "Authentication file format"). The admin console (`show`, `console`) is
reached as `postgres` over PgBouncer's own unix socket (mode 0700), trusted.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from realparts.postgres import PG_USER, PostgresCluster

if TYPE_CHECKING:
    import psycopg

PGBOUNCER = Path(os.environ.get("KIOSK_PGBOUNCER", "/usr/sbin/pgbouncer"))
HOST = "127.0.0.1"
# Only kiosk roles (direct members of kiosk.store.roles.KIOSK_GROUP, LOGIN, password not
# expired) get a verifier: nobody else logs in through PgBouncer.
KIOSK_AUTH_QUERY = (
    "SELECT r.rolname, CASE WHEN r.rolvaliduntil < now() THEN NULL ELSE r.rolpassword END"
    " FROM pg_catalog.pg_authid r"
    " JOIN pg_catalog.pg_auth_members m ON m.member = r.oid"
    " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
    " WHERE r.rolname = $1 AND r.rolcanlogin AND g.rolname = 'sscard_kiosk'"
)
SHARED_RESET_QUERY = (
    "CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *;"
    " SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES"
)
FLEET_SETTINGS: Mapping[str, str] = {
    "pool_mode": "transaction",
    "default_pool_size": "1",
    "max_user_connections": "1",
    "max_db_connections": "10",
    "min_pool_size": "0",
    "reserve_pool_size": "0",
    "server_idle_timeout": "60",
    "server_lifetime": "3600",
    "max_client_conn": "2000",
    "ignore_startup_parameters": "options",
}
START_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class PgBouncer:
    """PgBouncer before `cluster`'s `databases`; `url(role, password, database)` reaches it.

    `settings` override FLEET_SETTINGS; `timeout_seconds` bounds every statement, lock wait
    and idle transaction on the backends it opens, and a client's wait for a backend. As a
    context manager it is started on entry and stopped and deleted on exit.
    """

    def __init__(
        self,
        cluster: PostgresCluster,
        databases: Sequence[str] = ("postgres",),
        *,
        settings: Mapping[str, str] | None = None,
        timeout_seconds: float = 3.0,
        auth_query: str = KIOSK_AUTH_QUERY,
        base: Path | None = None,
        pool_user: str | None = None,
    ) -> None:
        self.cluster = cluster
        self.databases = tuple(databases)
        self.timeout_seconds = timeout_seconds
        self.settings = {
            **FLEET_SETTINGS,
            "query_wait_timeout": f"{timeout_seconds:g}",
            "idle_transaction_timeout": f"{max(timeout_seconds * 10, 10):g}",
            **(settings or {}),
        }
        if pool_user:
            # One pool: it may have every backend the database may. And every kiosk's next
            # transaction may run on the backend another kiosk just used, so what a session
            # can leave behind (a SET statement_timeout, a session advisory lock, a temp
            # table shadowing a type) is undone after each one: DISCARD ALL without its
            # DISCARD PLANS, which would make PL/pgSQL plan each function's statements again.
            # The timeouts connect_query set are the pool login's role settings instead
            # (grant_pool_role), which RESET ALL returns to.
            backends = self.settings["max_db_connections"]
            shared = {
                "default_pool_size": backends,
                "max_user_connections": backends,
                "server_reset_query": SHARED_RESET_QUERY,
                "server_reset_query_always": "1",
            }
            self.settings |= {k: v for k, v in shared.items() if k not in (settings or {})}
        self.auth_query = auth_query
        # Set: every client reaches PostgreSQL as this one role, one pool for the fleet
        # (migration 0008; kiosks then name and prove themselves per call).
        self.pool_user = pool_user
        self.base = base or Path(tempfile.mkdtemp(prefix="kiosk-pgbouncer-"))
        self.ini = self.base / "pgbouncer.ini"
        self.log = self.base / "pgbouncer.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        account = pwd.getpwnam(PG_USER) if os.geteuid() == 0 else None
        self._ids = (account.pw_uid, account.pw_gid) if account else None

    @property
    def max_db_connections(self) -> int:
        return int(self.settings["max_db_connections"])

    @property
    def max_client_conn(self) -> int:
        return int(self.settings["max_client_conn"])

    @property
    def file_limit(self) -> int:
        """Descriptors PgBouncer needs: a socket per client and per backend, and a margin."""
        return self.max_client_conn + self.max_db_connections + 256

    def url(self, role: str, password: str = "", database: str | None = None) -> str:
        """A psycopg URL for `role` through PgBouncer (TCP, as a kiosk of the fleet)."""
        database = database or self.databases[0]
        secret = f":{quote(password, safe='')}" if password else ""
        return f"postgresql+psycopg://{role}{secret}@{HOST}:{self.port}/{database}"

    def _write_config(self) -> None:
        ms = int(self.timeout_seconds * 1000)
        idle_ms = max(ms * 10, 10000)
        connect_query = (
            f"SET statement_timeout = {ms}; SET lock_timeout = {ms};"
            f" SET idle_in_transaction_session_timeout = {idle_ms}"
        )
        lines = ["[databases]"]
        lines += [
            f"{name} = host={self.cluster.base} port=5432 dbname={name}"
            f" connect_query='{connect_query}'"
            + (f" user={self.pool_user}" if self.pool_user else "")
            for name in self.databases
        ]
        lines += [
            "",
            "[pgbouncer]",
            f"listen_addr = {HOST}",
            f"listen_port = {self.port}",
            f"unix_socket_dir = {self.base}",
            "unix_socket_mode = 0700",
            f"logfile = {self.log}",
            f"pidfile = {self.base / 'pgbouncer.pid'}",
            "auth_type = hba",
            f"auth_hba_file = {self.base / 'hba.conf'}",
            f"auth_file = {self.base / 'users.txt'}",
            f"auth_user = {PG_USER}",
            f"auth_query = {self.auth_query}",
            f"admin_users = {PG_USER}",
            f"stats_users = {PG_USER}",
            *(f"{key} = {value}" for key, value in self.settings.items()),
            "",
        ]
        self.ini.write_text("\n".join(lines), encoding="utf-8")
        # Over TCP: SCRAM for everyone; the console over its own socket: the superuser.
        (self.base / "hba.conf").write_text(
            f"local pgbouncer {PG_USER} trust\nhost all all {HOST}/32 scram-sha-256\n",
            encoding="utf-8",
        )
        # The auth_user needs no password here (the private cluster trusts its socket).
        # So does the pool user, whose login this file must then hold.
        users = [PG_USER, *([self.pool_user] if self.pool_user else [])]
        (self.base / "users.txt").write_text(
            "".join(f'"{user}" ""\n' for user in users), encoding="utf-8"
        )
        if self._ids is not None:
            for path in (self.base, self.ini, self.base / "hba.conf", self.base / "users.txt"):
                os.chown(path, *self._ids)
        self.base.chmod(0o755)

    def _raise_file_limit(self) -> None:
        # The child raises its soft limit itself (ulimit); only root may raise the hard one.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        del soft
        if hard != resource.RLIM_INFINITY and hard < self.file_limit:
            if os.geteuid() != 0:
                raise RuntimeError(
                    f"pgbouncer needs {self.file_limit} file descriptors; the hard limit is {hard}"
                )
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.file_limit, self.file_limit))

    def start(self) -> None:
        """Start on a free port; wait until it accepts connections (3 tries if the port is
        taken meanwhile)."""
        if not PGBOUNCER.exists():
            raise FileNotFoundError(f"{PGBOUNCER} missing: run scripts/setup.sh (pgbouncer)")
        self._raise_file_limit()
        for attempt in (1, 2, 3):
            self.port = free_port()
            self._write_config()
            self.log.unlink(missing_ok=True)
            self._spawn()
            try:
                self._wait_ready()
                return
            except RuntimeError:
                taken = "Address already in use" in self.log_text()
                self.stop()
                if not taken or attempt == 3:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self) -> None:
        extra: dict[str, Any] = {}
        if self._ids is not None:
            extra = {"user": self._ids[0], "group": self._ids[1], "extra_groups": []}
        self._stderr = (self.base / "stderr.log").open("ab")
        self._process = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                'ulimit -n "$1" && exec "$2" "$3"',
                "pgbouncer",
                str(self.file_limit),
                str(PGBOUNCER),
                str(self.ini),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            **extra,
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited at start:\n{self.log_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.2):
                return
            time.sleep(0.02)
        raise RuntimeError(f"pgbouncer did not listen within {START_SECONDS} s")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_text(self) -> str:
        parts = [self.base / "stderr.log", self.log]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    @contextlib.contextmanager
    def console(self) -> Iterator[psycopg.Connection[Any]]:
        """PgBouncer's admin console (SHOW POOLS, SHOW SERVERS, ...) as `postgres`."""
        import psycopg

        with psycopg.connect(
            host=str(self.base),
            port=self.port,
            user=PG_USER,
            dbname="pgbouncer",
            autocommit=True,
            connect_timeout=5,
            prepare_threshold=None,  # the console speaks the simple query protocol only
        ) as connection:
            yield connection

    def show(self, what: str) -> list[dict[str, Any]]:
        """`SHOW what` on the console, as one dict per row."""
        if not what.replace("_", "").isalpha():
            raise ValueError(f"not a SHOW command: {what!r}")
        with self.console() as connection:
            cursor = connection.execute(f"SHOW {what}")
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stop(self) -> None:
        """Stop at once (SIGTERM: PgBouncer's immediate shutdown), killed after 5 s."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> PgBouncer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        """Stop (if running) and delete everything."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

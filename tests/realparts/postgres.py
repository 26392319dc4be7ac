"""Real-part fixture: a throwaway PostgreSQL 15 cluster, started once per test session.

Each test module asks `postgres_database(name)` for a fresh database of its own, so the
modules stay independent. The cluster is owned by the `postgres` user in a mkdtemp()
directory and listens only on a unix socket there (the harness is realparts/postgres.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from realparts.postgres import PG_BIN, PostgresCluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    if not (PG_BIN / "initdb").exists():
        # Fail, not skip: scripts/setup.sh installs it, and a skipped test proves nothing.
        pytest.fail(
            f"PostgreSQL 15 server binaries missing in {PG_BIN}: run `bash scripts/setup.sh`"
        )
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_database(postgres_cluster: PostgresCluster) -> Callable[[str], str]:
    """name -> the URL of a new, empty database on the session's cluster."""
    return postgres_cluster.create_database

"""A bench killed while it seeds the store section's stores, then run again (issue 19).

`kiosk bench --json --quick --only store` on a cache of its own: its section's process is
killed with SIGKILL while SQLite is seeded, then again while PostgreSQL is (pg_ctl started
the postmaster in a session of its own: it is left running), then the bench runs to the
end. A store is reused only once its seeding finished; the cluster left running is stopped
and reused, not a failure on its lock file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.cluster_recovery import cluster_processes, stop_left_running
from realparts.postgres import PG_USER, PostgresCluster
from tests.bench.bench_process import CHILD_PID, REPO, bench_command, bench_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
PERSONS = 20_000  # the store section's --quick scale
STORE = ("--json", "--quick", "--only", "store")


@dataclass
class Killed:
    returncode: int
    results: dict[str, Any]
    stderr: list[str]


def _killed_at(cache: Path, when: Callable[[str], bool]) -> Killed:
    """Run the bench; SIGKILL its store section's process at the first stderr line `when`
    accepts; let the bench itself finish."""
    bench = subprocess.Popen(
        bench_command(*STORE),
        env=bench_env(cache),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert bench.stderr is not None
    seen, child = [], None
    for line in bench.stderr:
        seen.append(line.rstrip("\n"))
        found = CHILD_PID.match(seen[-1])
        if found:
            child = int(found.group(2))
        if child is not None and when(seen[-1]):
            os.kill(child, signal.SIGKILL)
            break
    out, rest = bench.communicate(timeout=120)
    assert child is not None, seen
    return Killed(bench.returncode, json.loads(out), seen + rest.splitlines())


def _seeding(backend: str) -> Callable[[str], bool]:
    # Past "starting": the store's reset is done and its rows are being made.
    return lambda line: f"seeding {backend}" in line and "starting" not in line


@dataclass
class Recovery:
    cache: Path
    sqlite_kill: Killed
    sqlite_marker_after_kill: bool
    postgres_kill: Killed
    markers_after_postgres_kill: tuple[bool, bool]
    left_running: dict[int, str]
    final: subprocess.CompletedProcess[str]
    left_after_final: dict[int, str]


@pytest.fixture(scope="module")
def recovery() -> Iterator[Recovery]:
    # Not pytest's tmp_path: the postgres user must reach the cluster's folder.
    cache = Path(tempfile.mkdtemp(prefix="kiosk-bench-recovery-"))
    cache.chmod(0o755)
    sqlite_marker = cache / f"sqlite-{PERSONS}.json"
    pg_marker = cache / f"pg-{PERSONS}" / "seeded.json"
    data = cache / f"pg-{PERSONS}" / "data"
    try:
        first = _killed_at(cache, _seeding("sqlite"))
        sqlite_after = sqlite_marker.exists()
        second = _killed_at(cache, _seeding("postgresql"))
        markers = (sqlite_marker.exists(), pg_marker.exists())
        left = cluster_processes(data)
        final = subprocess.run(
            bench_command(*STORE),
            env=bench_env(cache),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=800,
            check=False,
        )
        yield Recovery(
            cache, first, sqlite_after, second, markers, left, final, cluster_processes(data)
        )
    finally:
        if (data / "postmaster.pid").exists() or cluster_processes(data):
            stop_left_running(PostgresCluster(cache / f"pg-{PERSONS}"))
        shutil.rmtree(cache, ignore_errors=True)


def test_a_section_killed_while_seeding_is_reported_and_leaves_no_marker(
    recovery: Recovery,
) -> None:
    for killed in (recovery.sqlite_kill, recovery.postgres_kill):
        assert killed.returncode == 1
        assert killed.results["store"]["error"].startswith("killed by SIGKILL")
    assert not recovery.sqlite_marker_after_kill
    # The second run seeded SQLite to the end before PostgreSQL was killed.
    assert recovery.markers_after_postgres_kill == (True, False)


def test_the_killed_bench_left_its_postmaster_running(recovery: Recovery) -> None:
    # What the next run must cope with (before issue 19: a failure on the lock file).
    assert "postgres" in recovery.left_running.values()


def test_the_next_run_recovers_reusing_only_the_store_that_was_complete(
    recovery: Recovery,
) -> None:
    final = recovery.final
    assert final.returncode == 0, final.stderr[-3000:]
    store = json.loads(final.stdout)["store"]
    assert "error" not in store
    assert store["details"]["sqlite"]["store"]["reused"] is True
    assert store["details"]["postgresql"]["store"]["reused"] is False
    assert "stopping the cluster a killed bench left running" in final.stderr
    assert store["postgresql.overview_round_trips"]["value"] == 1
    assert recovery.left_after_final == {}  # the section stopped its cluster


def test_a_stale_lock_file_whose_pid_is_another_program_is_cleared(recovery: Recovery) -> None:
    cluster = PostgresCluster(recovery.cache / f"pg-{PERSONS}")
    lock = cluster.data / "postmaster.pid"
    # The pid of a crashed postmaster, taken since by another program of the cluster's
    # user (another cluster's backend, say): PostgreSQL takes it for a running postmaster.
    # (Another user's pid, or an ancestor's, it would take for stale itself.)
    user = PG_USER if os.geteuid() == 0 else None
    other = subprocess.Popen(["sleep", "120"], user=user)
    try:
        lock.write_text(f"{other.pid}\n{cluster.data}\n")
        with pytest.raises(subprocess.CalledProcessError):
            cluster.start()  # what PostgreSQL itself makes of it
        assert stop_left_running(cluster) is True
    finally:
        other.kill()
        other.wait()
    assert not lock.exists()
    cluster.start()
    try:
        assert "postgres" in cluster_processes(cluster.data).values()
    finally:
        cluster.stop(mode="fast")

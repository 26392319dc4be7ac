"""A cached PostgreSQL cluster that a killed bench left behind, made startable again.

pg_ctl starts the postmaster in a session of its own, so killing a bench (even with
SIGKILL, even its whole process group) leaves the cluster running, its postmaster.pid in
place. What is left is found by the processes whose working directory is the cluster's
data directory (every PostgreSQL process has it):

- a live postmaster: a fast stop (its backends' work is rolled back), waiting for the
  shutdown checkpoint as long as it takes, else an immediate stop;
- backends whose postmaster is gone: killed (nothing of theirs is kept; the next start
  replays the WAL), so none still holds the old shared memory;
- then a postmaster.pid whose process is gone (or whose pid another program now has) is
  stale and removed, so the next start never fails on the lock file.

Only called with the cluster's lock held (bench/store_cache.py): no other bench uses it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from bench.progress import Progress
from realparts.postgres import PostgresCluster

STOP_WAIT_SECONDS = 600.0  # a fast stop's checkpoint after a big seeding
GONE_WAIT_SECONDS = 30.0


def cluster_processes(data: Path) -> dict[int, str]:
    """pid -> command name of every process working in `data`."""
    wanted = data.resolve()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == wanted:
                found[int(entry.name)] = (entry / "comm").read_text().strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _wait_gone(data: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while cluster_processes(data):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def stop_left_running(cluster: PostgresCluster) -> bool:
    """Stop whatever of `cluster` still runs and clear a stale lock; True if there was any."""
    data = cluster.data
    lock = data / "postmaster.pid"
    if not lock.exists() and not cluster_processes(data):
        return False
    progress = Progress("store postgresql", 0, "")
    running = cluster_processes(data)
    postmaster = _postmaster_pid(data)
    if postmaster in running:
        progress.say(f"stopping the cluster a killed bench left running (pid {postmaster})")
        try:
            cluster.stop(mode="fast", wait_seconds=STOP_WAIT_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                cluster.stop(mode="immediate", wait_seconds=120)
    orphans = cluster_processes(data)
    if orphans:
        progress.say(f"ending {len(orphans)} backends whose postmaster is gone")
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if not _wait_gone(data, GONE_WAIT_SECONDS):
        raise RuntimeError(f"processes of {data} did not end: {cluster_processes(data)}")
    if lock.exists():
        progress.say("removing the stale postmaster.pid of a cluster no longer running")
        lock.unlink()
    return True

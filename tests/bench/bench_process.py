"""Running `kiosk bench` as a person does, in a process of its own, for the bench tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.progress import EVERY_ENV
from bench.store_cache import CACHE_ENV

REPO = Path(__file__).resolve().parents[2]
CHILD_PID = re.compile(r"^progress: \[(\w+)\] running in pid (\d+)$", re.MULTILINE)


def bench_env(cache: Path) -> dict[str, str]:
    return {**os.environ, CACHE_ENV: str(cache), EVERY_ENV: "1"}


def bench_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ui.cli", "bench", *args]


def run_bench(cache: Path, *args: str, timeout: float = 850) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        bench_command(*args),
        env=bench_env(cache),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def child_pids(stderr: str) -> dict[str, int]:
    """section -> the pid of the child process it ran in, as the bench said on stderr."""
    return {name: int(pid) for name, pid in CHILD_PID.findall(stderr)}

"""Each bench section in a fresh child process (bench/child.py), one after the other.

A child gets a copy of the environment without the parent's pcscd socket, its own session
(so a timeout ends it with everything it started), a timeout, and its standard error read
as it comes: progress lines are forwarded to ours, the rest kept to explain a failure. A
section that fails, crashes or times out is reported as {"error": ...} and the next runs.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.progress import PREFIX

QUICK_TIMEOUT_SECONDS = 1800.0
FULL_TIMEOUT_SECONDS = 4 * 3600.0  # seeding 1M people twice on a loaded machine, the fleet
GRACE_SECONDS = 30.0  # after SIGTERM, for a section to stop its clusters
TAIL_LINES = 30
# What a child must not inherit: the parent's pcscd (libpcsclite reads it once).
DROPPED_ENV = ("PCSCLITE_CSOCK_NAME",)


@dataclass(frozen=True)
class Options:
    quick: bool = False
    soak_sessions: int | None = None
    config: str | None = None
    timeout_seconds: float | None = None


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _Stderr:
    """Reads a child's standard error: forwards progress lines, keeps the last others."""

    def __init__(self, stream: Any, section: str) -> None:
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._section = section
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            if line.startswith(PREFIX):
                sys.stderr.write(f"{PREFIX}[{self._section}] {line[len(PREFIX) :]}\n")
                sys.stderr.flush()
            elif line.strip():
                self.tail.append(line)

    def join(self) -> None:
        self._thread.join(timeout=10)


def _end(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the child's whole session, then SIGKILL after the grace period."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _failure(returncode: int, timed_out: float | None, tail: collections.deque[str]) -> str:
    if timed_out is not None:
        why = f"timed out after {timed_out:,.0f} s"
    elif returncode < 0:
        why = f"killed by {signal.Signals(-returncode).name}"
    else:
        why = f"exited {returncode} without a result"
    last = " | ".join(list(tail)[-5:])
    return f"{why}{': ' + last if last else ''}"


def run_section(name: str, options: Options) -> dict[str, Any]:
    """The section's JSON, with `section_seconds`; {"error": ...} if it did not finish."""
    timeout = options.timeout_seconds or (
        QUICK_TIMEOUT_SECONDS if options.quick else FULL_TIMEOUT_SECONDS
    )
    command = [sys.executable, "-m", "bench.child", name]
    command += ["--quick"] if options.quick else []
    command += ["--soak", str(options.soak_sessions)] if options.soak_sessions else []
    command += ["--config", options.config] if options.config else []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"kiosk-bench-{name}-") as folder:
        out = Path(folder) / "result.json"
        process = subprocess.Popen(
            [*command, "--out", str(out)],
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # nothing a child prints reaches our JSON
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        sys.stderr.write(f"{PREFIX}[{name}] running in pid {process.pid}\n")
        sys.stderr.flush()
        assert process.stdout is not None
        reader = _Stderr(process.stdout, name)
        timed_out: float | None = None
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = timeout
            _end(process)
        except BaseException:  # Ctrl-C: the section's clusters are stopped, then we go
            _end(process)
            raise
        reader.join()
        answer = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    seconds = round(time.perf_counter() - started, 2)
    if answer is not None and "result" in answer:
        return {**answer["result"], "section_seconds": seconds}
    if answer is not None:
        return {"error": answer["error"], "traceback": answer.get("traceback", ""),
                "section_seconds": seconds}  # fmt: skip
    return {
        "error": _failure(process.returncode, timed_out, reader.tail),
        "section_seconds": seconds,
    }

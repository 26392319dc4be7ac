"""The machine a bench ran on, as the JSON's `machine` records it: figures from two runs
compare only beside what they ran on (cores, memory, the libraries' versions)."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = ("PySide6-Essentials", "pyscard", "reportlab", "SQLAlchemy", "psycopg")


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[-1].split("=", 1)[-1].strip().strip('"')
    except OSError:
        pass
    return ""


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else ""


def _library(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def describe() -> dict[str, Any]:
    from realparts.postgres import PG_BIN

    memory_kb = _first("/proc/meminfo", "MemTotal").split()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "memory_gib": round(int(memory_kb[0]) / 1024**2, 1) if memory_kb else None,
        "os": _first("/etc/os-release", "PRETTY_NAME"),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": {name: _library(name) for name in LIBRARIES},
        "postgresql": _version([str(PG_BIN / "postgres"), "--version"]),
        "pgbouncer": _version(["pgbouncer", "--version"]),
    }


def one_line(machine: Mapping[str, Any]) -> str:
    """The machine for a table's heading."""
    libraries = ", ".join(f"{k} {v}" for k, v in (machine.get("libraries") or {}).items() if v)
    parts = [
        f"{machine.get('cpus')} CPU {machine.get('cpu') or ''}".strip(),
        f"{machine.get('memory_gib')} GiB" if machine.get("memory_gib") else "",
        machine.get("os") or machine.get("platform", ""),
        f"Linux {machine['kernel']}" if machine.get("kernel") else "",
        f"Python {machine.get('python')}",
        libraries,
        machine.get("postgresql") or "",
    ]
    return "; ".join(part for part in parts if part)

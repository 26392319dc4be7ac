"""Which other processes on this machine use PC/SC: who may be holding a busy reader.

pcscd does not say which client holds a reader exclusively, so the operator gets the next
best thing: every process that has libpcsclite mapped (Linux /proc), except ourselves and
pcscd. Best effort and cheap: it reads each process's maps once, stops after a few finds,
and never raises (a process that ends or hides its maps is simply skipped).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")
LIBRARY = b"libpcsclite"
MAX_FOUND = 8


def pcsc_clients(proc: Path = PROC, limit: int = MAX_FOUND) -> list[tuple[int, str]]:
    """(pid, command name) of up to `limit` other processes with libpcsclite loaded."""
    found: list[tuple[int, str]] = []
    try:
        pids = sorted(int(entry.name) for entry in proc.iterdir() if entry.name.isdigit())
    except OSError:
        return found
    own = os.getpid()
    for pid in pids:
        if len(found) >= limit:
            break
        if pid == own:
            continue
        client = _client(proc / str(pid))
        if client is not None:
            found.append((pid, client))
    return found


def _client(process: Path) -> str | None:
    """The command name of `process` if it is a PC/SC client other than pcscd itself."""
    try:
        comm = (process / "comm").read_text(errors="replace").strip()
        if comm == "pcscd":
            return None
        with (process / "maps").open("rb") as maps:
            return comm if any(LIBRARY in line for line in maps) else None
    except OSError:  # gone meanwhile, or not ours to read
        return None


def describe_pcsc_clients() -> str:
    """Operator words: 'PC/SC clients: pid 812 (pcsc_scan), pid 901 (python3)'."""
    try:
        clients = pcsc_clients()
    except Exception:  # a diagnosis must never turn a known failure into a crash
        log.debug("listing PC/SC clients failed", exc_info=True)
        return "other PC/SC clients unknown"
    if not clients:
        return "no other PC/SC client found"
    return "PC/SC clients: " + ", ".join(f"pid {pid} ({comm})" for pid, comm in clients)

"""What the fleet section samples of the machine while kiosks run: the CPU it was busy, the
client backends PostgreSQL ran, and PostgreSQL's own memory once a phase is over."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from realparts.postgres import PostgresCluster


class Machine:
    """The machine's busy CPU share and PostgreSQL's client backends, sampled each second."""

    def __init__(self, cluster: PostgresCluster, role_prefix: str) -> None:
        import psycopg

        self._roles = f"{role_prefix}%"
        self._db = psycopg.connect(
            host=str(cluster.base), user="postgres", dbname="postgres", autocommit=True
        )
        self.samples: list[tuple[float, float, int]] = []  # (time, busy jiffies share, backends)
        self.private_kb: list[tuple[float, int]] = []
        self._last = self._jiffies()

    @staticmethod
    def _jiffies() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def sample(self) -> None:
        busy, total = self._jiffies()
        share = (busy - self._last[0]) / max(1, total - self._last[1])
        self._last = (busy, total)
        backends = self._db.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND usename LIKE %s",
            (self._roles,),
        ).fetchone()
        self.samples.append((time.time(), share, int(backends[0]) if backends else 0))

    def memory(self) -> None:
        """PostgreSQL's memory now: reading 1,000 backends' smaps_rollup costs a core for a
        while (and holds each backend's memory map), so once a phase, after its steps."""
        self.private_kb.append((time.time(), _postgres_anon_kb()))

    def during(self, begins: float, ends: float) -> dict[str, Any]:
        inside = [s for s in self.samples if begins < s[0] <= ends]
        if not inside:
            return {}
        return {
            "machine_cpu_busy_pct": round(100 * sum(s[1] for s in inside) / len(inside), 1),
            "backends_max": max(s[2] for s in inside),
        }

    def close(self) -> None:
        self._db.close()


def _postgres_anon_kb() -> int:
    """The anonymous memory of every postgres process (Pss_Anon of smaps_rollup, pages a
    fork shares counted in proportion): what the backends cost beyond shared_buffers, which
    is shared memory and counted once, in its setting."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip() != "postgres":
                continue
            rollup = (status.parent / "smaps_rollup").read_text()
        except OSError:  # gone meanwhile
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss_Anon:"):
                total += int(line.split()[1])
                break
    return total

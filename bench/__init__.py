"""The performance suite behind `kiosk bench`.

Each section is a module here with `run(config: KioskConfig, quick: bool) -> dict[str, Any]`.
`kiosk bench` runs every section in a fresh child process of its own (`python -m
bench.child SECTION`, bench/runner.py), so no section sees another's pcscd socket, Qt state
or store, and one that fails, crashes or times out is reported while the rest still run.
`--quick` runs a small scale that finishes in seconds, for CI; the full scale is what
docs/benchmarks.md records (generated from a run's JSON: `kiosk bench --report bench.json`).
Sections are imported only when they run (they load Qt, SQLAlchemy, pyscard), but by plain
import statements, so the import contracts see every one.

The JSON of `kiosk bench --json`, one object:

    {"machine": {"date", "cpus", "cpu", "memory_gib", "os", "kernel", "python",
                 "libraries": {name: version}, "postgresql", "pgbouncer",
                 "quick": bool, "sections": [name, ...]},
     "<section>": {"<figure>": Figure, ...,
                   "tables": [{"title": str, "columns": [str], "rows": [[cell]]}],  # optional
                   "details": {...},        # everything else the section measured
                   "section_seconds": float,
                   "error": str, "traceback": str}}  # instead of figures, when it failed

Every figure is one record (bench/figures.py), whatever its unit:

    {"unit": "ms" | "s" | "MB" | "count" | "%" | "per_s",
     "stat": "p50" | "p95" | "p99" | "max" | "value",  # what `value` is
     "value": float,              # the figure: that statistic of its samples, or the number
     "p50", "p95", "p99", "max", "n": ...,  # for a distribution of samples only
     "floor": float | null,       # the same statistic of the floor, measured in this run
     "floor_of": str,             # what the floor is ("none" for a count)
     "ratio": float | null,       # value / floor
     "goal": {"text": str, "below" | "at_most" | "at_least" | "ratio_below": float} | null,
     "met": bool | null}          # the goal against this run's value and ratio

Figure names are the ones the sections always had (`cli_help_ms`, `identity_read_ms`,
`pin_to_overview_ms`...), dotted where a section measures the same figure in several
settings (`real_reader.40ms.card_event_to_pin_ms`, `postgresql.overview_ms`). The plain
table (`kiosk bench` without --json) and the report read figures only through this record.
Progress of long steps goes to standard error (bench/progress.py), never to the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = Callable[..., dict[str, Any]]


def _startup() -> Section:
    from bench import startup

    return startup.run


def _card_read() -> Section:
    from bench import card_read

    return card_read.run


def _store() -> Section:
    from bench import store

    return store.run


def _session() -> Section:
    from bench import session

    return session.run


def _receipt() -> Section:
    from bench import receipt

    return receipt.run


def _soak() -> Section:
    from bench import soak

    return soak.run


def _fleet() -> Section:
    from bench import fleet

    return fleet.run


def _faults() -> Section:
    from bench import faults

    return faults.run


SECTIONS: dict[str, Callable[[], Section]] = {
    "startup": _startup,
    "card_read": _card_read,
    "store": _store,
    "fleet": _fleet,
    "session": _session,
    "receipt": _receipt,
    "soak": _soak,
    "faults": _faults,
}

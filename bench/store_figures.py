"""The store section's figures: every screen's p99 beside its floor's, from its details.

The details (bench/store.py) keep each screen's summaries, floors and round trips as they
were measured; the figures are those read as uniform records, with the goals of issue 16:
SQLite reads under 0.5 ms at p99; on PostgreSQL under 10 ms and within 3x of the floor,
one round trip per screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.figures import Figure, Goal, distribution, single

GOAL_SQLITE_P99_MS = 0.5
GOAL_POSTGRES_P99_MS = 10.0
GOAL_POSTGRES_RATIO = 3.0
FLOOR_OF = "one hand-written query on the driver, same person, run right after it"


def _screens(
    prefix: str,
    measured: Mapping[str, Any],
    floors: Mapping[str, Any],
    goal: Goal | None,
    floor_of: str = FLOOR_OF,
) -> dict[str, Figure]:
    figures = {}
    for screen, entry in measured.items():
        floor = floors.get(screen, {}).get("floor_ms")
        figures[f"{prefix}{screen}_ms"] = distribution(
            entry["ms"], floor=floor, floor_of=floor_of if floor else "none", goal=goal
        )
    return figures


def store_figures(details: Mapping[str, Any]) -> dict[str, Figure]:
    sqlite, postgres = details["sqlite"], details["postgresql"]
    audit_floor = FLOOR_OF + " (its read only: no audit row)"
    figures = _screens("sqlite.", sqlite["reads"], sqlite["reads"], Goal(GOAL_SQLITE_P99_MS))
    figures |= _screens(
        "sqlite.with_audit_row.", sqlite["with_audit_row"], sqlite["reads"], None, audit_floor
    )
    functions = postgres["functions"]
    goal = Goal(below=GOAL_POSTGRES_P99_MS, ratio_below=GOAL_POSTGRES_RATIO)
    figures |= _screens("postgresql.", functions, functions, goal)
    figures |= _screens(
        "postgresql.tables_before_issue_16.", postgres["tables_before_issue_16"], functions, None
    )
    for screen, entry in functions.items():
        figures[f"postgresql.{screen}_round_trips"] = single(
            entry["round_trips"], unit="count", goal=Goal(at_most=1)
        )
    for screen, entry in postgres["tables_before_issue_16"].items():
        figures[f"postgresql.tables_before_issue_16.{screen}_round_trips"] = single(
            entry["round_trips"], unit="count"
        )
    return figures


def stores_table(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The seeded stores the figures ran on."""
    rows = []
    for backend in ("sqlite", "postgresql"):
        store = details[backend]["store"]
        reused = "yes" if store["reused"] else "no"
        rows.append([backend, f"{store['persons']:,}", f"{store.get('ledger_rows', 0):,}",
                     store.get("seed_seconds", "—"), reused])  # fmt: skip
    columns = ["store", "persons", "ledger rows", "seeded in (s)", "reused from the cache"]
    return [{"title": "The stores", "columns": columns, "rows": rows}]

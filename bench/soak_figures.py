"""The soak's figures: what must not grow and what must not happen, each with its goal
(no floor: the floor of a leak or an error count is zero, the goal itself); and its
sessions, as a table for the report."""

from __future__ import annotations

from typing import Any

from bench.figures import Figure, Goal, single

GOAL_RSS_GROWTH_MB = 10.0


def sessions_table(details: dict[str, Any]) -> list[dict[str, Any]]:
    summary = details["session_ms"]
    row = [details["sessions"], details["receipts"], details["wrong_pins"],
           details["sessions_per_second"],
           f"{summary['p50']} / {summary['p95']} / {summary['p99']}"]  # fmt: skip
    columns = [
        "sessions",
        "receipts",
        "wrong PINs first",
        "sessions/s",
        "session ms p50 / p95 / p99",
    ]
    return [{"title": "The sessions", "columns": columns, "rows": [row]}]


def checks(details: dict[str, Any]) -> dict[str, Figure]:
    zero = Goal(at_most=0)
    return {
        "sessions": single(details["sessions"], unit="count"),
        "rss_growth_mb": single(
            details["rss_growth_mb"], unit="MB", goal=Goal(below=GOAL_RSS_GROWTH_MB)
        ),
        "os_threads_growth": single(
            details["os_threads_end"] - details["os_threads_after_warm_up"], unit="count", goal=zero
        ),
        "fds_growth": single(details["fds_growth"], unit="count", goal=zero),
        "errors": single(details["errors"], unit="count", goal=zero),
        "personal_data_found": single(details["personal_data_found"], unit="count", goal=zero),
        "bool_refs_lost_per_session": single(
            details["bool_refs_lost_per_session"], unit="count", goal=Goal(below=1)
        ),
    }

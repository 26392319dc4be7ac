"""The fleet section's figures: at the goal's fleet size and rate, each call's p99 as a kiosk
waited for it, beside the call's hand-written floor (bench/fleet_floors.py); and each
configuration's knee. --quick has neither the goal's size nor its rate: its figures are at
its largest fleet and the highest rate it offers up to the goal's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.figures import Figure, Goal, distribution, single

CONFIGURATIONS = ("shared_pool", "pooled", "backend_per_kiosk")  # what bench.fleet runs
FLOOR_OF = "one hand-written query on the same PostgreSQL (unix socket, no load), same people"


def _step(phase: Mapping[str, Any], goal_rate: float) -> Mapping[str, Any]:
    offered = [s for s in phase["steps"] if s["offered_per_second"] <= goal_rate]
    return max(offered or phase["steps"][:1], key=lambda s: s["offered_per_second"])


def fleet_figures(
    results: Mapping[str, Any], floors: Mapping[str, Mapping[str, float]], goal: Mapping[str, float]
) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for config in (c for c in CONFIGURATIONS if c in results):  # older runs lack shared_pool
        phases = {k: v for k, v in results[config].items() if k.startswith("kiosks_")}
        largest = max(phases, key=lambda name: int(name.removeprefix("kiosks_")))
        phase = phases[largest]
        step = _step(phase, goal["sessions_per_second"])
        at = f"{config}.{largest}.at_{step['offered_per_second']:g}_per_s"
        for screen, summary in step["screens_ms"].items():
            figures[f"{at}.{screen}_ms"] = distribution(
                summary,
                floor=floors.get(screen),
                floor_of=FLOOR_OF,
                goal=Goal(below=goal["p99_ms"]),
            )
        figures[f"{at}.failed_sessions"] = single(
            sum(step["failed"].values()), unit="count", goal=Goal(at_most=0)
        )
        figures[f"{config}.{largest}.knee_sessions_per_second"] = single(
            phase["knee_sessions_per_second"] or 0.0,
            unit="per_s",
            floor_of="none: the highest rate whose every session met the p99 goal",
            goal=Goal(at_least=goal["sessions_per_second"]),
        )
    return figures


STEP_COLUMNS = ("kiosks", "offered /s", "served /s", "turned away", "failed",
                *(f"`{s}` p50 / p99" for s in ("card_status", "overview", "history_page",
                                               "contributions", "receipt_data", "record")),
                "worst p99", "backends", "machine CPU", "load CPU (of one core)",
                "meets goal")  # fmt: skip


def _step_row(kiosks: int, step: Mapping[str, Any]) -> list[Any]:
    screens = step["screens_ms"]
    calls = ("card_status", "overview", "history_page", "contributions", "receipt_data", "record")
    return [
        f"{kiosks:,}",
        f"{step['offered_per_second']:g}",
        f"{step['sessions_per_second']:g}",
        step["turned_away"],
        sum(step["failed"].values()),
        *(
            f"{screens[c]['p50']:.2f} / {screens[c]['p99']:.2f}" if c in screens else "—"
            for c in calls
        ),
        f"{step['worst_screen_p99_ms']:.2f}",
        step.get("backends_max", "—"),
        f"{step.get('machine_cpu_busy_pct', '—')} %",
        f"{step['load_cpu_pct_of_one_core']} %",
        "yes" if step["meets_goal"] else "no",
    ]


def fleet_tables(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every step of every fleet size, per configuration (ms as each kiosk waited)."""
    tables = []
    titles = {
        "shared_pool": "One shared pool (`user=` on PgBouncer's database, each call proving "
        "its kiosk: migration 0008; `max_db_connections` = {backends}; {evictions:,} "
        "evictions)",
        "pooled": "A pool per kiosk role (before migration 0008; `max_db_connections` = "
        "{backends}; PgBouncer evicted an idle backend {evictions:,} times)",
        "backend_per_kiosk": "A backend per kiosk (`max_db_connections` = {backends}, "
        "`server_idle_timeout` = 600: no eviction; {evictions:,} evictions)",
    }
    titles = {config: title for config, title in titles.items() if config in results}
    for config, title in titles.items():
        entry = results[config]
        rows = []
        for key, phase in entry.items():
            if key.startswith("kiosks_"):
                rows += [_step_row(phase["kiosks"], step) for step in phase["steps"]]
        text = title.format(backends=entry["max_db_connections"],
                            evictions=entry["pgbouncer_evictions"])  # fmt: skip
        tables.append({"title": text, "columns": list(STEP_COLUMNS), "rows": rows})
    phases = [
        [config, f"{phase['kiosks']:,}", phase["knee_sessions_per_second"] or "none",
         phase["login_seconds"], phase["postgres_anon_mb_after"]]
        for config in titles
        for key, phase in results[config].items()
        if key.startswith("kiosks_")
    ]  # fmt: skip
    columns = ["configuration", "kiosks", "knee (sessions/s)", "all logged in within (s)",
               "PostgreSQL anonymous memory after the steps (MB)"]  # fmt: skip
    tables.append({"title": "Each fleet size", "columns": columns, "rows": phases})
    return tables

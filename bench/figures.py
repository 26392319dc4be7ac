"""The one shape every figure of `kiosk bench` takes (see the bench package's docstring).

A section builds its figures here, so the table, the report and the tests read one record:
what was measured, the floor measured beside it in the same run, their ratio, the goal and
whether it was met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.stats import summarise

TIME_UNITS = ("ms", "s")
UNITS = (*TIME_UNITS, "MB", "count", "%", "per_s")
STATS = ("p50", "p95", "p99", "max", "value")
_UNIT_TEXT = {"ms": " ms", "s": " s", "MB": " MB", "count": "", "%": " %", "per_s": " /s"}

Figure = dict[str, Any]
Samples = Sequence[float] | Mapping[str, Any]


@dataclass(frozen=True)
class Goal:
    """What a figure should be: its value below / at most / at least a limit, and or its
    ratio to the floor below a factor. Every limit given must hold for `met`."""

    below: float | None = None
    at_most: float | None = None
    at_least: float | None = None
    ratio_below: float | None = None

    def met(self, value: float, ratio: float | None) -> bool:
        checks = [
            self.below is None or value < self.below,
            self.at_most is None or value <= self.at_most,
            self.at_least is None or value >= self.at_least,
            self.ratio_below is None or (ratio is not None and ratio < self.ratio_below),
        ]
        return all(checks)

    def text(self, stat: str, unit: str) -> str:
        on = "" if stat == "value" else f"{stat} "
        parts = [
            f"{on}{op} {limit:,g}{_UNIT_TEXT[unit]}"
            for op, limit in (("<", self.below), ("≤", self.at_most), ("≥", self.at_least))
            if limit is not None
        ]
        if self.ratio_below is not None:
            parts.append(f"ratio < {self.ratio_below:g}")
        return ", ".join(parts)

    def record(self, stat: str, unit: str) -> dict[str, Any]:
        limits = {
            "below": self.below,
            "at_most": self.at_most,
            "at_least": self.at_least,
            "ratio_below": self.ratio_below,
        }
        return {"text": self.text(stat, unit)} | {k: v for k, v in limits.items() if v is not None}


def _summary(samples: Samples, digits: int) -> Mapping[str, Any]:
    if isinstance(samples, Mapping):
        return samples
    return summarise(samples, digits)


def distribution(
    samples: Samples,
    *,
    floor: Samples | float | None,
    floor_of: str,
    stat: str = "p99",
    goal: Goal | None = None,
    unit: str = "ms",
    digits: int = 3,
) -> Figure:
    """A figure of many samples (or their `stats.summarise`), judged on `stat`, beside a
    floor of samples (judged on the same stat) or a single floor value."""
    summary = _summary(samples, digits)
    floor_value: float | None
    if floor is None or isinstance(floor, int | float):
        floor_value = None if floor is None else round(float(floor), digits)
    else:
        floor_value = float(_summary(floor, digits)[stat])
    spread = {key: summary[key] for key in ("p50", "p95", "p99", "max", "n")}
    figure = _record(
        float(summary[stat]), stat, unit, floor=floor_value, floor_of=floor_of, goal=goal
    )
    return figure | spread


def single(
    value: float,
    *,
    unit: str,
    floor: float | None = None,
    floor_of: str = "",
    goal: Goal | None = None,
) -> Figure:
    """A figure that is one number (a count, a size, a rate)."""
    return _record(float(value), "value", unit, floor=floor, floor_of=floor_of, goal=goal)


def _record(
    value: float,
    stat: str,
    unit: str,
    *,
    floor: float | None,
    floor_of: str,
    goal: Goal | None,
) -> Figure:
    if unit not in UNITS or stat not in STATS:
        raise ValueError(f"unit {unit!r} / stat {stat!r}")
    ratio = round(value / floor, 2) if floor else None
    return {
        "unit": unit,
        "stat": stat,
        "value": value,
        "floor": floor,
        "floor_of": floor_of if floor is not None else (floor_of or "none"),
        "ratio": ratio,
        "goal": goal.record(stat, unit) if goal else None,
        "met": goal.met(value, ratio) if goal else None,
    }


def is_figure(entry: object) -> bool:
    return isinstance(entry, dict) and "unit" in entry and "value" in entry and "stat" in entry


def figures_of(section: Mapping[str, Any]) -> dict[str, Figure]:
    """The figures of one section's JSON, in order (its details and timing left out)."""
    return {name: entry for name, entry in section.items() if is_figure(entry)}


def number(value: float | None, unit: str) -> str:
    """`value` with its unit for people: 3 significant digits below 100, whole above."""
    if value is None:
        return "—"
    if unit == "count" or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return text + _UNIT_TEXT[unit]

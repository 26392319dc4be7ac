"""`kiosk bench` without --json: one table of every figure beside its floor, for people.

It reads only the uniform figure records (bench/figures.py) and the machine, so it shows
exactly what the JSON of the same run says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.figures import Figure, figures_of, number
from bench.machine import one_line

COLUMNS = ("figure", "value", "floor", "ratio", "goal", "met")


def cells(figure: Figure) -> tuple[str, str, str, str]:
    """value, floor, ratio and goal of a figure as the table and the report print them."""
    unit, stat = figure["unit"], figure["stat"]
    value = number(figure["value"], unit) + ("" if stat == "value" else f" ({stat})")
    ratio = "—" if figure["ratio"] is None else f"{figure['ratio']:g}x"
    goal = figure["goal"]["text"] if figure["goal"] else "—"
    return value, number(figure["floor"], unit), ratio, goal


def met(figure: Figure) -> str:
    return {True: "yes", False: "NO", None: "—"}[figure["met"]]


def rows(results: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row a figure, `section.figure` named; a failed section one row saying why."""
    found: list[tuple[str, ...]] = []
    for section, entry in results.items():
        if section == "machine" or not isinstance(entry, Mapping):
            continue
        if "error" in entry:
            found.append((section, f"FAILED: {entry['error'][:120]}", "", "", "", ""))
            continue
        for name, figure in figures_of(entry).items():
            found.append((f"{section}.{name}", *cells(figure), met(figure)))
    return found


def table(results: Mapping[str, Any]) -> str:
    machine = results.get("machine", {})
    scale = " (--quick)" if machine.get("quick") else ""
    lines = [f"kiosk bench{scale}, {machine.get('date', '')}: {one_line(machine)}", ""]
    body = [COLUMNS, *rows(results)]
    widths = [max(len(row[i]) for row in body) for i in range(len(COLUMNS))]
    for index, row in enumerate(body):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"

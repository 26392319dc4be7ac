"""docs/benchmarks.md from the JSON of one `kiosk bench --json` run.

Per section: the fixed words of bench/report_prose.py, then the run's figures as one table
(figure | value | floor | ratio | goal | met, read from the uniform records only), what
each floor is, the section's own tables, and what it means. Nothing else is read from the
run, so the document says exactly what the JSON does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.figures import figures_of
from bench.machine import one_line
from bench.report_prose import AFTER, BEFORE, INTRO
from bench.table import COLUMNS, cells, met


def _row(cells: Sequence[Any]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    return [_row(columns), _row(["---"] * len(columns)), *(_row(row) for row in rows)]


def _machine(machine: Mapping[str, Any]) -> list[str]:
    lines = [f"Machine: {one_line(machine)}.", ""]
    sections = ", ".join(machine.get("sections", []))
    lines.append(f"Run: {machine.get('date', '?')}, sections {sections}.")
    if machine.get("quick"):
        lines += ["", "**This run was `--quick`** (the tests' small scale): not figures of record."]
    # What the run shared the machine with, added to the JSON by whoever ran it: the
    # document says it rather than being edited by hand after it was generated.
    for condition in machine.get("conditions", []):
        lines += ["", f"Conditions: {condition}"]
    return lines


def _floors(figures: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What each floor is, once for all the figures that share it."""
    shared: dict[str, list[str]] = {}
    for name, figure in figures.items():
        if figure["floor"] is not None:
            shared.setdefault(figure["floor_of"], []).append(f"`{name}`")
    if len(shared) == 1:
        return [f"The floor of every figure above that has one: {next(iter(shared))}.", ""]
    if not shared:
        return []
    lines = ["Floors:", ""]
    lines += [f"- {what}: {', '.join(names)}" for what, names in shared.items()]
    return [*lines, ""]


def section(name: str, entry: Mapping[str, Any]) -> list[str]:
    lines = [f"## {name} — `kiosk bench --json --only {name}`", ""]
    if name in BEFORE:
        lines += [BEFORE[name], ""]
    seconds = entry.get("section_seconds")
    if "error" in entry:
        return [*lines, f"**Failed in this run** (after {seconds} s): {entry['error']}", ""]
    figures = figures_of(entry)
    rows = [(f"`{figure}`", *cells(record), met(record)) for figure, record in figures.items()]
    lines += [*_table(COLUMNS, rows), "", f"Section time: {seconds} s.", ""]
    lines += _floors(figures)
    for extra in entry.get("tables", []):
        lines += [f"{extra['title']}:", "", *_table(extra["columns"], extra["rows"]), ""]
    if name in AFTER:
        lines += [AFTER[name], ""]
    return lines


def markdown(results: Mapping[str, Any]) -> str:
    lines = ["# Benchmarks", "", INTRO]
    lines += _machine(results.get("machine", {}))
    lines.append("")
    for name, entry in results.items():
        if name != "machine" and isinstance(entry, Mapping):
            lines += section(name, entry)
    return "\n".join(lines).rstrip() + "\n"

"""bench/figures.py's one record, and what the table and the report make of a failed
section (the figures of a real run: tests/bench/test_bench_run.py)."""

from __future__ import annotations

import pytest

from bench.figures import Goal, distribution, figures_of, single
from bench.report import markdown
from bench.table import table


def test_a_distribution_is_judged_on_its_stat_beside_the_floors_same_stat() -> None:
    figure = distribution(
        [1.0, 2.0, 3.0, 4.0, 10.0],
        floor=[0.5, 1.0, 1.0, 1.5, 2.0],
        floor_of="a bare query",
        stat="p50",
        goal=Goal(below=5.0, ratio_below=3.0),
    )
    assert (figure["value"], figure["floor"], figure["ratio"]) == (3.0, 1.0, 3.0)
    assert figure["goal"] == {"text": "p50 < 5 ms, ratio < 3", "below": 5.0, "ratio_below": 3.0}
    assert figure["met"] is False  # under 5 ms, but not within 3x of its floor
    assert (figure["p99"], figure["max"], figure["n"]) == (10.0, 10.0, 5)


def test_a_count_has_no_floor_and_its_goal_is_the_limit() -> None:
    errors = single(0, unit="count", goal=Goal(at_most=0))
    assert (errors["floor"], errors["ratio"], errors["met"]) == (None, None, True)
    assert errors["goal"]["text"] == "≤ 0"
    assert single(1, unit="count", goal=Goal(at_most=0))["met"] is False


def test_a_unit_outside_the_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        single(1.0, unit="minutes")


def test_a_failed_section_is_one_row_saying_why_and_the_others_still_show() -> None:
    results = {
        "machine": {"cpus": 2, "date": "2026-12-01T00:00:00+00:00", "sections": ["a", "b"]},
        "card_read": {"error": "killed by SIGKILL", "section_seconds": 3.0},
        "receipt": {
            "render_ms": distribution([2.0], floor=[1.0], floor_of="bare"),
            "details": {"render_ms": {"p50": 2.0}},
            "section_seconds": 1.0,
        },
    }
    assert list(figures_of(results["receipt"])) == ["render_ms"]
    lines = table(results).splitlines()
    failed = [line for line in lines if line.startswith("card_read")]
    assert len(failed) == 1
    assert "FAILED: killed by SIGKILL" in failed[0]
    assert any(line.startswith("receipt.render_ms ") and "2x" in line for line in lines)
    text = markdown(results)
    assert "**Failed in this run** (after 3.0 s): killed by SIGKILL" in text
    assert "| `render_ms` | 2 ms (p99) | 1 ms | 2x | — | — |" in text


def test_the_conditions_a_run_met_are_in_its_report() -> None:
    machine = {"date": "2026-12-02T01:30:00+00:00", "sections": ["soak"]}
    shared = "the soak shared the cores with a CI run"
    assert "Conditions:" not in markdown({"machine": machine})
    assert f"Conditions: {shared}" in markdown({"machine": {**machine, "conditions": [shared]}})

"""`kiosk bench` run as a person runs it, at --quick scale, with the sections that collided:
startup, session, card_read after it, receipt (issue 19: card_read found no pcscd after the
session's). Its JSON is then the fixture of the table and the report: real figures, not
numbers written here."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench.figures import TIME_UNITS, figures_of, number
from bench.report_prose import BEFORE
from bench.table import cells, met, table
from tests.bench.bench_process import REPO, bench_command, child_pids, run_bench

# Seeds a 20,000-person store, 20 + 10 sessions through pcscd, start-ups, renders: minutes.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
SECTIONS = ("startup", "session", "card_read", "receipt")


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    cache = tmp_path_factory.mktemp("bench-cache")
    only = [arg for name in SECTIONS for arg in ("--only", name)]
    return run_bench(cache, "--json", "--quick", *only)


@pytest.fixture(scope="module")
def results(bench_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(bench_run.stdout)
    return parsed


def _time_figures(results: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (section, name, figure)
        for section in SECTIONS
        for name, figure in figures_of(results[section]).items()
        if figure["unit"] in TIME_UNITS
    ]


def test_card_read_after_session_in_one_bench_both_succeed(
    bench_run: subprocess.CompletedProcess[str], results: dict[str, Any]
) -> None:
    assert bench_run.returncode == 0, bench_run.stderr[-3000:]
    assert [name for name in results if name != "machine"] == list(SECTIONS)
    for name in SECTIONS:
        assert "error" not in results[name], results[name]
    read = results["card_read"]
    assert read["apdus"]["value"] == 12
    assert read["identity_read_ms"]["n"] == 50
    assert read["identity_read_ms"]["floor"] > 0
    session = results["session"]
    assert session["details"]["sessions"] == 20
    assert session["failed_sessions"]["value"] == 0
    assert session["apdus_before_pin_pad"]["value"] == 2
    # Each section had a process of its own, so none saw another's pcscd.
    pids = child_pids(bench_run.stderr)
    assert sorted(pids) == sorted(SECTIONS)
    assert len(set(pids.values())) == len(SECTIONS)


def test_every_timed_figure_carries_its_floor_its_ratio_and_its_goal(
    results: dict[str, Any],
) -> None:
    timed = _time_figures(results)
    assert len(timed) >= 15
    for section, name, figure in timed:
        assert figure["floor"] > 0, (section, name)
        assert figure["ratio"] == round(figure["value"] / figure["floor"], 2), (section, name)
        assert figure["value"] == figure[figure["stat"]]
        assert set(figure) >= {"goal", "met", "floor_of"}
        if figure["goal"] is not None:
            assert figure["met"] is (figure["value"] < figure["goal"]["below"])


def test_progress_lines_go_to_stderr_and_the_json_on_stdout_parses(
    bench_run: subprocess.CompletedProcess[str], results: dict[str, Any]
) -> None:
    assert results["machine"]["quick"] is True  # stdout parsed as one object
    assert "progress:" not in bench_run.stdout
    seeding = [
        line
        for line in bench_run.stderr.splitlines()
        if line.startswith("progress: [session] seeding sqlite")
    ]
    assert any(re.search(r" 20,000/20,000 persons, [\d,]+/s", line) for line in seeding), seeding
    assert "\r" not in bench_run.stderr


def test_the_table_shows_every_figure_of_the_run_beside_its_floor(results: dict[str, Any]) -> None:
    lines = table(results).splitlines()
    assert f"{results['machine']['cpus']} CPU" in lines[0]
    for section in SECTIONS:
        for name, figure in figures_of(results[section]).items():
            row = next(line for line in lines if line.startswith(f"{section}.{name} "))
            columns = re.split(r"\s{2,}", row.strip())
            value, floor, ratio, goal = cells(figure)
            assert columns == [f"{section}.{name}", value, floor, ratio, goal, met(figure)]
            if figure["unit"] in TIME_UNITS:
                assert floor == number(figure["floor"], figure["unit"]) != "—"
                assert ratio == f"{figure['ratio']:g}x"


def _report_rows(text: str, section: str) -> dict[str, list[str]]:
    part = text.split(f"## {section} — ", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in part.splitlines():
        found = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if found:
            rows[found.group(1)] = found.group(2).split(" | ")
    return rows


def test_the_report_is_the_runs_json_as_docs_benchmarks_md(
    tmp_path: Path, bench_run: subprocess.CompletedProcess[str], results: dict[str, Any]
) -> None:
    saved, written = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    saved.write_text(bench_run.stdout, encoding="utf-8")
    for args in (("--out", str(written)), ()):
        done = subprocess.run(
            bench_command("--report", str(saved), *args),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    assert done.stdout == written.read_text(encoding="utf-8")  # printed or written: the same
    text = done.stdout
    assert "**This run was `--quick`**" in text
    for section in SECTIONS:
        assert BEFORE[section].splitlines()[0] in text
        rows = _report_rows(text, section)
        figures = figures_of(results[section])
        assert sorted(rows) == sorted(figures)
        for name, figure in figures.items():
            value, floor, ratio, goal = cells(figure)
            assert rows[name][:4] == [value, floor, ratio, goal], name
            if figure["unit"] in TIME_UNITS:
                assert floor != "—", name
                assert ratio.endswith("x"), name

"""bench/progress.py: plain progress lines with the rate and the time left, seldom enough,
and the seeding's own messages read as counts (so a change to them shows here)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from bench import progress as progress_module
from bench.progress import EVERY_ENV, PREFIX, Progress, seeding
from kiosk.store.seeding import create_store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress_module.time, "monotonic", fake)
    monkeypatch.setenv(EVERY_ENV, "5")
    return fake


def test_a_line_says_the_count_the_rate_and_the_time_left(clock: Clock) -> None:
    stream = io.StringIO()
    seeding_sqlite = Progress("seeding sqlite", 1_000_000, "persons", stream)
    clock.now += 10
    seeding_sqlite.update(61_000)
    assert stream.getvalue() == (
        f"{PREFIX}seeding sqlite: 61,000/1,000,000 persons, 6,100/s, 154 s left\n"
    )


def test_lines_come_at_most_every_few_seconds_and_once_at_the_end(clock: Clock) -> None:
    stream = io.StringIO()
    soak = Progress("soak", 100, "sessions", stream)
    for done in range(1, 101):
        clock.now += 0.5  # 50 s in all: a line at most every 5 s, and the last
        soak.update(done)
    soak.update(100)
    lines = stream.getvalue().splitlines()
    assert 2 <= len(lines) <= 11
    assert lines[-1] == f"{PREFIX}soak: 100/100 sessions, 2/s, done in 50 s"
    assert all(line.startswith(PREFIX) and "\r" not in line for line in lines)


def test_a_count_of_seconds_says_no_rate(clock: Clock) -> None:
    stream = io.StringIO()
    steps = Progress("fleet pooled, 10 kiosks", 70, "s of steps", stream, rate=False)
    clock.now += 20
    steps.update(20, "step 2/5: 10 sessions/s")
    line = "fleet pooled, 10 kiosks: 20/70 s of steps, 50 s left (step 2/5: 10 sessions/s)"
    assert stream.getvalue() == f"{PREFIX}{line}\n"


def test_seeding_reads_the_stores_own_messages_as_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeding("seeding sqlite", 300) as report:
        create_store(
            f"sqlite:///{tmp_path / 'small.sqlite3'}",
            datetime(2026, 6, 1, 10, 0),
            persons=300,
            progress=report,
            seed=2,
        )
    err = capsys.readouterr()
    assert err.out == ""  # never on standard output, where the JSON goes
    lines = err.err.splitlines()
    for phase in ("people", "ledgers"):
        counted = f"{PREFIX}seeding sqlite ({phase}): 300/300 persons, "
        assert any(line.startswith(counted) for line in lines), lines
    assert f"{PREFIX}seeding sqlite: analyse" in lines

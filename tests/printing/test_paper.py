"""The paper counter survives restarts, warns once when low, and never leaves half a file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from printing.paper import PaperCounter


def test_counts_and_persists_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "paper.json"
    counter = PaperCounter(state, roll_mm=10_000, low_mm=2_000)
    assert counter.left_mm == 10_000
    assert not counter.low
    counter.printed(263.6)
    counter.printed(236.4)
    assert counter.left_mm == 9_500
    again = PaperCounter(state, roll_mm=10_000, low_mm=2_000)
    assert again.left_mm == 9_500
    assert json.loads(state.read_text())["used_mm"] == 500.0
    assert [p.name for p in tmp_path.iterdir()] == ["paper.json"]  # no temporary left over


def test_warns_once_when_low_and_refill_resets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    counter = PaperCounter(tmp_path / "paper.json", roll_mm=1_000, low_mm=300)
    with caplog.at_level(logging.WARNING, logger="printing.paper"):
        counter.printed(600)
        assert not counter.low
        assert not caplog.records
        counter.printed(200)
        counter.printed(150)
    assert counter.low
    assert counter.left_mm == 50
    assert len([r for r in caplog.records if "paper low" in r.getMessage()]) == 1
    counter.printed(500)
    assert counter.left_mm == 0
    counter.refilled()
    assert counter.left_mm == 1_000
    assert not counter.low
    assert PaperCounter(tmp_path / "paper.json", roll_mm=1_000).left_mm == 1_000


def test_an_unreadable_state_file_means_a_fresh_roll(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "paper.json"
    state.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="printing.paper"):
        assert PaperCounter(state, roll_mm=5_000).left_mm == 5_000
    assert "unreadable" in caplog.text


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="roll_mm"):
        PaperCounter(tmp_path / "p.json", roll_mm=0)
    counter = PaperCounter(tmp_path / "p.json", roll_mm=100)
    with pytest.raises(ValueError, match="negative"):
        counter.printed(-1)

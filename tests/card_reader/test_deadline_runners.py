"""card_reader.deadline's runner threads: one per concurrent caller while needed, no more."""

from __future__ import annotations

import threading
import time

import pytest

from card_reader import deadline


@pytest.fixture
def fresh_runners(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """An empty pool of idle runners whose spares end after 50 ms without work."""
    idle: list[object] = []
    monkeypatch.setattr(deadline, "_idle", idle)
    monkeypatch.setattr(deadline, "IDLE_SECONDS", 0.05)
    return idle


def _two_callers_at_once() -> list[int]:
    met = threading.Barrier(2)

    def job(value: int) -> int:
        met.wait(timeout=5)  # neither returns before the other started: two runners
        return value

    answers: list[int] = []
    callers = [
        threading.Thread(
            target=lambda v=v: answers.append(deadline.call_with_deadline(job, v, 5.0, "job"))
        )
        for v in (1, 2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=5)
    return sorted(answers)


def _wait_until(condition: object, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_a_spare_runner_ends_when_idle_and_the_last_one_stays(
    fresh_runners: list[object],
) -> None:
    assert _two_callers_at_once() == [1, 2]
    assert len(fresh_runners) == 2  # both idle now, each with its own thread
    threads = [runner.thread for runner in fresh_runners]  # type: ignore[attr-defined]
    assert _wait_until(lambda: len(fresh_runners) == 1)
    assert _wait_until(lambda: sum(t.is_alive() for t in threads) == 1)
    kept = fresh_runners[0]
    time.sleep(0.3)  # six idle periods: the last runner is kept for the next call
    assert fresh_runners == [kept]
    assert kept.thread.is_alive()  # type: ignore[attr-defined]
    assert deadline.call_with_deadline(lambda v: v * 2, 21, 5.0, "job") == 42
    assert fresh_runners == [kept]  # the kept runner served it: no new thread


def test_a_runner_handed_work_as_its_idle_time_ends_still_runs_it(
    fresh_runners: list[object],
) -> None:
    for _ in range(50):  # calls spaced around the idle period: none is lost or refused
        assert deadline.call_with_deadline(lambda v: v + 1, 1, 5.0, "job") == 2
        time.sleep(0.05)
    assert len(fresh_runners) == 1

"""card_reader.deadline's runner threads: one per concurrent caller while needed, no more."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from card_reader import deadline


@pytest.fixture
def fresh_runners(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """An empty pool of idle runners whose spares end after 50 ms without work."""
    idle: list[object] = []
    monkeypatch.setattr(deadline, "_idle", idle)
    monkeypatch.setattr(deadline, "IDLE_SECONDS", 0.05)
    return idle


def _two_callers_at_once(ran_on: set[threading.Thread]) -> list[int]:
    met = threading.Barrier(2)

    def job(value: int) -> int:
        ran_on.add(threading.current_thread())
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


def _wait_until(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_spare_runner_ends_when_idle_and_the_last_one_stays(
    fresh_runners: list[object],
) -> None:
    threads: set[threading.Thread] = set()
    assert _two_callers_at_once(threads) == [1, 2]
    # Two runners ran the calls; read from the calls themselves, not from the idle list,
    # where one may already have ended by the time the callers are joined.
    assert len(threads) == 2
    assert all(t.name == "deadline-runner" for t in threads)
    assert _wait_until(lambda: len(fresh_runners) == 1)
    assert _wait_until(lambda: sum(t.is_alive() for t in threads) == 1)
    kept = fresh_runners[0]
    time.sleep(0.3)  # six idle periods: the last runner is kept for the next call
    assert fresh_runners == [kept]
    assert kept.thread.is_alive()  # type: ignore[attr-defined]
    assert deadline.call_with_deadline(lambda v: v * 2, 21, 5.0, "job") == 42
    assert fresh_runners == [kept]  # the kept runner served it: no new thread


def test_the_last_runner_serves_calls_spaced_around_its_idle_time_and_stays_alone(
    fresh_runners: list[object],
) -> None:
    for _ in range(50):  # calls spaced around the idle period: none is lost or refused
        assert deadline.call_with_deadline(lambda v: v + 1, 1, 5.0, "job") == 2
        time.sleep(0.05)
    assert len(fresh_runners) == 1

"""Failing cards at one kiosk slow down; a mistyped PIN or a success costs nobody a wait."""

from __future__ import annotations

import pytest

from kiosk.backoff import BackoffPolicy, FailingCardBackoff
from realparts.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_the_first_failures_are_free_then_the_wait_doubles_up_to_a_minute(
    clock: FakeClock,
) -> None:
    backoff = FailingCardBackoff(clock=clock)
    delays = []
    for _ in range(9):
        delays.append(backoff.record_failure())
        clock.advance(backoff.seconds_to_wait())
    assert delays == [0, 0, 5, 10, 20, 40, 60, 60, 60]


def test_the_wait_counts_down_with_the_clock(clock: FakeClock) -> None:
    backoff = FailingCardBackoff(clock=clock)
    for _ in range(4):
        backoff.record_failure()
    assert backoff.seconds_to_wait() == 10
    clock.advance(7.5)
    assert backoff.seconds_to_wait() == pytest.approx(2.5)
    clock.advance(5)
    assert backoff.seconds_to_wait() == 0


def test_a_successful_session_resets_the_count(clock: FakeClock) -> None:
    backoff = FailingCardBackoff(clock=clock)
    for _ in range(5):
        backoff.record_failure()
    assert backoff.seconds_to_wait() > 0
    backoff.record_success()
    assert backoff.seconds_to_wait() == 0
    assert backoff.recent_failures == 0
    assert backoff.record_failure() == 0


def test_failures_older_than_the_window_are_forgotten(clock: FakeClock) -> None:
    policy = BackoffPolicy(free_failures=2, window_seconds=300)
    backoff = FailingCardBackoff(policy, clock)
    backoff.record_failure()
    backoff.record_failure()
    clock.advance(301)
    assert backoff.recent_failures == 0
    assert backoff.record_failure() == 0  # one failure in the window, not three


def test_spread_out_failures_never_add_up(clock: FakeClock) -> None:
    backoff = FailingCardBackoff(BackoffPolicy(window_seconds=60), clock)
    for _ in range(20):
        assert backoff.record_failure() == 0
        clock.advance(61)


def test_the_policy_is_configurable_and_checked() -> None:
    policy = BackoffPolicy(free_failures=1, first_delay_seconds=1, max_delay_seconds=3)
    assert [policy.delay_after(n) for n in range(5)] == [0, 1, 2, 3, 3]
    with pytest.raises(ValueError, match="first_delay"):
        BackoffPolicy(first_delay_seconds=0)
    with pytest.raises(ValueError, match="free_failures"):
        BackoffPolicy(free_failures=0)
    with pytest.raises(ValueError, match="window"):
        BackoffPolicy(window_seconds=0)


def test_it_keeps_nothing_but_times(clock: FakeClock) -> None:
    backoff = FailingCardBackoff(clock=clock)
    backoff.record_failure()
    kept = {k: v for k, v in vars(backoff).items() if k not in ("policy", "_clock")}
    assert all(isinstance(t, float) for t in kept["_failures"])
    assert set(kept) == {"_failures", "_not_before"}

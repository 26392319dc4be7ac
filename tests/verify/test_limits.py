"""The per-client token bucket: a burst, then the rate, and bounded memory."""

from __future__ import annotations

import pytest

from kiosk.verify.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_one_token_per_interval() -> None:
    clock = Clock()
    limiter = RateLimiter(rate_per_minute=30, burst=3, clock=clock)
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    clock.now += 1.9  # 30 a minute: one token every 2 s
    assert not limiter.allow("10.0.0.1")
    clock.now += 0.2
    assert limiter.allow("10.0.0.1")
    assert limiter.retry_after() == 2


def test_clients_have_buckets_of_their_own() -> None:
    limiter = RateLimiter(rate_per_minute=1, burst=1, clock=Clock())
    assert limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")
    assert limiter.allow("10.0.0.2")


def test_a_rested_bucket_holds_no_more_than_its_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(rate_per_minute=60, burst=2, clock=clock)
    limiter.allow("a")
    clock.now += 3600
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]


def test_the_least_recently_seen_clients_are_forgotten_past_the_bound() -> None:
    limiter = RateLimiter(rate_per_minute=1, burst=1, clock=Clock(), max_clients=2)
    for client in ("a", "b", "c"):
        assert limiter.allow(client)
    assert len(limiter._buckets) == 2
    assert not limiter.allow("c")  # still known: spent


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0), (-5, 3)])
def test_a_limiter_without_a_rate_or_burst_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(rate, burst)

"""A token bucket per client address: a few checks in a burst, then so many a minute.

An employer checks one certificate; a scraper trying codes would need ~10^18 tries for one
hit (60-bit codes), and a figure guessed for a known code is one try per request too: the
bucket keeps both to `rate_per_minute`. Buckets of clients unseen for a while are dropped,
so a flood of addresses costs bounded memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CLIENTS = 50_000


class RateLimiter:
    """`allow(client)` is True while the client has a token; thread-safe."""

    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("a positive rate and a burst of at least 1")
        self.rate = rate_per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_clients:  # the least recently seen go first
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self) -> int:
        """Seconds until a spent bucket has a token again."""
        return max(1, round(1.0 / self.rate))

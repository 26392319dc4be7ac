"""One budget for every fuzz test, so tests/fuzz stays under about 30 s on two cores."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# KIOSK_FUZZ_EXAMPLES raises the count for a long run by hand (e.g. 20000 overnight).
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)

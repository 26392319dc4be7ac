"""Percentiles for benchmark samples (nearest-rank, so p99 is an observed value)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], pct: float) -> float:
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(samples_ms: Sequence[float], digits: int = 3) -> dict[str, float]:
    """p50, p95, p99 and max of samples in milliseconds."""
    return {
        "p50": round(percentile(samples_ms, 50), digits),
        "p95": round(percentile(samples_ms, 95), digits),
        "p99": round(percentile(samples_ms, 99), digits),
        "max": round(max(samples_ms), digits),
        "n": len(samples_ms),
    }

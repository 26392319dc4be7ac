"""The performance suite behind `kiosk bench`.

Each section is a module here with `run(config: KioskConfig, quick: bool) -> dict[str, Any]`
returning JSON-ready figures (milliseconds as floats, counts as ints). `--quick` runs a small
scale that finishes in seconds, for CI; the full scale is what docs/benchmarks.md records.
"""

SECTIONS: dict[str, str] = {
    "startup": "bench.startup",
    "card_read": "bench.card_read",
    "store": "bench.store",
    "session": "bench.session",
    "receipt": "bench.receipt",
    "soak": "bench.soak",
}

"""The performance suite behind `kiosk bench`.

Each section is a module here with `run(config: KioskConfig, quick: bool) -> dict[str, Any]`
returning JSON-ready figures (milliseconds as floats, counts as ints). `--quick` runs a small
scale that finishes in seconds, for CI; the full scale is what docs/benchmarks.md records.
Sections are imported only when they run (they load Qt, SQLAlchemy, pyscard), but by plain
import statements, so the import contracts see every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = Callable[..., dict[str, Any]]


def _startup() -> Section:
    from bench import startup

    return startup.run


def _card_read() -> Section:
    from bench import card_read

    return card_read.run


def _store() -> Section:
    from bench import store

    return store.run


def _session() -> Section:
    from bench import session

    return session.run


def _receipt() -> Section:
    from bench import receipt

    return receipt.run


def _soak() -> Section:
    from bench import soak

    return soak.run


def _fleet() -> Section:
    from bench import fleet

    return fleet.run


def _faults() -> Section:
    from bench import faults

    return faults.run


SECTIONS: dict[str, Callable[[], Section]] = {
    "startup": _startup,
    "card_read": _card_read,
    "store": _store,
    "fleet": _fleet,
    "session": _session,
    "receipt": _receipt,
    "soak": _soak,
    "faults": _faults,
}

"""Real-part fixture: a throwaway cupsd with our own backends, started once per test session.

The harness (queues, backends, config) is realparts/cups.py; `cups_server` sets
`CUPS_SERVER` for the test session's process while it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from realparts.cups import CupsdHarness, CupsServer


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    if not CupsdHarness.installed():
        # Fail, not skip: scripts/setup.sh installs it, and a skipped test proves nothing.
        pytest.fail("cupsd or lpadmin missing: run `bash scripts/setup.sh` (cups, cups-client)")
    harness = CupsdHarness()
    previous = os.environ.get("CUPS_SERVER")
    try:
        server = harness.start()
        os.environ["CUPS_SERVER"] = str(server.socket)
        yield server
    finally:
        if previous is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = previous
        harness.cleanup()

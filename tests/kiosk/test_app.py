"""The composition root: the start screen never waits for the database driver."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.deferred import DeferredAccounts

REPO = Path(__file__).resolve().parents[2]


def test_building_the_kiosk_does_not_load_sqlalchemy_until_the_store_is_used(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(f"""
        import sys
        from kiosk.app import build_kiosk
        from kiosk.config import parse_config
        from kiosk.worker import InlineWorker
        config = parse_config('[kiosk]\\ndata_dir = "{tmp_path}"\\n', None)
        parts = build_kiosk(config, lambda f: f(), worker=InlineWorker())
        print("before", "sqlalchemy" in sys.modules)
        parts.accounts.warm_up()
        print("after", "sqlalchemy" in sys.modules)
        parts.close()
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.split() == ["before", "False", "after", "True"]


def test_the_deferred_service_is_built_once_and_closed_only_if_built() -> None:
    built: list[object] = []

    class Service:
        def close(self) -> None:
            built.append("closed")

        def summary(self, card: str, card_region: str = "") -> str:
            return f"summary of {card}"

    deferred = DeferredAccounts(lambda: built.append("built") or Service())  # type: ignore[arg-type, func-returns-value]
    unused = DeferredAccounts(lambda: built.append("never") or Service())  # type: ignore[arg-type, func-returns-value]
    assert deferred.summary("X") == "summary of X"
    deferred.warm_up()
    deferred.close()
    unused.close()
    assert built == ["built", "closed"]


def test_a_store_that_cannot_be_set_up_is_unavailable_not_a_crash() -> None:
    from kiosk.store.errors import StoreUnavailable

    def broken() -> object:
        raise ModuleNotFoundError("no module named 'psycopg'")

    deferred = DeferredAccounts(broken)  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailable, match="ModuleNotFoundError"):
        deferred.summary("A32010001")
    deferred.close()  # nothing was built: nothing to close

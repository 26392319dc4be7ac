"""How AccountService reaches the store: every call bounded, every failure worded.

Three ways in, one per kind of call:
- `transaction`: a SQLAlchemy connection within the deadline, committed or rolled back; a
  pooled connection that died with the server gets one retry on a fresh one.
- `function_call`: the fleet store's kiosk_api functions, autocommitted (one function call
  is one statement and its own transaction: no BEGIN or COMMIT round trips).
- `read`: a screen's reads; on the embedded store straight on the driver
  (kiosk.store.compiled), elsewhere a read-only transaction.
Whatever the store does wrong comes out as StoreUnavailable, in operator words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from kiosk.store.errors import CardNotActive, StoreUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from kiosk.store.compiled import HeldSnapshots

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreCalls:
    """One kiosk's ways into its store engine, each within `timeout_seconds`."""

    def __init__(self, engine: Engine, timeout_seconds: float) -> None:
        from kiosk.store.compiled import HeldSnapshots

        self.engine = engine
        self.timeout_seconds = timeout_seconds
        postgres = engine.dialect.name == "postgresql"
        # PostgreSQL: BEGIN READ ONLY (psycopg adds it to the BEGIN, no extra round trip).
        self._reader = engine.execution_options(postgresql_readonly=True) if postgres else engine
        self._api = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine
        self._snapshots: HeldSnapshots | None = (
            HeldSnapshots(engine) if engine.dialect.name == "sqlite" else None
        )

    def transaction(
        self, call: Callable[[Connection], T], *, commit: bool, engine: Engine | None = None
    ) -> T:
        """`call` on one connection within the deadline, StoreUnavailable when the store
        fails; a pooled connection that died with the server gets one retry on a fresh one."""
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        from kiosk.store.engine import deadline

        started = time.monotonic()
        engine = engine or self.engine
        for attempt in (1, 2):
            try:
                with deadline(self.timeout_seconds), engine.connect() as connection:
                    try:
                        result = call(connection)
                    except (CardNotActive, StoreUnavailable):
                        # A refusal is the server's answer: its audit row (and the card's
                        # count towards the ceiling) must stand, not roll back with it.
                        if commit:
                            connection.commit()
                        raise
                    if commit:
                        connection.commit()
                    return result  # leaving without a commit rolls a read back
            except DBAPIError as error:
                elapsed = time.monotonic() - started
                retry = attempt == 1 and elapsed < self.timeout_seconds / 2
                if error.connection_invalidated and retry:
                    continue
                raise unavailable(error, elapsed) from None
            except SQLAlchemyError as error:
                raise unavailable(error, time.monotonic() - started) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def function_call(self, call: Callable[[Connection], T], commit: bool = True) -> T:
        """`call` as one autocommitted function call (the server's audit row is part of it:
        a refusal's row stands with it)."""
        return self.transaction(call, commit=commit, engine=self._api)

    def read(self, call: Callable[[Connection], T]) -> T:
        """`call` in one read-only snapshot of the store."""
        if self._snapshots is not None:
            return self._sqlite_read(self._snapshots, call)
        return self.transaction(call, commit=False, engine=self._reader)

    def hand_back(self) -> None:
        """Return the connection the embedded store's reads keep to the engine's pool."""
        if self._snapshots is not None:
            self._snapshots.hand_back()

    def _sqlite_read(self, snapshots: HeldSnapshots, call: Callable[[Connection], T]) -> T:
        """`call` on the embedded store's driver directly (kiosk.store.compiled): for these
        keyed reads SQLAlchemy costs more than SQLite itself. Bounded and worded as
        `transaction` bounds and words a read."""
        from sqlalchemy.exc import SQLAlchemyError

        from kiosk.store.engine import deadline

        started = time.monotonic()
        try:
            with deadline(self.timeout_seconds), snapshots.snapshot() as reads:
                return call(cast("Connection", reads))
        except SQLAlchemyError as error:
            raise unavailable(error, time.monotonic() - started) from None


def unavailable(error: Exception, elapsed: float) -> StoreUnavailable:
    """`error` as the operator reads it (its first line, cut to 200 characters)."""
    detail = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
    if "no such table" in detail or "does not exist" in detail:
        detail += " (run `kiosk db upgrade`)"
    found = StoreUnavailable(
        f"account store unavailable after {elapsed:.2f} s: {type(error).__name__}: {detail}"
    )
    log.warning("%s", found.operator_message)
    return found

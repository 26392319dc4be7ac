"""The statements a store call sends, seen at the driver: what the store section counts as
round trips and explains (EXPLAIN) for its plans.

At the driver because the store's calls go straight to it wherever SQLAlchemy's machinery
costs more than the query (SQLite's reads, kiosk.store.compiled; the fleet's kiosk_api
calls, kiosk.store.fleet_api), where SQLAlchemy's events never see them: on SQLite the
connection's trace callback, on PostgreSQL a psycopg cursor class of our own on every
connection the engine hands out. Either way SQLAlchemy's own statements are seen too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


class Sent:
    """The SELECTs an engine's calls send, as (sql, parameters) (SQLite: values inlined)."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[tuple[str, Any]] = []
        self._restore: list[Callable[[], None]] = []
        self._engine = engine
        self._hook: Callable[..., None] = (
            self._trace if engine.dialect.name == "sqlite" else self._count_cursors
        )
        event.listen(engine, "checkout", self._hook)

    def _keep(self, sql: Any, parameters: Any) -> None:
        text = sql.decode() if isinstance(sql, bytes) else str(sql)
        if text.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((text, parameters))

    def _trace(self, driver: Any, *_: Any) -> None:
        driver.set_trace_callback(lambda sql: self._keep(sql, ()))
        self._restore.append(lambda: driver.set_trace_callback(None))

    def _count_cursors(self, driver: Any, *_: Any) -> None:
        original = driver.cursor_factory
        if getattr(original, "sent_to", None) is self:
            return
        keep = self._keep

        class Counted(original):  # type: ignore[misc, valid-type]
            sent_to = self

            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                keep(query.as_string(self) if hasattr(query, "as_string") else query, params)
                return super().execute(query, params, **options)

        driver.cursor_factory = Counted

        def restore() -> None:
            driver.cursor_factory = original

        self._restore.append(restore)

    def close(self) -> None:
        event.remove(self._engine, "checkout", self._hook)
        for restore in reversed(self._restore):
            restore()


class RoundTrips:
    """The SELECTs each screen call sent (on PostgreSQL each one is a round trip)."""

    def __init__(self, engines: list[Engine]) -> None:
        self._sent = [Sent(engine) for engine in engines]
        self.seen: dict[str, Counter[int]] = {}

    @property
    def count(self) -> int:
        return sum(len(sent.statements) for sent in self._sent)

    def note(self, screen: str, before: int) -> None:
        sent = self.count - before
        self.seen.setdefault(screen, Counter())[sent] += 1

    def typical(self, screen: str) -> int:
        """What a call of `screen` sends (the most common count: a service's first call
        also asks the store once which interface this login has)."""
        return self.seen[screen].most_common(1)[0][0]

    def close(self) -> None:
        for sent in self._sent:
            sent.close()

"""A screen's rows as the fleet store's function returned them, answering reads.py's statements.

On the fleet PostgreSQL a kiosk may not read tables: it calls one `kiosk_api` function per
screen (migration 0004), which checks the card number against the citizen ID, audits the
call and returns every row the screen needs as one jsonb document: {statement name: [row
objects]}. `Bundle` stands in for the connection reads.py would have used, so the screen's
logic (flags, family totals, the annual statement) runs the same on both stores: reads.py
asks `execute(queries.X, params)` and gets the rows the server ran X with for this screen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric
from sqlalchemy.sql.expression import Executable

from kiosk.store import queries
from kiosk.store.errors import CardNotActive, CardRefusal, StoreUnavailable

# The statement each bundle key stands for (queries.py's names, lower case).
_STATEMENTS: dict[str, list[Any]] = {
    "resolve": [queries.RESOLVE],
    "last_contribution": [queries.LAST_CONTRIBUTION],
    "contributions": [queries.CONTRIBUTIONS],
    "filings": [queries.FILINGS],
    "bindings": [queries.BINDINGS],
    "entries_since": [queries.ENTRIES_SINCE],
    "history": list(queries.HISTORY.values()),
    "history_count": list(queries.HISTORY_COUNT.values()),
    "year_entries": [queries.YEAR_ENTRIES],
    "balance_before": [queries.BALANCE_BEFORE],
    "region_name": [queries.REGION_NAME],
}
_KEY_OF = {id(statement): key for key, found in _STATEMENTS.items() for statement in found}
_REFUSALS = {
    "unknown": CardRefusal.UNKNOWN,
    "lost": CardRefusal.LOST,
    "replaced": CardRefusal.REPLACED,
    "suspended": CardRefusal.SUSPENDED,
    "cancelled": CardRefusal.CANCELLED,
    "expired": CardRefusal.EXPIRED,
    "mismatch": CardRefusal.MISMATCH,
}


class Row:
    """One row, read by attribute (as SQLAlchemy rows are) and by position."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: Sequence[str], values: Sequence[Any]) -> None:
        self._names = tuple(names)
        self._values = tuple(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def __getitem__(self, index: int) -> Any:
        return self._values[index]


class Result:
    def __init__(self, rows: list[Row]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise StoreUnavailable(f"the store answered {len(self._rows)} rows where one belongs")
        return self._rows[0][0]

    def scalar_one_or_none(self) -> Any:
        return self.scalar()


class Bundle:
    """reads.py's connection for one screen, from the function's jsonb document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document

    def execute(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Result:
        del params  # the server ran the statement with this screen's parameters
        key = _KEY_OF.get(id(statement))
        if key is None or key not in self._document:
            raise StoreUnavailable(f"the store's answer lacks {key or 'a statement'} rows")
        return Result([_row(statement, item) for item in self._document[key]])


def parse(text: str | bytes | Mapping[str, Any]) -> Bundle:
    """The function's answer as a Bundle; a refusal raises CardNotActive (or, for a kiosk
    over its hourly ceiling, StoreUnavailable: the operator must look at it, not the person)."""
    document = text if isinstance(text, Mapping) else json.loads(text, parse_float=Decimal)
    refused = document.get("refused")
    if refused == "ceiling":
        raise StoreUnavailable("the store refuses this kiosk: over its cards-per-hour ceiling")
    if refused is not None:
        raise CardNotActive(_REFUSALS.get(str(refused), CardRefusal.UNKNOWN))
    return Bundle(document)


def _row(statement: Any, item: Mapping[str, Any]) -> Row:
    columns = list(statement.selected_columns)
    names = [column.key for column in columns]
    return Row(names, [_value(column.type, item.get(column.key)) for column in columns])


def _value(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(str(value))
    if isinstance(kind, Date):
        return date.fromisoformat(str(value)[:10])
    if isinstance(kind, Numeric) and not isinstance(value, Decimal):
        return Decimal(str(value))
    return value

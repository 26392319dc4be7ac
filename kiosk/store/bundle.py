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
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric
from sqlalchemy.sql.expression import Executable

from kiosk.store import queries
from kiosk.store.errors import CardNotActive, CardRefusal, StoreUnavailable
from kiosk.store.rows import Result, Row, row_type

# The statement each bundle key stands for (queries.py's names, lower case).
_STATEMENTS: dict[str, list[Any]] = {
    "resolve": [queries.RESOLVE],
    "last_contribution": [queries.LAST_CONTRIBUTION],
    "contributions": [queries.CONTRIBUTIONS],
    "filings": [queries.FILINGS],
    "bindings": [queries.BINDINGS],
    "entries_since": [queries.ENTRIES_SINCE, queries.CHARGES_SINCE],  # its columns, a subset
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
    "reported_lost": CardRefusal.REPORTED_LOST,  # migration 0007
}


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


Converter = Callable[[Any], Any]
# Per statement: the function that turns one JSON row object into the statement's row.
_MAKERS: dict[int, Callable[[Mapping[str, Any]], Row]] = {}


def _row(statement: Any, item: Mapping[str, Any]) -> Row:
    make = _MAKERS.get(id(statement))
    if make is None:
        make = _MAKERS[id(statement)] = _row_maker(statement)  # module constants (queries.py)
    return make(item)


def _row_maker(statement: Any) -> Callable[[Mapping[str, Any]], Row]:
    """One function per statement from a row object to its named row, each column converted
    (a missing or null value is None). Generated, as kiosk.store.compiled's row makers are:
    a loop over the columns with a test each cost a third of a history page's parsing."""
    columns = list(statement.selected_columns)
    names = tuple(str(c.key) for c in columns)
    scope: dict[str, Any] = {"new": tuple.__new__, "row": row_type(names)}
    values = []
    for position, column in enumerate(columns):
        convert = _converter(column.type)
        value = f"get({names[position]!r})"
        if convert is not None:
            scope[f"convert_{position}"] = convert
            value = f"(None if (v := {value}) is None else convert_{position}(v))"
        values.append(value)
    source = f"def make(item):\n    get = item.get\n    return new(row, ({', '.join(values)},))\n"
    exec(source, scope)  # noqa: S102 - built from repr-quoted column names and positions only
    made: Callable[[Mapping[str, Any]], Row] = scope["make"]
    return made


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _converter(kind: Any) -> Converter | None:
    if isinstance(kind, DateTime):
        return lambda value: datetime.fromisoformat(str(value))
    if isinstance(kind, Date):
        return lambda value: date.fromisoformat(str(value)[:10])
    if isinstance(kind, Numeric):
        return _decimal
    return None

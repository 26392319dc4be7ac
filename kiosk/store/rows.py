"""Rows and results as reads.py reads them, for answers that do not come through SQLAlchemy.

Both the fleet store's jsonb answer (kiosk.store.bundle) and the embedded store's direct
driver reads (kiosk.store.compiled) hand reads.py these: a row read by attribute and by
position, a result iterated or asked for its first row or its one value.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import Any

from kiosk.store.errors import StoreUnavailable

_TYPES: dict[tuple[str, ...], type[tuple[Any, ...]]] = {}


def row_type(names: Sequence[str]) -> type[tuple[Any, ...]]:
    """The row class of one statement's columns: a named tuple, read by attribute (as
    SQLAlchemy rows are) and by position; attribute reads are C-level, one class a shape.
    A name that is no identifier (an unlabelled count) is read by position only."""
    key = tuple(names)
    found = _TYPES.get(key)
    if found is None:
        found = _TYPES.setdefault(key, namedtuple("Row", key, rename=True))
    return found


Row = tuple[Any, ...]


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

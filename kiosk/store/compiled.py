"""reads.py's statements on the embedded SQLite store, straight to the driver.

SQLAlchemy Core costs more than SQLite itself for the small keyed reads of a screen (about
35 µs a statement here against 10-20 µs in sqlite3, and an overview sends six). Each
statement of kiosk.store.queries is compiled for the SQLite dialect once; afterwards a read
is the driver's `execute` with the values SQLAlchemy's own bind processors made, and rows
go through SQLAlchemy's own result processors (Money as Decimal, the stored timestamps), so
what reads.py gets is what it would get through a SQLAlchemy Connection.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import Executable

from kiosk.store.rows import Result, row_type
from kiosk.store.types import Money

Processor = Callable[[Any], Any]
_MISSING = object()


@dataclass(frozen=True)
class _Plan:
    sql: str
    parameters: tuple[tuple[str, Any, Processor | None], ...]  # name, default, bind processor
    row: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # a driver row -> the statement's row


_CENTS = "cents"  # Money on SQLite is integer cents (kiosk.store.types)


def _row_maker(
    row: type[tuple[Any, ...]], width: int, converters: dict[int, Processor | str]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """One function per statement that turns a driver row into its named row, each column
    converted as SQLAlchemy's result processor would (None stays None).

    Generated, as namedtuple and SQLAlchemy's own row processors are: a loop over the
    converters with a test per column cost about as much as the SQLite step itself for a
    history page (~30 rows, ~120 money values). Money is made inline, Decimal(cents)
    scaled by -2, the value Money's processor gives without its two Python calls.
    """
    names = [f"c{i}" for i in range(width)]
    values = []
    for position, name in enumerate(names):
        convert = converters.get(position)
        if convert is None:
            values.append(name)
        elif convert == _CENTS:
            values.append(f"(None if {name} is None else Decimal({name}).scaleb(-2))")
        else:
            values.append(f"(None if {name} is None else convert_{position}({name}))")
    source = (
        f"def make(found):\n    {', '.join(names)}, = found\n"
        f"    return new(row, ({', '.join(values)},))\n"
    )
    scope: dict[str, Any] = {"new": tuple.__new__, "row": row, "Decimal": Decimal}
    scope |= {f"convert_{p}": c for p, c in converters.items() if c != _CENTS}
    exec(source, scope)  # noqa: S102 - the source is built above from column positions only
    made: Callable[[tuple[Any, ...]], tuple[Any, ...]] = scope["make"]
    return made


_plans: dict[int, _Plan] = {}
_plans_lock = threading.Lock()


def _plan(statement: Select[Any], dialect: Dialect) -> _Plan:
    found = _plans.get(id(statement))
    if found is not None:
        return found
    compiled = statement.compile(dialect=dialect)
    if compiled.positiontup is None or "POSTCOMPILE" in compiled.string:
        raise ValueError("only positional statements without expanding IN are compiled")
    parameters = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        default = bind.value if bind.value is not None or not bind.required else _MISSING
        parameters.append((name, default, bind.type._cached_bind_processor(dialect)))
    columns = tuple(statement.selected_columns)
    converters: dict[int, Processor | str] = {}
    for position, column in enumerate(columns):
        if type(column.type) is Money:
            converters[position] = _CENTS
        elif convert := column.type._cached_result_processor(dialect, None):
            converters[position] = convert
    plan = _Plan(
        sql=compiled.string,
        parameters=tuple(parameters),
        row=_row_maker(row_type([str(c.key) for c in columns]), len(columns), converters),
    )
    with _plans_lock:
        # Keyed by id: the statements are module constants, alive as long as the process.
        _plans[id(statement)] = plan
    return plan


class CompiledReads:
    """Stands in for a SQLAlchemy Connection for reads.py's statements, on a sqlite3
    connection inside its read transaction (`snapshot` makes one)."""

    def __init__(self, raw: sqlite3.Connection, dialect: Dialect) -> None:
        self.driver = raw
        self._dialect = dialect

    def execute(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Result:
        if not isinstance(statement, Select) and not hasattr(statement, "selected_columns"):
            raise TypeError(f"not a read statement: {type(statement).__name__}")
        plan = _plan(statement, self._dialect)  # type: ignore[arg-type]
        given = params or {}
        values = []
        for name, default, process in plan.parameters:
            value = given.get(name, default)
            if value is _MISSING:
                raise KeyError(f"a value is required for bind parameter {name!r}")
            values.append(process(value) if process is not None else value)
        cursor = self.driver.execute(plan.sql, values)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        return Result(list(map(plan.row, fetched)))


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[CompiledReads]:
    """A screen's reads in one read transaction on a pooled driver connection.

    No SQLAlchemy Connection: its checkout, begin and rollback machinery cost about as
    much CPU as an overview's six statements (~0.1 ms). The pool still hands out the
    connection (its connect hook set the pragmas and the deadline's progress handler) and
    takes it back. A driver error comes out as SQLAlchemy's DBAPIError, as it would have
    through a Connection, so the caller's handling is the same.
    """
    try:
        pooled = engine.raw_connection()
    except sqlite3.Error as error:  # a store that cannot be opened
        raise DBAPIError.instance(None, None, error, sqlite3.Error) from None
    try:
        raw = pooled.driver_connection
        if not isinstance(raw, sqlite3.Connection):
            raise TypeError("snapshot reads SQLite only")
        try:
            raw.execute("BEGIN")
            try:
                yield CompiledReads(raw, engine.dialect)
            finally:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise DBAPIError.instance(None, None, error, sqlite3.Error) from None
    finally:
        pooled.close()

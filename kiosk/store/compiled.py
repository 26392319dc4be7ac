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
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    bind: Callable[[Mapping[str, Any]], list[Any]]  # the given values -> the driver's, in order
    row: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # a driver row -> the statement's row


_CENTS = "cents"  # Money on SQLite is integer cents (kiosk.store.types)
_ZERO = Decimal(0).scaleb(-2)


def _row_maker(
    row: type[tuple[Any, ...]], width: int, converters: dict[int, Processor | str]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """One function per statement that turns a driver row into its named row, each column
    converted as SQLAlchemy's result processor would (None stays None).

    Generated, as namedtuple and SQLAlchemy's own row processors are: a loop over the
    converters with a test per column cost about as much as the SQLite step itself for a
    history page (~30 rows, ~120 money values). Money is made inline, Decimal(cents)
    scaled by -2, the value Money's processor gives without its two Python calls; zero
    (most pooled and quota amounts: a pharmacy charge is the personal account's alone) is
    one shared Decimal("0.00"), the value and exponent the scaling gives.
    """
    names = [f"c{i}" for i in range(width)]
    values = []
    for position, name in enumerate(names):
        convert = converters.get(position)
        if convert is None:
            values.append(name)
        elif convert == _CENTS:
            values.append(
                f"(None if {name} is None else ZERO if not {name} else Decimal({name}).scaleb(-2))"
            )
        else:
            values.append(f"(None if {name} is None else convert_{position}({name}))")
    source = (
        f"def make(found):\n    {', '.join(names)}, = found\n"
        f"    return new(row, ({', '.join(values)},))\n"
    )
    scope: dict[str, Any] = {"new": tuple.__new__, "row": row, "Decimal": Decimal, "ZERO": _ZERO}
    scope |= {f"convert_{p}": c for p, c in converters.items() if c != _CENTS}
    exec(source, scope)  # noqa: S102 - the source is built above from column positions only
    made: Callable[[tuple[Any, ...]], tuple[Any, ...]] = scope["make"]
    return made


def _binder(
    parameters: Sequence[tuple[str, Any, Processor | None]],
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """One function per statement from its named values to the driver's positional ones,
    each through its type's bind processor; a value without a default must be given
    (KeyError naming it). Generated as _row_maker is: the loop cost 10 us a statement."""
    scope: dict[str, Any] = {}
    values = []
    for position, (name, default, process) in enumerate(parameters):
        if default is _MISSING:
            value = f"given[{name!r}]"
        else:
            scope[f"default_{position}"] = default
            value = f"given.get({name!r}, default_{position})"
        if process is not None:
            scope[f"process_{position}"] = process
            value = f"process_{position}({value})"
        values.append(value)
    source = f"def bind(given):\n    return [{', '.join(values)}]\n"
    exec(source, scope)  # noqa: S102 - built from bind names (repr-quoted) and positions only
    made: Callable[[Mapping[str, Any]], list[Any]] = scope["bind"]
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
        bind=_binder(parameters),
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
        try:
            values = plan.bind(params or {})
        except KeyError as missing:
            raise KeyError(f"a value is required for bind parameter {missing.args[0]!r}") from None
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
        with _transaction(pooled.driver_connection, engine.dialect) as reads:
            yield reads
    finally:
        pooled.close()


class HeldSnapshots:
    """`snapshot` on one pooled connection kept between screens.

    The pool's checkout and return (its fairy, reset and events: ~15 us) cost as much as a
    statement. A kiosk reads from two threads at most (the card lane asks the card's
    status, the store lane the screens), nearly never at the same moment: the one that
    finds the kept connection busy takes one from the pool as before. A connection whose
    statement failed goes back to the pool invalidated, and the next screen keeps a fresh
    one.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._kept: Any = None  # a pool's connection (its fairy), checked out while kept
        self._lock = threading.Lock()  # whoever holds it reads on _kept

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[CompiledReads]:
        if not self._lock.acquire(blocking=False):  # the other lane is reading: the pool
            with snapshot(self._engine) as reads:
                yield reads
            return
        try:
            if self._kept is None:
                try:
                    self._kept = self._engine.raw_connection()
                except sqlite3.Error as error:
                    raise DBAPIError.instance(None, None, error, sqlite3.Error) from None
            kept = self._kept
            try:
                with _transaction(kept.driver_connection, self._engine.dialect) as reads:
                    yield reads
            except DBAPIError:
                self._kept = None
                kept.invalidate()  # and back to the pool, which opens a fresh one next
                raise
        finally:
            self._lock.release()

    def hand_back(self) -> None:
        """Return the kept connection to the pool (the next screen checks one out again)."""
        with self._lock:
            kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()


@contextlib.contextmanager
def _transaction(raw: Any, dialect: Dialect) -> Iterator[CompiledReads]:
    """One read transaction on `raw`, rolled back at the end; driver errors as DBAPIError."""
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError("snapshot reads SQLite only")
    try:
        raw.execute("BEGIN")
        try:
            yield CompiledReads(raw, dialect)
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
    except sqlite3.Error as error:
        raise DBAPIError.instance(None, None, error, sqlite3.Error) from None

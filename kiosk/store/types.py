"""Column types that behave the same on SQLite and PostgreSQL.

Money is exact on both: NUMERIC(14, 2) on PostgreSQL, integer cents on SQLite (whose
NUMERIC affinity would store a REAL). Timestamps are naive local time (China has one
time zone); SQLite keeps them as 'YYYY-MM-DD HH:MM:SS' text, which sorts by time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator, TypeEngine

from kiosk.domain import CENT

SQLITE_DATETIME_FORMAT = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"


class Money(TypeDecorator[Decimal]):
    """Decimal yuan with two places; integer cents on SQLite so sums stay exact."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value)
        if dialect.name == "sqlite":
            return int((amount * 100).to_integral_exact())
        return amount.quantize(CENT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-2)
        return Decimal(value).quantize(CENT)


def timestamp() -> TypeEngine[Any]:
    """A naive DateTime, stored without microseconds on SQLite."""
    return DateTime().with_variant(
        sqlite.DATETIME(storage_format=SQLITE_DATETIME_FORMAT),  # type: ignore[no-untyped-call]
        "sqlite",
    )

"""A failing statement never carries its values out: the store's engines hide parameters,
so neither the exception text nor SQLAlchemy's own log lines show a card number or a
password, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from kiosk.store.engine import make_engine

CARD = "B98765432"  # a card number: a letter and eight digits
PASSWORD = "s3cret-Pa55word"
HIDDEN = "[SQL parameters hidden due to hide_parameters=True]"


def fail_with_secrets(engine: Engine) -> str:
    """Run statements bound to a card number and a password that fail; their error text."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE card_probe (card_number VARCHAR(20) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO card_probe VALUES (:card)"), {"card": CARD})
    with pytest.raises(SQLAlchemyError) as duplicate, engine.begin() as connection:
        connection.execute(text("INSERT INTO card_probe VALUES (:card)"), {"card": CARD})
    with pytest.raises(SQLAlchemyError) as missing, engine.begin() as connection:
        connection.execute(
            text("SELECT * FROM no_such_table WHERE card_number = :card AND secret = :password"),
            {"card": CARD, "password": PASSWORD},
        )
    return f"{duplicate.value}\n{missing.value}"


def check_nothing_leaks(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")  # the engine logs every statement
    said = fail_with_secrets(engine)
    assert "card_probe" in said  # the SQL is there, for whoever debugs it
    assert HIDDEN in said
    logged = caplog.text
    assert "INSERT INTO card_probe" in logged  # statement logging was on
    assert HIDDEN in logged
    for secret in (CARD, PASSWORD):
        assert secret not in said
        assert secret not in logged


def test_a_failing_sqlite_statement_shows_no_card_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}", create=True)
    try:
        check_nothing_leaks(engine, caplog)
    finally:
        engine.dispose()


def test_the_check_would_catch_an_engine_that_shows_parameters(tmp_path: Path) -> None:
    """The control: SQLAlchemy's default puts the values in the exception text."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    try:
        assert CARD in fail_with_secrets(engine)
    finally:
        engine.dispose()


@pytest.mark.integration
def test_a_failing_postgresql_statement_shows_no_card_number_or_password(
    postgres_database: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL quotes values itself: `Key (card_number)=(...) already exists.` in the
    DETAIL of the duplicate, the value in a data exception's message. Neither gets out."""
    engine = make_engine(postgres_database("engine_secrets"), timeout_seconds=5.0)
    try:
        assert engine.hide_parameters
        check_nothing_leaks(engine, caplog)
        with pytest.raises(DBAPIError) as cast, engine.connect() as connection:
            connection.execute(text("SELECT CAST(:card AS integer)"), {"card": CARD})
        said = str(cast.value)
        assert 'invalid input syntax for type integer: "***"' in said  # still says what
        assert CARD not in said
        assert CARD not in caplog.text
        assert isinstance(cast.value.orig, psycopg.Error)
        assert CARD in str(cast.value.orig.diag.message_primary)  # for code that asks only
    finally:
        engine.dispose()

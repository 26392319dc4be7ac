"""Annual statements reconcile to the cent for every person of a 10,000-person store."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from kiosk.store import reads
from kiosk.store.demo import demo_people_count
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.seeding import create_store
from tests.kiosk.store.conftest import NOW

PERSONS = 10_000


def test_every_statement_reconciles(store_url_factory: Callable[[str], str]) -> None:
    url = store_url_factory("ten_thousand")
    result = create_store(url, NOW, persons=PERSONS, years=2, seed=11)
    assert result.persons == PERSONS + demo_people_count()
    assert result.ledger_rows > 15 * PERSONS
    engine = make_engine(url, 60)
    account = TABLES["account"]
    checked = 0
    with engine.connect() as connection:
        balances = dict(connection.execute(select(account.c.person_id, account.c.balance)).all())
        assert len(balances) == PERSONS + demo_people_count()
        for person_id, balance in balances.items():
            previous = None
            for year in (2024, 2025, 2026):
                statement = reads.annual_statement(connection, person_id, year, NOW.date())
                assert statement.closing_from_movements == statement.closing_balance, (
                    person_id,
                    year,
                )
                assert sum(statement.spending_by_month, Decimal(0)) == statement.total_out
                if previous is not None:
                    assert statement.opening_balance == previous.closing_balance
                previous = statement
                checked += 1
            assert previous is not None
            assert previous.closing_balance == balance
            assert balance >= 0
    assert checked == 3 * (PERSONS + demo_people_count())
    engine.dispose()

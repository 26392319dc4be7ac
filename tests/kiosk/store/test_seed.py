"""The generator: deterministic, valid citizen IDs, consistent keys, every kind present."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sqlalchemy import func, select

from kiosk.domain import LedgerKind
from kiosk.store.demo import demo_people_count
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.reference import citizen_id_valid
from kiosk.store.seeding import create_store
from tests.kiosk.store.conftest import NOW


def _fingerprint(url: str) -> str:
    ledger = TABLES["ledger_entry"]
    engine = make_engine(url, 30)
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for row in connection.execute(
            select(ledger).order_by(ledger.c.person_id, ledger.c.entry_no)
        ):
            digest.update(repr(tuple(row)).encode())
        for person in connection.execute(select(TABLES["person"]).order_by("id")):
            digest.update(repr(tuple(person)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_same_seed_same_store(store_url_factory: Callable[[str], str]) -> None:
    first, second, other = (store_url_factory(n) for n in ("seed_a", "seed_b", "seed_c"))
    for url, seed in ((first, 5), (second, 5), (other, 6)):
        create_store(url, NOW, persons=500, years=1, seed=seed)
    assert _fingerprint(first) == _fingerprint(second)
    assert _fingerprint(first) != _fingerprint(other)


def test_generated_people_are_valid_and_consistent(store_url_factory: Callable[[str], str]) -> None:
    url = store_url_factory("valid")
    result = create_store(url, NOW, persons=3000, years=1, seed=2)
    engine = make_engine(url, 30)
    person, card = TABLES["person"], TABLES["card"]
    ledger = TABLES["ledger_entry"]
    with engine.connect() as connection:
        ids = connection.execute(select(person.c.citizen_id)).scalars().all()
        numbers = connection.execute(select(card.c.card_number, card.c.status)).all()
        kinds = set(connection.execute(select(ledger.c.kind).distinct()).scalars())
        lowest = connection.execute(select(func.min(ledger.c.balance_after))).scalar_one()
        count = connection.execute(select(func.count()).select_from(ledger)).scalar_one()
        names = connection.execute(select(person.c.name)).scalars().all()
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        else:
            orphans = connection.exec_driver_sql(
                "SELECT count(*) FROM ledger_entry l LEFT JOIN person p ON p.id = l.person_id "
                "LEFT JOIN institution i ON i.id = l.institution_id "
                "WHERE p.id IS NULL OR (l.institution_id IS NOT NULL AND i.id IS NULL)"
            ).scalar_one()
            assert orphans == 0
    engine.dispose()
    assert len(ids) == len(set(ids)) == 3000 + demo_people_count()
    assert all(citizen_id_valid(i) for i in ids)
    assert all(re.fullmatch(r"[A-Z]\d{8}", n) for n, _ in numbers)
    assert {s for _, s in numbers} >= {"active", "lost", "replaced"}
    assert kinds == {k.value for k in LedgerKind}
    assert lowest >= 0
    assert 18 * 3000 < count - 0 < 26 * (3000 + demo_people_count())
    assert result.ledger_rows > 18 * 3000
    assert any(ch in "".join(names) for ch in "喆堃玥镕昇珺赟淼犇垚")

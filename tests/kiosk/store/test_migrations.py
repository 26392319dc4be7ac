"""Models and migrations never drift; `kiosk db upgrade` is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect

from kiosk.store.engine import make_engine
from kiosk.store.migrate import current_revision, drift, head_revision, upgrade
from kiosk.store.models import Base


def test_models_and_migrations_agree(store_url_factory: Callable[[str], str]) -> None:
    engine = make_engine(store_url_factory("drift"), create=True)
    upgrade(engine)
    assert drift(engine) == []
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run changes nothing
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_drift_is_detected(store_url_factory: Callable[[str], str]) -> None:
    engine = make_engine(store_url_factory("drifted"), create=True)
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_card_person_id")
    assert [d[0] for d in drift(engine)] == ["add_index"]
    engine.dispose()


def test_sqlite_ledger_is_without_rowid(store_url_factory: Callable[[str], str]) -> None:
    url = store_url_factory("rowid")
    engine = make_engine(url, create=True)
    upgrade(engine)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_entry'"
            ).scalar_one()
        assert sql.rstrip().endswith("WITHOUT ROWID")
        assert "PRIMARY KEY (person_id, entry_no)" in sql
    engine.dispose()

"""`kiosk db upgrade | demo | seed | status` on a SQLite store named by kiosk.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.services import AccountService
from kiosk.store.demo import demo_people_count
from kiosk.store.engine import make_engine
from kiosk.store.migrate import head_revision


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ndata_dir = "var"\n[logging]\nfile = "{data_dir}/kiosk.log"\n')
    return path


def test_upgrade_demo_seed_status(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    assert main(["--config", str(config), "db", "demo"]) == 0
    store = config.parent / "var" / "accounts.sqlite3"
    service = AccountService(make_engine(f"sqlite:///{store}"), "k", audit=False)
    assert service.summary("A32010001").person_name == "张伟"
    service.close()
    args = ["db", "seed", "--persons", "200", "--years", "1", "--seed", "3"]
    assert main(["--config", str(config), *args]) == 0
    assert f"store ready: {200 + demo_people_count()} people" in capsys.readouterr().out
    assert main(["--config", str(config), "db", "status"]) == 0
    out = capsys.readouterr().out
    assert f"person: {200 + demo_people_count()}" in out
    assert f"revision {head_revision()} (newest {head_revision()})" in out


def test_bad_arguments(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "db", "seed", "--persons", "5", "--years", "0"]) == 2
    assert "--years" in capsys.readouterr().err


def test_upgrade_rekeys_an_embedded_stores_old_blake2b_pseudonyms(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows from before the installation key carried BLAKE2b under a key in the source; a
    dictionary of the store's card numbers maps those back. `kiosk db upgrade` gives each
    the card's pseudonym under the installation key, and leaves newer rows alone."""
    from sqlalchemy import text

    from kiosk import pseudonym_key
    from kiosk.store.audit import card_hash
    from kiosk.store.legacy_pseudonyms import legacy_hash

    assert main(["--config", str(config), "db", "demo"]) == 0
    store = config.parent / "var" / "accounts.sqlite3"
    engine = make_engine(f"sqlite:///{store}")
    key = pseudonym_key.load_or_create(config.parent / "var").key
    old = {"A32010001": legacy_hash("A32010001"), "B32010002": legacy_hash("B32010002")}
    new_row = card_hash("A32010001", key)
    rows = [*old.values(), old["A32010001"], new_row, legacy_hash("X00000000")]
    with engine.begin() as connection:
        for number, value in enumerate(rows):
            connection.execute(
                text(
                    "INSERT INTO audit_event (at, kiosk_id, action, outcome, card_hash,"
                    " event_key) VALUES ('2026-11-01 09:00:00', 'k', 'summary', 'ok', :h, :e)"
                ),
                {"h": value, "e": f"legacy-{number}"},
            )
    capsys.readouterr()
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert "re-keyed the card pseudonyms of 3 old audit row(s)" in capsys.readouterr().out
    with engine.connect() as connection:
        kept = [
            r[0]
            for r in connection.execute(
                text("SELECT card_hash FROM audit_event WHERE event_key LIKE 'legacy-%'"
                     " ORDER BY event_key")
            )
        ]  # fmt: skip
    zhang, other = card_hash("A32010001", key), card_hash("B32010002", key)
    # An old value of a number the store never knew cannot be told from a new one: it stays.
    assert kept == [zhang, other, zhang, new_row, legacy_hash("X00000000")]
    assert not set(kept) & set(old.values())
    assert main(["--config", str(config), "db", "upgrade"]) == 0  # again: nothing to do
    assert "re-keyed" not in capsys.readouterr().out
    engine.dispose()

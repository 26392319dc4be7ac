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

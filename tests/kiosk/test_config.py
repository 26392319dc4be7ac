"""kiosk.toml loading: defaults, every problem reported at once, secrets kept out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_kiosk_toml_runs_everything_embedded() -> None:
    config = load_config(REPO / "kiosk.toml")
    assert config.reader.backend == "virtual"
    assert config.store.url == f"sqlite:///{REPO / 'var' / 'accounts.sqlite3'}"
    assert config.printer.kind == "spool"
    assert config.printer.spool_dir == REPO / "var" / "receipts"
    assert config.admin.pin_hash.startswith("scrypt$")


def test_an_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    config = parse_config("", tmp_path / "kiosk.toml")
    assert config.timeouts.idle_seconds == 60
    assert config.timeouts.idle_warning_seconds == 20
    assert config.store.timeout_seconds == 3
    assert config.data_dir == tmp_path / "var"


def test_every_problem_in_a_bad_file_is_reported_at_once() -> None:
    text = """
[kiosk]
id = "has spaces"
language = "fr"
elderly_mod = true
[store]
timeout_seconds = "3"
[printer]
paper_width_mm = 70
[nonsense]
x = 1
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    keys = [problem.key for problem in caught.value.problems]
    assert keys == [
        "kiosk.id",
        "kiosk.language",
        "kiosk.elderly_mod",
        "store.timeout_seconds",
        "printer.paper_width_mm",
        "[nonsense]",
    ]
    message = str(caught.value)
    assert "did you mean 'elderly_mode'" in message
    assert "one of 58, 80" in message
    assert "'fr'" in message


def test_a_typo_in_a_key_is_an_error_not_silently_ignored() -> None:
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config("[timeouts]\nidle_secnds = 30\n")


def test_a_boolean_is_not_accepted_as_a_number() -> None:
    with pytest.raises(ConfigError, match=r"timeouts\.idle_seconds"):
        parse_config("[timeouts]\nidle_seconds = true\n")


def test_invalid_toml_is_reported_with_its_position() -> None:
    with pytest.raises(ConfigError, match="valid TOML") as caught:
        parse_config("[kiosk\nid = 1")
    assert "line 1" in str(caught.value)


def test_a_password_in_the_store_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="no password in the file"):
        parse_config('[store]\nurl = "postgresql+psycopg://kiosk:hunter2@db/ins"\n')


def test_the_store_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DB_PASSWORD", "p@ss word")
    config = parse_config('[store]\nurl = "postgresql+psycopg://kiosk@db.example/ins"\n')
    assert config.store_url() == "postgresql+psycopg://kiosk:p%40ss%20word@db.example/ins"


def test_the_store_password_can_come_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_DB_PASSWORD", raising=False)
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    config = parse_config(
        f'[store]\nurl = "postgresql+psycopg://kiosk@db/ins"\npassword_file = "{secret}"\n'
    )
    assert config.store_url() == "postgresql+psycopg://kiosk:s3cret@db/ins"


def test_kiosk_store_url_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_STORE_URL", "sqlite:////tmp/other.sqlite3")
    assert parse_config("").store.url == "sqlite:////tmp/other.sqlite3"


def test_cups_printing_needs_a_queue_name() -> None:
    with pytest.raises(ConfigError, match=r"printer\.cups_queue"):
        parse_config('[printer]\nkind = "cups"\n')


def test_kiosk_config_env_picks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[kiosk]\nid = "clinic-7"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(other))
    assert load_config().kiosk.id == "clinic-7"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="readable file"):
        load_config(tmp_path / "absent.toml")

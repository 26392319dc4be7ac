"""The fleet password as systemd hands it over (LoadCredential=db-password:...): read from
$CREDENTIALS_DIRECTORY/db-password when neither store.password_env nor store.password_file
gives one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, parse_config

FLEET = '[store]\nurl = "postgresql+psycopg://kiosk@db.example/insurance"\n'


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "credentials"
    folder.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(folder))
    monkeypatch.delenv("KIOSK_DB_PASSWORD", raising=False)
    return folder


def test_the_credential_becomes_the_urls_password(credentials: Path) -> None:
    (credentials / "db-password").write_text("p@ss/word:1\n", encoding="utf-8")
    url = parse_config(FLEET).store_url()
    assert url == "postgresql+psycopg://kiosk:p%40ss%2Fword%3A1@db.example/insurance"


def test_an_explicit_source_comes_first(
    credentials: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (credentials / "db-password").write_text("from-systemd", encoding="utf-8")
    (tmp_path / "password").write_text("from-the-file", encoding="utf-8")
    with_file = parse_config(FLEET + f'password_file = "{tmp_path / "password"}"\n')
    assert ":from-the-file@" in with_file.store_url()
    monkeypatch.setenv("KIOSK_DB_PASSWORD", "from-the-environment")
    assert ":from-the-environment@" in parse_config(FLEET).store_url()


def test_no_credential_of_that_name_means_no_password(credentials: Path) -> None:
    (credentials / "other-secret").write_text("not ours", encoding="utf-8")
    assert parse_config(FLEET).store_url() == "postgresql+psycopg://kiosk@db.example/insurance"


def test_an_unreadable_credential_is_a_config_error_that_shows_no_secret(
    credentials: Path,
) -> None:
    (credentials / "db-password").mkdir()  # not a file
    with pytest.raises(ConfigError) as caught:
        parse_config(FLEET).store_url()
    assert "$CREDENTIALS_DIRECTORY" in str(caught.value)
    assert "a regular file" in str(caught.value)


def test_the_embedded_store_needs_no_password(credentials: Path) -> None:
    (credentials / "db-password").write_text("unused", encoding="utf-8")
    url = parse_config('[store]\nurl = "sqlite:///x.sqlite3"\n').store_url()
    assert "unused" not in url

"""The shipped deployment files stay valid as the code changes."""

from __future__ import annotations

import configparser
import os
from pathlib import Path

import pytest

from kiosk.config import parse_config

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_production_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_DB_PASSWORD", "from-the-secrets-file")
    source = DEPLOY / "kiosk.toml.production"
    config = parse_config(source.read_text(encoding="utf-8"), source)
    assert config.reader.backend == "pcsc"
    assert config.printer.kind == "cups"
    assert config.store_url().startswith("postgresql+psycopg://kiosk:from-the-secrets-file@")
    assert "from-the-secrets-file" not in source.read_text(encoding="utf-8")


def test_the_systemd_unit_restarts_and_watches_the_kiosk() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "sscard-kiosk.service", encoding="utf-8")
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "always"
    assert int(service["WatchdogSec"]) > 0
    assert service["ExecStart"].startswith("/usr/bin/cage ")
    assert service["ExecStart"].endswith("kiosk run")
    assert service["User"] != "root"
    assert os.path.isabs(service["WorkingDirectory"])

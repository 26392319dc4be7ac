"""The shipped deployment files stay valid as the code changes."""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import parse_config
from ui.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
DOCS = Path(__file__).resolve().parents[1] / "docs"
UNITS = ["sscard-kiosk.service", "sscard-fleet-check.service", "sscard-fleet-check.timer"]


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / name, encoding="utf-8")
    return unit


def test_the_production_example_config_is_valid(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The password comes from systemd's credential, as the unit passes it, and from no
    environment variable (an old secrets.env left behind is not read)."""
    (tmp_path / "db-password").write_text("from-the-credential\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    monkeypatch.setenv("KIOSK_DB_PASSWORD", "from-an-old-environment-file")
    source = DEPLOY / "kiosk.toml.production"
    config = parse_config(source.read_text(encoding="utf-8"), source)
    assert config.reader.backend == "pcsc"
    assert config.printer.kind == "cups"
    assert config.store_url().startswith("postgresql+psycopg://kiosk:from-the-credential@")
    assert "from-the-credential" not in source.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["sscard-kiosk.service", "sscard-fleet-check.service"])
def test_the_units_pass_the_database_password_as_a_credential(name: str) -> None:
    """LoadCredential=, not EnvironmentFile=: the password is a file only this service sees
    (under $CREDENTIALS_DIRECTORY), never an environment variable its children inherit."""
    service = _unit(name)["Service"]
    assert service["LoadCredential"] == "db-password:/etc/sscard-kiosk/db-password"
    assert "EnvironmentFile" not in service
    assert "PASSWORD" not in service.get("Environment", "")


def test_the_install_steps_keep_kiosk_toml_and_the_password_private() -> None:
    guide = (DOCS / "operations.md").read_text(encoding="utf-8")
    config = re.search(r"^install (.*) deploy/kiosk\.toml\.production (\S+)$", guide, re.MULTILINE)
    assert config is not None
    assert config.group(2) == "/etc/sscard-kiosk/kiosk.toml"
    assert config.group(1).split() == ["-m", "0640", "-o", "root", "-g", "kiosk"]
    password = re.search(r"^install (.*) /etc/sscard-kiosk/db-password\b", guide, re.MULTILINE)
    assert password is not None
    assert "-m 0600" in password.group(1)
    assert not re.search(r"^install .*secrets\.env", guide, re.MULTILINE)  # the old way


def test_the_systemd_unit_restarts_and_watches_the_kiosk() -> None:
    service = _unit("sscard-kiosk.service")["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "all"  # the kiosk is cage's child, not the main PID
    assert service["Restart"] == "always"
    assert int(service["WatchdogSec"]) > 0
    assert service["ExecStart"].startswith("/usr/bin/cage ")
    assert service["ExecStart"].endswith("kiosk run")
    assert service["User"] != "root"
    assert os.path.isabs(service["WorkingDirectory"])
    assert service["LimitCORE"] == "0"  # no core file with a card's data in it


def test_the_kiosk_session_offers_no_keyboard_way_out() -> None:
    service = _unit("sscard-kiosk.service")["Service"]
    cage_options = service["ExecStart"].split(" -- ", 1)[0].split()[1:]
    assert "-s" not in cage_options  # cage -s would allow Ctrl+Alt+Fn to another VT
    assert "XKB_DEFAULT_OPTIONS=srvrkeys:none" in service["Environment"]
    assert _unit("sscard-kiosk.service")["Unit"]["Conflicts"] == "getty@tty1.service"


@pytest.mark.parametrize("name", UNITS)
def test_systemd_accepts_the_unit(name: str, tmp_path: Path) -> None:
    """systemd-analyze verify, with the programs a kiosk PC has swapped for /bin/true."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (Debian package systemd) is needed for this check"
    text = (DEPLOY / name).read_text(encoding="utf-8")
    text = re.sub(r"ExecStart=\S+", "ExecStart=/bin/true", text)
    (tmp_path / name).write_text(text, encoding="utf-8")
    if name.endswith(".timer"):  # a timer is verified with its service
        service = name.replace(".timer", ".service")
        (tmp_path / service).write_text(
            re.sub(r"ExecStart=\S+", "ExecStart=/bin/true", (DEPLOY / service).read_text()),
            encoding="utf-8",
        )
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # systemd exits 0 even for unknown keys and bad values: what it says is the verdict.
    assert result.stderr.strip() == ""
    assert result.returncode == 0


def test_the_fleet_check_runs_a_command_the_cli_has() -> None:
    command = _unit("sscard-fleet-check.service")["Service"]["ExecStart"].split()
    assert command[0].endswith("/kiosk")
    args = build_parser().parse_args(command[1:])
    assert (args.command, args.fleet_command, args.stale_after) == ("fleet", "status", 300.0)
    assert _unit("sscard-fleet-check.timer")["Timer"]["OnUnitActiveSec"] == "5min"


def test_logrotate_never_renames_the_kiosks_own_numbered_backups() -> None:
    text = (DEPLOY / "logrotate.conf").read_text(encoding="utf-8")
    pattern = re.search(r"^(/\S+)\s*\{", text, re.MULTILINE)
    assert pattern is not None
    glob = pattern.group(1)
    assert fnmatch.fnmatch("/var/log/sscard-kiosk/kiosk.log", glob)
    for backup in ("kiosk.log.1", "kiosk.log.5"):  # RotatingFileHandler's names
        assert not fnmatch.fnmatch(f"/var/log/sscard-kiosk/{backup}", glob)
    directives = {line.split()[0] for line in text.splitlines() if line.startswith("    ")}
    assert {"dateext", "copytruncate", "rotate", "compress", "missingok"} <= directives
    config = parse_config((DEPLOY / "kiosk.toml.production").read_text(encoding="utf-8"))
    assert fnmatch.fnmatch(str(config.logging.file), glob)


def test_the_operator_guide_names_real_commands_and_files() -> None:
    guide = (DOCS / "operations.md").read_text(encoding="utf-8")
    for name in [
        "sscard-kiosk.service",
        "logrotate.conf",
        "kiosk.toml.production",
        "sscard-fleet-check.timer",
    ]:
        assert name in guide
        assert (DEPLOY / name).exists()
    commands = re.findall(
        r"^\s*(?:\S+=\S+ )*\S*kiosk ([a-z][\w-]*)(?: ([a-z][\w-]*))?", guide, re.MULTILINE
    )
    assert len(commands) >= 10
    for command, action in commands:
        actions = _subcommands(build_parser())
        assert command in actions, command
        below = _subcommands(actions[command])
        if below:  # e.g. `kiosk db upgrade`: the action must exist too
            assert action in below, f"kiosk {command} {action}"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}

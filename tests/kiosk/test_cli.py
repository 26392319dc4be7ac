"""The `kiosk` command as a newcomer or an operator runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_help_lists_every_subcommand() -> None:
    result = kiosk("--help")
    assert result.returncode == 0
    for name in ("run", "demo", "card", "db", "receipt", "printer", "doctor", "bench"):
        assert name in result.stdout


def test_doctor_reports_all_ok_on_the_default_config() -> None:
    result = kiosk("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All ok." in result.stdout
    assert "PROBLEM" not in result.stdout


def test_doctor_lists_every_problem_of_a_broken_file_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.toml"
    broken.write_text(
        '[kiosk]\nlanguage = "de"\n[reader]\nbackend = "usb"\n[timeouts]\nidle_seconds = -1\n'
    )
    result = kiosk("--config", str(broken), "doctor")
    assert result.returncode == 1
    for key in ("kiosk.language", "reader.backend", "timeouts.idle_seconds"):
        assert key in result.stdout
    assert result.stdout.count("PROBLEM") == 3
    assert "Traceback" not in result.stdout + result.stderr


def test_kiosk_config_environment_variable_picks_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.toml"
    broken.write_text("[kiosk]\nidd = 1\n")
    result = kiosk("doctor", env={"KIOSK_CONFIG": str(broken)})
    assert result.returncode == 1
    assert "kiosk.idd" in result.stdout


def test_a_command_on_a_broken_config_exits_3_with_the_problems(tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.toml"
    broken.write_text("[printer]\npaper_width_mm = 81\n")
    result = kiosk("--config", str(broken), "bench", "--only", "startup", "--json")
    assert result.returncode == 3
    assert "printer.paper_width_mm" in result.stderr
    assert "Traceback" not in result.stderr


def test_admin_pin_hash_makes_a_hash_the_config_accepts(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "admin-pin-hash", "--stdin"],
        input="975310\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    line = result.stdout.strip()
    assert line.startswith('pin_hash = "scrypt$')
    config = tmp_path / "kiosk.toml"
    config.write_text(f"[admin]\n{line}\n")
    assert kiosk("--config", str(config), "doctor").returncode == 0


def test_bench_json_is_one_object_keyed_by_section() -> None:
    result = kiosk("bench", "--json", "--quick", "--only", "startup")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == {"machine", "startup"}
    assert figures["startup"]["cli_help_ms"]["p50"] > 0

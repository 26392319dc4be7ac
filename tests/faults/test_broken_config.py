"""kiosk.toml broken at start: every problem printed at once, exit 3, never a traceback.

Run as the operator runs it (`kiosk run`, `kiosk demo --headless`) in a subprocess, so the
exit code and the words on stderr are exactly what systemd's journal would hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXIT_CONFIG = 3

BROKEN: dict[str, tuple[bytes, list[str]]] = {
    "not-toml": (b'[kiosk]\nid = "k1\nlanguage = "zh"\n', ["valid TOML"]),
    "many-mistakes": (
        b'[kiosk]\nid = "has space"\nlanguage = "fr"\nfulscreen = false\n'
        b'[store]\ntimeout_seconds = 0\n[printer]\nkind = "cups"\npaper_width_mm = 70\n'
        b"[screen]\nsize = 1\n",
        [
            "kiosk.id",
            "kiosk.language",
            "kiosk.fulscreen",
            "did you mean 'fullscreen'",
            "store.timeout_seconds",
            "printer.paper_width_mm",
            "printer.cups_queue",
            "[screen]",
        ],
    ),
    "not-utf8": (b'[kiosk]\nlocation = "\xd6\xd0\xd0\xc4"\n', ["UTF-8"]),
    "password-in-file": (
        b'[store]\nurl = "postgresql+psycopg://kiosk:secret@db/accounts"\n',
        ["store.url", "password_env"],
    ),
    "log-file-in-a-non-folder": (
        b'[logging]\nfile = "/dev/null/kiosk.log"\n[store]\nurl = "sqlite:///{data_dir}/a.db"\n',
        ["logging.file"],
    ),
}


def _kiosk(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("KIOSK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("case", list(BROKEN))
def test_kiosk_run_with_a_broken_config_lists_every_problem_and_exits_3(
    tmp_path: Path, case: str
) -> None:
    content, expected = BROKEN[case]
    config = tmp_path / "kiosk.toml"
    config.write_bytes(content.replace(b"{data_dir}", str(tmp_path).encode()))
    result = _kiosk(["--config", str(config), "run", "--smoke"], tmp_path)
    assert result.returncode == EXIT_CONFIG, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for words in expected:
        assert words in result.stderr, f"{words!r} missing from:\n{result.stderr}"
    assert "secret" not in result.stderr  # a password is never echoed back


def test_kiosk_run_with_a_missing_config_says_which_file(tmp_path: Path) -> None:
    result = _kiosk(["--config", str(tmp_path / "nowhere.toml"), "run", "--smoke"], tmp_path)
    assert result.returncode == EXIT_CONFIG
    assert "Traceback" not in result.stderr
    assert "nowhere.toml" in result.stderr


def test_kiosk_demo_headless_with_a_broken_config_exits_3(tmp_path: Path) -> None:
    content, expected = BROKEN["many-mistakes"]
    config = tmp_path / "kiosk.toml"
    config.write_bytes(content)
    result = _kiosk(
        ["--config", str(config), "demo", "--headless", "--out", str(tmp_path / "out")], tmp_path
    )
    assert result.returncode == EXIT_CONFIG
    assert "Traceback" not in result.stderr
    for words in expected:
        assert words in result.stderr
    assert not (tmp_path / "out").exists()

"""kiosk.toml broken at start: every problem printed at once, exit 3, never a traceback.

Run as the operator runs it (`kiosk run`, `kiosk demo --headless`) in a subprocess, so the
exit code and the words on stderr are exactly what systemd's journal would hold.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

EXIT_CONFIG = 3
EXIT_DOCTOR_PROBLEM = 1  # `kiosk doctor` exits 1 on any problem, the configuration's too
BOUND_SECONDS = 10.0  # a hostile file is refused at once; a hang would end at the timeout

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


def _kiosk_bounded(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI with a deadline: a FIFO or /dev/zero that blocked it would fail the test in
    BOUND_SECONDS * 2, not hang the suite."""
    full = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    if env is None or "KIOSK_CONFIG" not in env:
        full.pop("KIOSK_CONFIG", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        check=False,
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        errors="replace",  # what the CLI prints must not break the test's own decoding
        timeout=BOUND_SECONDS * 2,
    )
    return result, time.monotonic() - started


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


# -- hostile files (issue 15): refused at once, in one line, never a hang or a traceback ------

SECRET = "hunter2"  # planted in the files that carry a secret: it must never be echoed
Make = Callable[[Path], Path]  # builds the hostile file in a folder, returns the path to name


def _content(data: bytes) -> Make:
    def make(folder: Path) -> Path:
        path = folder / "kiosk.toml"
        path.write_bytes(data)
        return path

    return make


def _fifo(folder: Path) -> Path:
    path = folder / "kiosk.toml"
    os.mkfifo(path)  # and nobody ever opens it for writing
    return path


def _dev_zero_link(folder: Path) -> Path:
    path = folder / "kiosk.toml"
    path.symlink_to("/dev/zero")
    return path


def _dev_zero(folder: Path) -> Path:
    del folder
    return Path("/dev/zero")


def _folder(folder: Path) -> Path:
    path = folder / "kiosk.toml"
    path.mkdir()
    (path / "kiosk.toml").write_text('[kiosk]\nid = "inside"\n')
    return path


def _symlink_loop(folder: Path) -> Path:
    (folder / "other.toml").symlink_to(folder / "kiosk.toml")
    (folder / "kiosk.toml").symlink_to(folder / "other.toml")
    return folder / "kiosk.toml"


def _socket(folder: Path) -> Path:
    # AF_UNIX paths hold 108 bytes; pytest's tmp_path may be longer, so bind in a short
    # folder (removed by the fixture) and name it through a link from the test's folder.
    short = Path(tempfile.mkdtemp(prefix="kcfg-", dir="/tmp"))
    (folder / "short-dirs").write_text(str(short))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(short / "s"))  # the socket file outlives the closed socket
    path = folder / "kiosk.toml"
    path.symlink_to(short / "s")
    return path


def _comments(size: int) -> bytes:
    line = b"# " + b"x" * 77 + b"\n"  # valid TOML: only its size is wrong
    return (line * (size // len(line) + 1))[:size]


def _nested(opening: str, closing: str, depth: int, inner: str = "") -> bytes:
    return f"[kiosk]\nlocation = {opening * depth}{inner}{closing * depth}\n".encode()


@dataclass(frozen=True)
class Hostile:
    make: Make
    words: tuple[str, ...]  # all on the one problem line
    via_env: bool = False  # named by $KIOSK_CONFIG instead of --config


KIOSK_TOML_GOOD = '[kiosk]\nid = "k1"\nlocation = "示范社区"\n'
HOSTILE: dict[str, Hostile] = {
    "arrays-500-deep": Hostile(_content(_nested("[", "]", 500)), ("nested",)),
    "arrays-10000-deep": Hostile(_content(_nested("[", "]", 10_000)), ("nested",)),
    "inline-tables-500-deep": Hostile(_content(_nested("{a = ", "}", 500, "1")), ("nested",)),
    "inline-tables-10000-deep": Hostile(_content(_nested("{a = ", "}", 10_000, "1")), ("nested",)),
    # Parses (dotted tables are no recursion), then is echoed short: one line, not 10 KB.
    "tables-2000-deep": Hostile(
        _content(b"[kiosk." + b".".join([b"a"] * 2000) + b"]\nx = 1\n"), ("kiosk.a", "unknown key")
    ),
    "fifo-without-writer": Hostile(_fifo, ("regular file", "named pipe")),
    "symlink-to-dev-zero": Hostile(_dev_zero_link, ("regular file", "character device")),
    "kiosk-config-is-dev-zero": Hostile(
        _dev_zero, ("/dev/zero", "regular file", "character device"), via_env=True
    ),
    "a-folder": Hostile(_folder, ("regular file", "folder")),
    "a-socket": Hostile(_socket, ("regular file", "socket")),
    "symlink-loop": Hostile(_symlink_loop, ("readable file", "symbolic links")),
    "10-mb": Hostile(_content(_comments(10 * 1024 * 1024)), ("at most 256 KiB", "10,485,760")),
    "257-kb": Hostile(_content(_comments(257 * 1024)), ("at most 256 KiB", "263,168")),
    "nul-bytes": Hostile(_content(b'[kiosk]\nid = "k1\0"\n'), ("NUL", "line 2")),
    "utf-16-with-bom": Hostile(
        _content(KIOSK_TOML_GOOD.encode("utf-16")), ("UTF-8", "not UTF-16", "save the file")
    ),
    "utf-16-without-bom": Hostile(_content(KIOSK_TOML_GOOD.encode("utf-16-le")), ("NUL",)),
    "gbk": Hostile(_content(KIOSK_TOML_GOOD.encode("gbk")), ("UTF-8", "line 3", "GBK")),
    "latin-1": Hostile(
        _content('[kiosk]\nlocation = "Café Clinic"\n'.encode("latin-1")),
        ("UTF-8", "0xe9", "line 2"),
    ),
    "binary-blob": Hostile(_content(random.Random(15).randbytes(4096)), ("UTF-8",)),
    "truncated": Hostile(
        _content(b'[kiosk]\nid = "k1"\n[store]\nurl = "sqlite:///{data_d'), ("valid TOML",)
    ),
    "duplicate-keys": Hostile(
        _content(b'[kiosk]\nid = "k1"\nid = "k2"\n'), ("valid TOML", "overwrite")
    ),
    "duplicate-tables": Hostile(
        _content(b'[kiosk]\nid = "k1"\n[kiosk]\nlanguage = "en"\n'), ("valid TOML",)
    ),
    "string-where-int": Hostile(
        _content(b'[printer]\npaper_width_mm = "80"\n'), ("printer.paper_width_mm", "whole number")
    ),
    "negative-timeout": Hostile(
        _content(b"[timeouts]\nidle_seconds = -5\n"), ("timeouts.idle_seconds", "5 to 3600")
    ),
    "nan-timeout": Hostile(
        _content(b"[store]\ntimeout_seconds = nan\n"), ("store.timeout_seconds", "0.1 to 60")
    ),
    "10**400-where-float": Hostile(
        _content(b"[store]\ntimeout_seconds = 1" + b"0" * 400 + b"\n"),
        ("store.timeout_seconds", "a number"),
    ),
    "10**400-where-int": Hostile(
        _content(b"[printer]\npaper_roll_mm = 1" + b"0" * 400 + b"\n"),
        ("printer.paper_roll_mm", "..."),
    ),
    "5000-digit-integer": Hostile(
        _content(b"[printer]\npaper_roll_mm = " + b"9" * 5000 + b"\n"), ("sensible size",)
    ),
    "1-kb-of-tables": Hostile(_content(b"[[kiosk]]\n" * 100), ("[kiosk]", "table of settings")),
    "password-in-an-unknown-key": Hostile(
        _content(f'[store]\npassword = "{SECRET}"\n'.encode()), ("store.password", "(hidden)")
    ),
    "password-in-a-wrong-url": Hostile(
        _content(f'[store]\nurl = "mysql://kiosk:{SECRET}@db/ins"\n'.encode()),
        ("store.url", "mysql://***@db/ins"),
    ),
    "admin-pin-instead-of-its-hash": Hostile(
        _content(b'[admin]\npin_hash = "hunter2"\n'), ("admin.pin_hash", "(hidden)")
    ),
    "data-dir-in-a-symlink-loop": Hostile(
        _content(b'[kiosk]\ndata_dir = "loop/var"\n'), ("kiosk.data_dir", "usable folder")
    ),
}
COMMANDS: dict[str, tuple[list[str], int]] = {
    "run": (["run", "--smoke"], EXIT_CONFIG),
    "demo": (["demo", "--headless", "--out", "out"], EXIT_CONFIG),
    "doctor": (["doctor"], EXIT_DOCTOR_PROBLEM),
}


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "loop").symlink_to(folder / "loop")  # for the data_dir case
    yield folder
    if (shorts := folder / "short-dirs").exists():
        shutil.rmtree(shorts.read_text(), ignore_errors=True)


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_kiosk_toml_is_refused_at_once_in_one_line(
    hostile_folder: Path, tmp_path: Path, case: str, command: str
) -> None:
    hostile = HOSTILE[case]
    path = hostile.make(hostile_folder)
    args, exit_code = COMMANDS[command]
    if hostile.via_env:
        result, seconds = _kiosk_bounded(args, tmp_path, env={"KIOSK_CONFIG": str(path)})
    else:
        result, seconds = _kiosk_bounded(["--config", str(path), *args], tmp_path)
    everything = result.stdout + result.stderr
    assert seconds < BOUND_SECONDS, f"took {seconds:.1f} s"
    assert result.returncode == exit_code, everything
    assert "Traceback" not in everything
    assert SECRET not in everything  # no password, PIN or URL userinfo echoed back
    # The run and demo print the problems on stderr; doctor puts them in its table.
    said = result.stdout if command == "doctor" else result.stderr
    problem_lines = [line for line in said.splitlines() if "expected" in line or "unknown" in line]
    assert len(problem_lines) == 1, said
    for words in hostile.words:
        assert words in problem_lines[0], f"{words!r} missing from {problem_lines[0]!r}"
    assert len(problem_lines[0]) < 400, problem_lines[0]  # one readable line, not a dump
    assert not (tmp_path / "out").exists()  # the demo wrote nothing


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", b'\xef\xbb\xbf[kiosk]\nid = "notepad-kiosk"\n'],
    ids=["empty-file", "utf-8-bom-only", "utf-8-bom-from-notepad"],
)
def test_an_empty_file_is_the_defaults_and_a_utf8_bom_is_accepted(
    tmp_path: Path, content: bytes
) -> None:
    """An empty kiosk.toml is the documented defaults (as it always was); the BOM Windows
    Notepad writes before UTF-8 text is dropped, since refusing it would only puzzle."""
    config = tmp_path / "kiosk.toml"
    config.write_bytes(content)
    result, seconds = _kiosk_bounded(["--config", str(config), "doctor"], tmp_path)
    assert seconds < BOUND_SECONDS
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{config} is valid" in result.stdout, result.stdout
    result, seconds = _kiosk_bounded(["--config", str(config), "run", "--smoke"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr

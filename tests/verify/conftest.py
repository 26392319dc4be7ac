"""An installation for the verification tests: a demo SQLite store under its data_dir, a
kiosk.toml whose [verify] base_url is a free local port, and a server started on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config
from kiosk.store.seeding import create_store

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Installation:
    config_path: Path
    config: KioskConfig
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kiosk(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`kiosk --config ... ARGS` as an operator runs it (the core commands)."""
        return subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "--config", str(self.config_path), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
            timeout=120,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="package")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    folder = tmp_path_factory.mktemp("verify-installation")
    port = free_port()
    path = folder / "kiosk.toml"
    path.write_text(
        "[kiosk]\n"
        'id = "clinic-kiosk-03"\n'
        'location = "鼓楼社区卫生服务中心"\n'
        'data_dir = "data"\n'
        "[verify]\n"
        f'base_url = "http://127.0.0.1:{port}"\n'
        "requests_per_minute = 600\n"
        "burst = 50\n",
        encoding="utf-8",
    )
    config = load_config(path)
    config.data_dir.mkdir()
    create_store(config.store_url(), datetime.now())
    return Installation(path, config, port)


@pytest.fixture(scope="package")
def server(installation: Installation) -> Iterator[Installation]:
    """`kiosk verify-server` on the installation's port, until the package's tests end."""
    log = (installation.config.data_dir / "verify-server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--config",
            str(installation.config_path),
            "verify-server",
            "--port",
            str(installation.port),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(installation.base_url + "/", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    text = (installation.config.data_dir / "verify-server.log").read_text()
                    pytest.fail(f"kiosk verify-server did not start:\n{text}")
                time.sleep(0.1)
        yield installation
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

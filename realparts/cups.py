"""A throwaway cupsd with our own backends, for tests (the fixture is tests/realparts/cups.py).

A temp ServerRoot (cupsd refuses `User root`, so jobs run as lp, and our backends are mode
0700 so cupsd runs them as root), a unix socket only, and three queues:

- `kiosk-file`: the backend writes each job to a folder, byte for byte;
- `kiosk-empty`: the backend reports `STATE: +media-empty-error` and stops the queue;
- `kiosk-jam`: the same with `media-jam-error`.

Clients reach it through `CUPS_SERVER` (`CupsServer.env`, or set by the caller).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
LINKED = ("filter", "cgi-bin", "daemon", "notifier", "monitor", "driver")

FILE_BACKEND = """#!/bin/sh
# kiosk-file: copy each job into the folder named by DEVICE_URI (kiosk-file:/folder).
if [ $# -eq 0 ]; then echo 'direct kiosk-file "Unknown" "Kiosk test file backend"'; exit 0; fi
dir="${DEVICE_URI#*:}"
out="$dir/job-$1.tmp"
if [ -n "$6" ]; then cat "$6" > "$out"; else cat > "$out"; fi
mv "$out" "$dir/job-$1.pdf"
exit 0
"""

FAULT_BACKEND = """#!/bin/sh
# kiosk-fault: report the printer fault named by DEVICE_URI (kiosk-fault:media-jam) and stop.
if [ $# -eq 0 ]; then echo 'direct kiosk-fault "Unknown" "Kiosk test faulty backend"'; exit 0; fi
reason="${DEVICE_URI#*:}"
echo "STATE: +$reason-error" >&2
echo "ERROR: simulated $reason" >&2
exit 4
"""


@dataclass(frozen=True)
class CupsServer:
    root: Path
    socket: Path
    jobs_dir: Path
    file_queue: str = "kiosk-file"
    empty_queue: str = "kiosk-empty"
    jam_queue: str = "kiosk-jam"
    devices: dict[str, str] = field(default_factory=dict)  # queue -> device URI

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def lpadmin(self, *args: str) -> None:
        subprocess.run(["lpadmin", *args], env=self.env, check=True, capture_output=True)

    def add_queue(self, queue: str, device_uri: str) -> None:
        self.lpadmin("-p", queue, "-E", "-v", device_uri, "-m", "raw")
        self.devices[queue] = device_uri

    def reset_queue(self, queue: str) -> None:
        """A fresh queue after a fault backend stopped it: cupsenable alone keeps the
        backend's printer-state-reasons (media-jam-error ...) until a job succeeds."""
        subprocess.run(["cancel", "-a", queue], env=self.env, check=False, capture_output=True)
        self.lpadmin("-x", queue)
        self.add_queue(queue, self.devices[queue])


def _write_config(root: Path) -> Path:
    etc, run, log = root / "etc", root / "run", root / "log"
    serverbin, spool, cache, state = root / "lib", root / "spool", root / "cache", root / "state"
    for folder in (etc, run, log, serverbin / "backend", spool / "tmp", cache, state):
        folder.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (serverbin / name).symlink_to(Path("/usr/lib/cups") / name)
    (etc / "cups-files.conf").write_text(
        f"ServerRoot {etc}\nRequestRoot {spool}\nTempDir {spool / 'tmp'}\nCacheDir {cache}\n"
        f"StateDir {state}\nServerBin {serverbin}\nDataDir /usr/share/cups\n"
        f"ErrorLog {log / 'error_log'}\nAccessLog {log / 'access_log'}\n"
        f"PageLog {log / 'page_log'}\nFileDevice Yes\nUser lp\nGroup lp\nSystemGroup root\n"
    )
    (etc / "cupsd.conf").write_text(
        f"Listen {run / 'cups.sock'}\nWebInterface No\nBrowsing No\nLogLevel info\n"
        "JobRetryInterval 1\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n"
        "</Policy>\n"
    )
    for name, text in (("kiosk-file", FILE_BACKEND), ("kiosk-fault", FAULT_BACKEND)):
        backend = serverbin / "backend" / name
        backend.write_text(text)
        backend.chmod(0o700)  # 0700: cupsd runs it as root, so it may write our folder
    for folder in [root, *root.rglob("*")]:
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o755)
    (spool / "tmp").chmod(0o1777)
    return run / "cups.sock"


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"cupsd did not start (exit {process.poll()})")
        time.sleep(0.05)


class CupsdHarness:
    """Start a cupsd with the three queues (`start() -> CupsServer`), and stop and delete it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def installed() -> bool:
        return Path(CUPSD).exists() and shutil.which("lpadmin") is not None

    def start(self) -> CupsServer:
        socket = _write_config(self.root)
        jobs = self.root / "jobs"
        jobs.mkdir()
        jobs.chmod(0o755)
        etc = self.root / "etc"
        self._process = subprocess.Popen(
            [CUPSD, "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = CupsServer(self.root, socket, jobs)
        _wait_for(socket, self._process, 10.0)
        server.add_queue(server.file_queue, f"kiosk-file:{jobs}")
        server.add_queue(server.empty_queue, "kiosk-fault:media-empty")
        server.add_queue(server.jam_queue, "kiosk-fault:media-jam")
        return server

    def cleanup(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

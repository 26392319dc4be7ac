"""A private pcscd with the vpcd virtual reader, for tests, benchmarks and the demo.

pcscd runs in its own mount namespace with a temp dir over /run, so it never meets the
machine's own pcscd; clients find it through PCSCLITE_CSOCK_NAME, which libpcsclite reads
once per process: set it (here, `start()` does) before the first PC/SC call.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_SLOT0 = "Virtual PCD 00 00"
READER_SLOT1 = "Virtual PCD 00 01"


def _free_port_pair() -> int:
    """A port P with P and P+1 free (vpcd opens one per slot)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for vpcd")


def pcscd_binary() -> str:
    found = shutil.which("pcscd") or ("/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else "")
    if not found:
        raise FileNotFoundError("pcscd is not installed (apt-get install pcscd)")
    return found


class PcscdHarness:
    def __init__(self, base: Path | None = None) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.port = _free_port_pair()
        self.conf_dir = self.base / "conf"
        self.run_dir = self.base / "run"
        self.socket_path = self.run_dir / "pcscd" / "pcscd.comm"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def start(self, timeout: float = 10.0) -> None:
        if not VPCD_DRIVER.exists():
            raise FileNotFoundError(f"{VPCD_DRIVER} missing (apt-get install vsmartcard-vpcd)")
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "pcscd").mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{self.port:04X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{self.port:04X}\n"
        )
        os.environ.update(self.env)
        if self.socket_path.exists():
            self.socket_path.unlink()
        self._process = subprocess.Popen(
            [
                "unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                'mount --bind "$1" /run && shift && exec "$@"', "sh",
                str(self.run_dir), pcscd_binary(), "-f", "-c", str(self.conf_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.socket_path.exists() and self._vpcd_listening():
                return
            if self._process.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self._process.returncode}")
            time.sleep(0.05)
        raise TimeoutError("pcscd did not start")

    def _vpcd_listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def kill(self) -> None:
        """pcscd dies without cleaning up, as after a crash."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

"""A private pcscd with the vpcd virtual reader, and simulated cards served to it.

pcscd runs in its own mount namespace with a temp dir over /run, so it never meets the
machine's own pcscd; clients find it through PCSCLITE_CSOCK_NAME, which libpcsclite reads
once per process: set it (here, `start()` does) before the first PC/SC call.

`VpcdReader` inserts and removes cards in vpcd's two slots, in turn, keeping each slot empty
for a moment after a removal: pcscd polls vpcd every 400 ms and can miss an insertion that
follows a removal too closely.

`PcscdHarness.pause()` / `resume()` stop and continue pcscd (SIGSTOP / SIGCONT): a hung
daemon, whose clients' calls block instead of failing.
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

from card_reader.simulator import Faults, SimulatedCard, build_card, profile
from card_reader.vpcd import VirtualCardSlot

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_SLOT0 = "Virtual PCD 00 00"
READER_SLOT1 = "Virtual PCD 00 01"
EMPTY_SLOT_SECONDS = 1.0


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
    """pcscd in a mount namespace of its own, with vpcd's reader declared (or, to stand for
    an unplugged USB reader, with no reader at all)."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.port = _free_port_pair()
        self.conf_dir = self.base / "conf"
        self.no_reader_conf_dir = self.base / "conf-no-reader"
        self.run_dir = self.base / "run"
        self.socket_path = self.run_dir / "pcscd" / "pcscd.comm"
        self.reader_plugged = False
        self.paused = False
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def start(self, timeout: float = 10.0, *, reader: bool = True) -> None:
        """Start pcscd and wait until it listens (and, with `reader`, vpcd does too).

        Without `reader`, pcscd lists no reader: what the kiosk sees when the USB reader is
        unplugged. vpcd's reader is declared in reader.conf and pcscd 1.9 neither drops nor
        adds such a reader on a signal, so unplugging is a restart without it.
        """
        if not VPCD_DRIVER.exists():
            raise FileNotFoundError(f"{VPCD_DRIVER} missing (apt-get install vsmartcard-vpcd)")
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.no_reader_conf_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "pcscd").mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{self.port:04X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{self.port:04X}\n"
        )
        os.environ.update(self.env)
        if self.socket_path.exists():
            self.socket_path.unlink()
        conf = self.conf_dir if reader else self.no_reader_conf_dir
        self._process = subprocess.Popen(
            [
                "unshare",
                "-m",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                'mount --bind "$1" /run && shift && exec "$@"',
                "sh",
                str(self.run_dir),
                pcscd_binary(),
                "-f",
                "-c",
                str(conf),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.reader_plugged = reader
        self.paused = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.socket_path.exists() and (not reader or self._vpcd_listening()):
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

    @property
    def pid(self) -> int:
        """pcscd's own pid: unshare (without --fork) and `sh -c '... exec'` both exec, so the
        process started is pcscd by the time its socket exists; checked, not assumed."""
        process = self._process
        if process is None or process.poll() is not None:
            raise RuntimeError("pcscd is not running")
        try:
            exe = os.readlink(f"/proc/{process.pid}/exe")
        except OSError as error:
            raise RuntimeError(f"cannot tell what pid {process.pid} runs: {error}") from None
        if Path(exe).name != "pcscd":
            raise RuntimeError(f"pid {process.pid} runs {exe}, not pcscd")
        return process.pid

    def pause(self) -> None:
        """Stop pcscd (SIGSTOP): it keeps its sockets, so clients block instead of failing."""
        os.kill(self.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        """Continue a paused pcscd (SIGCONT)."""
        os.kill(self.pid, signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        if self.paused:  # a stopped process keeps SIGTERM pending until it continues
            process.send_signal(signal.SIGCONT)
            self.paused = False
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def kill(self) -> None:
        """pcscd dies without cleaning up, as after a crash."""
        if self._process is not None:
            self._process.kill()  # SIGKILL ends a paused pcscd too
            self._process.wait(timeout=5)
            self._process = None
            self.paused = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class VpcdReader:
    """Insert simulated cards into the private pcscd's two vpcd readers, in turn."""

    def __init__(self, harness: PcscdHarness) -> None:
        self.harness = harness
        self.slots = [
            VirtualCardSlot(port=harness.port),
            VirtualCardSlot(port=harness.port + 1),
        ]
        self.names = [READER_SLOT0, READER_SLOT1]
        made = time.monotonic()  # someone may have used the slots just before
        self._emptied_at = [made, made]
        self._next = 0
        self.current: int | None = None
        self.inserted_at = 0.0  # time.perf_counter() when the last card went in

    @property
    def env(self) -> dict[str, str]:
        return self.harness.env

    @property
    def reader_name(self) -> str:
        """The reader holding the card inserted last."""
        return self.names[self.current if self.current is not None else 0]

    def insert(self, card: SimulatedCard | str, slot: int | None = None) -> str:
        """Insert a card (or a profile key) and return the reader name it went into."""
        self.remove()
        if isinstance(card, str):
            card = build_card(profile(card))
        index = self._next if slot is None else slot
        self._next = 1 - index
        rest = EMPTY_SLOT_SECONDS - (time.monotonic() - self._emptied_at[index])
        if rest > 0:
            time.sleep(rest)
        self.inserted_at = time.perf_counter()
        self.slots[index].insert(card)
        self.current = index
        return self.names[index]

    def insert_reversed(self, key: str = "zhang-wei", slot: int | None = None) -> str:
        """Insert the profile's card the wrong way round: pcscd sees a card but no ATR."""
        return self.insert(build_card(profile(key), Faults(no_atr=True)), slot)

    def remove(self) -> None:
        for index, slot in enumerate(self.slots):
            if slot.inserted:
                slot.remove()
                self._emptied_at[index] = time.monotonic()
        self.current = None

    def empty(self) -> None:
        """Take any card out and wait until pcscd (polling every 400 ms) has seen it go."""
        self.remove()
        rest = EMPTY_SLOT_SECONDS - (time.monotonic() - max(self._emptied_at))
        if rest > 0:
            time.sleep(rest)

    def restart_pcscd(self) -> None:
        self.remove()
        self.harness.restart()

    def kill_pcscd(self) -> None:
        self.remove()
        self.harness.kill()

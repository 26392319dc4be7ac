"""The AT-SPI accessibility bus as a screen reader meets it, started for a test.

`AccessibleDesktop` starts, each in a process group of its own and all in one temp dir:
Xvfb (it picks a free display itself, `-displayfd`), a private D-Bus session bus (a config
of our own: no service files, so nothing starts behind our back), at-spi-bus-launcher
(the accessibility bus, found through the session bus as Orca finds it) and
at-spi2-registryd. `env` is what a Qt application needs to appear on that bus.

`BusProbe` runs realparts/atspi_probe.py in Debian's /usr/bin/python3 (libatspi through gi,
which the venv lacks) and asks it, one JSON line at a time, what is showing and to press a
button by its accessible name. `JsonLines` is that conversation, with a deadline on every
reply, for any child process that talks JSON lines on stdin and stdout.

Nothing here is skipped when missing: a missing part raises, naming its Debian package
(scripts/setup.sh installs them all).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

SYSTEM_PYTHON = Path("/usr/bin/python3")
SETPRIV = "setpriv"
PROBE = Path(__file__).with_name("atspi_probe.py")
BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
REGISTRYD = Path("/usr/libexec/at-spi2-registryd")
ATSPI_TYPELIB = "/usr/lib/*/girepository-1.0/Atspi-2.0.typelib"  # the multiarch folder varies
REGISTRY = "org.a11y.atspi.Registry"
BUTTON_ROLES = frozenset({"push-button", "toggle-button", "check-box", "radio-button"})
# Environment a desktop session would bring along and that would point a client elsewhere.
FOREIGN_ENV = (
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "AT_SPI_BUS_ADDRESS",
    "NO_AT_BRIDGE",
    "XDG_RUNTIME_DIR",
    "QT_QPA_PLATFORM",
)
SESSION_BUS_CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
NEEDED = {
    SETPRIV: "util-linux",
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus-daemon",
    "dbus-send": "dbus-bin",
    str(BUS_LAUNCHER): "at-spi2-core",
    str(REGISTRYD): "at-spi2-core",
    str(SYSTEM_PYTHON): "python3-gi",
    ATSPI_TYPELIB: "gir1.2-atspi-2.0",
}


def missing_parts() -> list[str]:
    """What is not installed, as 'program (Debian package)'."""
    missing = []
    for part, package in NEEDED.items():
        if part.startswith("/"):
            found = any(Path("/").glob(part.lstrip("/")))
        else:
            found = shutil.which(part) is not None
        if not found:
            missing.append(f"{part} ({package})")
    return missing


def _spawn(
    argv: Sequence[str], env: Mapping[str, str], log: Path, **options: Any
) -> subprocess.Popen[bytes]:
    """A child in a new session, so stopping its process group ends whatever it started.

    setpriv gives it a parent-death signal first: should the test process die without its
    teardown (killed by a CI timeout), the X server and buses it started end with it.
    """
    with log.open("ab") as err:
        options.setdefault("stdout", err)
        return subprocess.Popen(
            [SETPRIV, "--pdeathsig", "TERM", "--", *argv],
            env=dict(env),
            stderr=err,
            start_new_session=True,
            **options,
        )


def stop_group(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left of it after `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    # The leader may be gone while a child it started (a bus, a registry) is not.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=grace)
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def group_alive(pgid: int) -> bool:
    """Whether any process is left in process group `pgid` (zombies aside)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class _Lines:
    """Lines from a pipe, each awaited up to a deadline (select), read in large chunks."""

    def __init__(self, fd: int, what: str) -> None:
        self.fd = fd
        self.what = what
        self._buffer = b""

    def next(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError(f"{self.what}: nothing within the time allowed")
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise EOFError(f"{self.what}: closed its output")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line


class AccessibleDesktop:
    """Xvfb, a session bus, the accessibility bus and its registry: a desktop for a screen
    reader, without the desktop."""

    def __init__(self, size: tuple[int, int] = (1920, 1080)) -> None:
        self.size = size
        self.base = Path(tempfile.mkdtemp(prefix="kiosk-atspi-"))
        self.runtime_dir = self.base / "run"  # XDG_RUNTIME_DIR: the a11y bus socket lives here
        self.log = self.base / "desktop.log"
        self.display = ""
        self.session_bus = ""
        self.a11y_bus = ""
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cleanup()

    @property
    def env(self) -> dict[str, str]:
        """For a Qt client of this desktop: xcb on its display, accessibility on."""
        base = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
        return {
            **base,
            "DISPLAY": self.display,
            "DBUS_SESSION_BUS_ADDRESS": self.session_bus,
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "QT_QPA_PLATFORM": "xcb",
            "QT_ACCESSIBILITY": "1",
            # Without it Qt bridges only when org.a11y.Status says a screen reader is on.
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        }

    def start(self, timeout: float = 10.0) -> None:
        missing = missing_parts()
        if missing:
            raise FileNotFoundError(
                "missing for the accessibility bus (bash scripts/setup.sh installs them): "
                + ", ".join(missing)
            )
        self.runtime_dir.mkdir(mode=0o700)
        deadline = time.monotonic() + timeout
        self._start_xvfb(deadline)
        self._start_session_bus(deadline)
        env = self.env
        self.processes.append(
            _spawn([str(BUS_LAUNCHER), "--launch-immediately", "--a11y=1"], env, self.log)
        )
        self.a11y_bus = self._until(
            deadline,
            "at-spi-bus-launcher",
            "--session",
            "--dest=org.a11y.Bus",
            "/org/a11y/bus",
            "org.a11y.Bus.GetAddress",
        )
        self.processes.append(_spawn([str(REGISTRYD)], env, self.log))
        # Our own registry, before any client asks: else the bus would start one itself.
        self._until(
            deadline,
            "at-spi2-registryd",
            f"--bus={self.a11y_bus}",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{REGISTRY}",
            expect="true",
        )

    def _start_xvfb(self, deadline: float) -> None:
        read_end, write_end = os.pipe()
        screen = "{}x{}x24".format(*self.size)
        argv = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"]
        try:
            self.processes.append(
                _spawn(argv, os.environ, self.log, pass_fds=(write_end,), stdout=subprocess.DEVNULL)
            )
            os.close(write_end)
            write_end = -1
            number = _Lines(read_end, f"Xvfb (log: {self.log})").next(deadline).strip()
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
        self.display = f":{number.decode()}"

    def _start_session_bus(self, deadline: float) -> None:
        config = self.base / "session-bus.conf"
        config.write_text(SESSION_BUS_CONFIG.format(dir=self.base))
        process = _spawn(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            os.environ,
            self.log,
            stdout=subprocess.PIPE,
        )
        self.processes.append(process)
        assert process.stdout is not None
        bus = _Lines(process.stdout.fileno(), f"dbus-daemon (log: {self.log})")
        self.session_bus = bus.next(deadline).decode().strip()

    def _until(self, deadline: float, what: str, *call: str, expect: str = "") -> str:
        """Call dbus-send until it answers (and says `expect`); its answer, stripped."""
        argv = ["dbus-send", "--print-reply=literal", *call]
        while True:
            done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
            answer = done.stdout.strip()
            if done.returncode == 0 and answer and expect in answer:
                return answer
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not come up: {done.stderr.strip()} ({self.log})")
            time.sleep(0.05)

    def cleanup(self) -> None:
        for process in reversed(self.processes):
            stop_group(process)
        self.processes.clear()
        shutil.rmtree(self.base, ignore_errors=True)


class JsonLines:
    """A child process spoken to in JSON lines (stdin) and answering in JSON lines (stdout);
    its stderr goes to `log`. Lines on stdout that are not JSON objects are kept in `noise`."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], log: Path, **options: Any
    ) -> None:
        self.name = name
        self.log = log
        self.noise: list[str] = []
        self.process = _spawn(
            argv, env, log, stdin=subprocess.PIPE, stdout=subprocess.PIPE, **options
        )
        assert self.process.stdout is not None
        self._lines = _Lines(self.process.stdout.fileno(), name)

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, message: Mapping[str, Any]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise EOFError(f"{self.name} has gone: {self.tail()}") from None

    def receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.next(deadline).decode()
            except (TimeoutError, EOFError) as error:
                raise type(error)(f"{error} after {timeout} s; {self.tail()}") from None
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            if isinstance(message, dict):
                return message
            self.noise.append(line)

    def ask(self, message: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        self.send(message)
        return self.receive(timeout)

    def tail(self, lines: int = 15) -> str:
        """The last lines of the child's log, and its exit status if it has exited."""
        status = self.process.poll()
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        said = "\n  ".join(text) or "(nothing)"
        state = "running" if status is None else f"exited {status}"
        return f"{self.name} {state}; its log {self.log}:\n  {said}"

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # a child reading stdin sees the end and can leave
        stop_group(self.process)


@dataclass(frozen=True)
class Node:
    """One showing object on the bus, as the probe read it."""

    role: str
    name: str
    description: str
    states: frozenset[str]
    extents: tuple[int, int, int, int] | None  # x, y, width, height on the screen
    text: str | None
    actions: tuple[str, ...]

    @property
    def is_button(self) -> bool:
        return self.role in BUTTON_ROLES

    @property
    def width(self) -> int:
        return self.extents[2] if self.extents else 0

    @property
    def height(self) -> int:
        return self.extents[3] if self.extents else 0

    @property
    def words(self) -> tuple[str, ...]:
        """Everything a screen reader could say of it."""
        return tuple(w for w in (self.name, self.description, self.text or "") if w)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Node:
        extents = data.get("extents")
        return cls(
            role=str(data["role"]),
            name=str(data.get("name", "")),
            description=str(data.get("description", "")),
            states=frozenset(str(s) for s in data["states"]),
            extents=None if extents is None else (extents[0], extents[1], extents[2], extents[3]),
            text=None if data.get("text") is None else str(data["text"]),
            actions=tuple(str(a) for a in data.get("actions", ())),
        )


class ProbeError(RuntimeError):
    """The probe could not do what it was asked (its reason in the message)."""


class BusProbe:
    """The probe in /usr/bin/python3, reading one desktop's accessibility bus."""

    def __init__(self, desktop: AccessibleDesktop, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._lines = JsonLines(
            "atspi probe",
            [str(SYSTEM_PYTHON), "-I", str(PROBE)],  # -I: nothing of the venv or cwd leaks in
            desktop.env,
            desktop.base / "probe.log",
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _ask(self, **request: Any) -> dict[str, Any]:
        reply = self._lines.ask(request, self.timeout)
        if "error" in reply:
            raise ProbeError(f"{request.get('op')}: {reply['error']}")
        return reply

    def wait_for_application(self, pid: int, timeout: float = 20.0) -> str:
        """The accessible name of process `pid`'s application once it is on the bus."""
        deadline = time.monotonic() + timeout
        while True:
            name = self._ask(op="find", pid=pid)["name"]
            if name is not None:
                return str(name)
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"process {pid} did not appear on the accessibility bus within {timeout} s"
                )
            time.sleep(0.1)

    def snapshot(self, pid: int, *, words: bool = False) -> list[Node]:
        """Every showing object of process `pid`'s application, depth first: role, states,
        and a button's name and extents; with `words`, every object's name, description,
        text, extents and actions (slower: each is a call to the application)."""
        nodes = self._ask(op="snapshot", pid=pid, words=words)["nodes"]
        return [Node.from_json(n) for n in nodes]

    def buttons(self, pid: int) -> list[Node]:
        return [n for n in self.snapshot(pid) if n.is_button]

    def press(self, pid: int, name: str) -> None:
        """Press the one showing button named `name` through its Action interface."""
        self._ask(op="press", pid=pid, name=name)

    def stop(self) -> None:
        self._lines.stop()

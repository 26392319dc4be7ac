"""The real kiosk window on a real display, stepped through its screens on command, for the
accessibility-bus test (tests/ui/test_atspi_bus.py) to read through AT-SPI.

Run as `python -m tests.ui.atspi_kiosk MODE FOLDER` from the repository, in the environment
of a `realparts.atspi.AccessibleDesktop` (xcb, accessibility on). It says what it shows as
JSON lines on stdout ({"started": "xcb"} first, once Qt is up) and waits for a command on
stdin; while it waits it runs the Qt event loop, which is what answers the bus (a blocked
loop would leave the probe no answer).

- `walk`: ui/demo_script.py's scripted sessions at 1920x1080, every step in zh/en, normal
  and large text. At each shot it says {"screen": NAME, "state": S, "buttons": [NAMES],
  "other_windows": [...]} (the window's visible buttons as Qt itself lists them, and any
  other visible top-level widget) and waits for {"cmd": "next"}; at the end it says {"done": COUNT}.
- `live`: a kiosk on the real clocks and the worker thread, zhang-wei's card in the virtual
  reader, at the PIN pad; it says {"live": "pin_entry"}, then answers {"cmd": "state"} with
  the session's state and the heading, and {"cmd": "wait", "state": S} once the window
  shows S, until {"cmd": "quit"}.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSocketNotifier
from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.app import ensure_demo_store
from kiosk.session.view import State
from realparts.config import rig_config
from ui import demo_script
from ui.launch import application
from ui.rig import KioskRig
from ui.window import KioskWindow

SIZE = (1920, 1080)
ADMIN_PIN = "246810"  # the one demo_script's maintenance step types


def say(message: dict[str, Any]) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


class Commands:
    """Commands from stdin, awaited inside the Qt event loop (a socket notifier wakes it)."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self._buffer = b""
        self._closed = False
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._read)

    def _read(self) -> None:
        chunk = os.read(sys.stdin.fileno(), 1 << 16)
        if not chunk:
            self._closed = True
            self._notifier.setEnabled(False)
        self._buffer += chunk

    def next(self) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            if self._closed:
                raise SystemExit("stdin closed: the test has gone")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        line, self._buffer = self._buffer.split(b"\n", 1)
        command = json.loads(line)
        assert isinstance(command, dict), command
        return command


def walk(folder: Path, commands: Commands) -> None:
    shots = 0

    def hand_over(window: KioskWindow, name: str) -> None:
        nonlocal shots
        shots += 1
        buttons = [
            b.accessibleName() for b in window.findChildren(QAbstractButton) if b.isVisible()
        ]
        state = window.session.view.state.value
        # A widget that lost its parent shows as a window of its own, on the display and
        # on the bus, where window.findChildren never looks.
        others = [
            f"{type(w).__name__} {w.width()}x{w.height()}"
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not window
        ]
        say({"screen": name, "state": state, "buttons": sorted(buttons), "other_windows": others})
        command = commands.next()
        if command.get("cmd") != "next":
            raise SystemExit(f"expected next, got {command}")

    demo_script.SIZE = SIZE  # as the in-process size test sets it
    config = rig_config(folder, f"sqlite:///{folder / 'unused.sqlite3'}", admin_pin=ADMIN_PIN)
    demo_script.walk_all(config, folder / "shots", inspect=hand_over)
    say({"done": shots})


def live(folder: Path, commands: Commands) -> None:
    config = rig_config(folder, f"sqlite:///{folder / 'live.sqlite3'}", admin_pin=ADMIN_PIN)
    ensure_demo_store(config, datetime.now())
    rig = KioskRig(config, size=SIZE)
    try:
        rig.insert("zhang-wei")
        rig.wait_for(State.PIN_ENTRY)
        say({"live": State.PIN_ENTRY.value})
        while (command := commands.next()).get("cmd") != "quit":
            if command.get("cmd") == "wait":
                try:
                    rig.wait_for(State(command["state"]))
                except TimeoutError as error:
                    say({"error": str(error)})
                    continue
            view = rig.session.view
            say({"state": view.state.value, "heading": rig.window.heading.text()})
    finally:
        rig.close()


def main(argv: list[str]) -> int:
    mode, folder = argv[1], Path(argv[2])
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1`: where a stuck kiosk is, to its log
    app = application()
    # A rig made without an application goes offscreen; this one must be on the display.
    if QApplication.platformName() != "xcb":
        raise SystemExit(f"on {QApplication.platformName()!r}, not xcb: no accessibility bus")
    commands = Commands(app)
    folder.mkdir(parents=True, exist_ok=True)
    say({"started": QApplication.platformName()})  # imported and up: from now on the bus
    {"walk": walk, "live": live}[mode](folder, commands)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

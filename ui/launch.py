"""Entry points the `kiosk run` and `kiosk demo` commands load (kiosk/ never imports ui/)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCursor, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app import KioskParts, build_kiosk, ensure_demo_store
from kiosk.config import KioskConfig
from kiosk.speech.engine import SpeechOutput
from kiosk.worker import Post
from ui.bridge import UiThreadBridge
from ui.housekeeping import Housekeeping
from ui.qt_logging import route_qt_messages_to_logging
from ui.window import KioskWindow

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
EXT_B_FONT = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"  # names past U+FFFF: 𠮷
# Qt falls back through fontconfig to whichever font has a glyph; loading these into Qt's own
# database as well keeps names readable when fontconfig does not list a font.
APPLICATION_FONTS = {"WenQuanYi Zen Hei": CJK_FONT, "HanaMinB": EXT_B_FONT}
WINDOW_SIZE = (1280, 800)
log = logging.getLogger(__name__)


def application() -> QApplication:
    route_qt_messages_to_logging()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    load_fonts()
    return app


def load_fonts(listed: Collection[str] | None = None) -> list[str]:
    """Add each of APPLICATION_FONTS that Qt does not list (`listed`: its families) and is
    installed; returns the families added."""
    known = set(QFontDatabase.families() if listed is None else listed)
    added: list[str] = []
    for family, path in APPLICATION_FONTS.items():
        if family not in known and Path(path).exists():
            added += QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(path))
    return added


def open_kiosk(parts: KioskParts, post: Post, speaker: SpeechOutput | None = None) -> KioskWindow:
    """The window for `parts` (from `kiosk.app.build_kiosk`), with the reader connected:
    what `kiosk run`, the scripted demo, the UI tests and the bench all run. `speaker`:
    what speaks (default: as kiosk.toml's [speech] says)."""
    from kiosk.speech.engine import speaker_for

    if speaker is None:
        speaker = speaker_for(parts.config.speech)
    window = KioskWindow(parts.session, parts.config.reader.scrambled_pin_pad, speaker)
    session = parts.session
    # Reader events arrive on the backend's thread; `post` hands them to the UI thread.
    parts.backend.subscribe(lambda event: post(lambda: session.handle_reader_event(event)))
    return window


def run_kiosk(
    config: KioskConfig,
    smoke: bool = False,
    started_at: float | None = None,
    demo: bool = False,
) -> int:
    """The kiosk window; with `smoke`, print ms from process start to first paint and exit."""
    app = application()
    bridge = UiThreadBridge()
    if demo:
        ensure_demo_store(config, datetime.now())
    parts = build_kiosk(config, bridge.post, on_exit=app.quit)
    window = open_kiosk(parts, bridge.post)
    panel = None
    if demo:
        from ui.demo_panel import DemoPanel

        panel = DemoPanel(parts.backend)
        panel.show()
    if config.kiosk.hide_cursor:
        app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
    if config.kiosk.fullscreen and not smoke:
        fill_screen(window)
    else:
        window.resize(*WINDOW_SIZE)
        window.show()
    housekeeping = Housekeeping(parts, exit_kiosk=app.exit)
    if not smoke:  # after the first paint: load the store while the start screen shows
        QTimer.singleShot(0, housekeeping.start)
    if smoke:
        begin = started_at if started_at is not None else time.time()

        def painted() -> None:
            window.repaint()
            print(round((time.time() - begin) * 1000, 1), flush=True)
            window.exit_allowed = True
            app.quit()

        QTimer.singleShot(0, painted)
    log.info("kiosk started (%s reader, %s printer)", config.reader.backend, config.printer.kind)
    try:
        return app.exec()
    finally:
        housekeeping.stop()
        window.exit_allowed = True
        window.close()
        if panel is not None:
            panel.close()
        parts.close()


def fill_screen(window: QWidget) -> None:
    """Full screen even where no window manager runs (X without a WM is a common kiosk
    set-up, and there showFullScreen alone leaves the window at its own size): the window
    is given the screen's geometry explicitly, then asked to be full screen."""
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.geometry())
    window.showFullScreen()


def write_screens(config: KioskConfig, out: Path, *, speech: bool = False) -> list[Path]:
    """Walk the scripted sessions offscreen and write every screen and receipt to `out`;
    with `speech`, a WAV of each screen's spoken words beside its PNG."""
    from ui.demo_script import walk_all

    application()
    return walk_all(config, out, speech=speech)

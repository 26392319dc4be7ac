"""Entry points the `kiosk run` and `kiosk demo` commands load (kiosk/ never imports ui/)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMainWindow

from kiosk.config import KioskConfig
from ui.attract import AttractScreen
from ui.qt_logging import route_qt_messages_to_logging

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _application() -> QApplication:
    route_qt_messages_to_logging()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    if Path(CJK_FONT).exists():
        QFontDatabase.addApplicationFont(CJK_FONT)
    return app


def _window(config: KioskConfig) -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("社保卡自助查询 Social-security card kiosk")
    window.setCentralWidget(AttractScreen())
    window.resize(1280, 800)
    del config
    return window


def run_kiosk(config: KioskConfig, smoke: bool = False, started_at: float | None = None) -> int:
    """The kiosk window; with `smoke`, print ms from process start to first paint and exit."""
    app = _application()
    window = _window(config)
    if config.kiosk.fullscreen and not smoke:
        window.showFullScreen()
    else:
        window.show()
    if smoke:
        begin = started_at if started_at is not None else time.time()

        def painted() -> None:
            window.repaint()
            print(round((time.time() - begin) * 1000, 1), flush=True)
            app.quit()

        QTimer.singleShot(0, painted)
    return app.exec()


def write_screens(config: KioskConfig, out: Path) -> list[Path]:
    """Render every screen offscreen to PNG files in `out`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _application()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for width, height in ((1920, 1080), (1280, 800)):
        window = _window(config)
        window.resize(width, height)
        window.show()
        QApplication.processEvents()
        path = out / f"attract-zh-normal-{width}x{height}.png"
        window.grab().save(str(path))
        written.append(path)
        window.close()
    return written

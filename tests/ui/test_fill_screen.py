"""`fullscreen = true` fills the screen even with no window manager to do it."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ui.launch import fill_screen


def test_the_window_takes_the_screens_geometry_itself(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(320, 200)  # what a window with no WM to size it would keep
    fill_screen(window)
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    assert window.geometry().size() == screen.geometry().size()
    assert window.isFullScreen()

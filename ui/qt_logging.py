"""Route Qt's own messages (qWarning, qCritical...) into Python logging."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Said by the offscreen platform plugin on every show(); nothing is wrong.
_HARMLESS = ("This plugin does not support propagateSizeHints()",)


def _handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(kind, logging.WARNING)
    if message.startswith(_HARMLESS):
        level = logging.DEBUG
    where = f" ({context.category})" if context.category else ""
    log.log(level, "%s%s", message, where)


def route_qt_messages_to_logging() -> None:
    qInstallMessageHandler(_handle)

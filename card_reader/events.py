"""What a reader backend reports. Callbacks receive these on the backend's own thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes


@dataclass(frozen=True)
class CardMute:
    """A card is in the reader but gave no ATR: inserted the wrong way round, or a mute chip.
    Its removal is an ordinary CardRemoved."""

    reader: str


@dataclass(frozen=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True)
class ReaderLost:
    reader: str


@dataclass(frozen=True)
class ServiceLost:
    """pcscd went away; the backend keeps trying to reconnect."""

    reason: str


ReaderEvent = CardInserted | CardMute | CardRemoved | ReaderAdded | ReaderLost | ServiceLost
EventCallback = Callable[[ReaderEvent], None]


class Subscribers:
    """The callbacks a backend delivers events to; one subscriber's bug never stops the rest."""

    def __init__(self) -> None:
        self._callbacks: list[EventCallback] = []
        self._lock = threading.Lock()

    def add(self, callback: EventCallback) -> Callable[[], None]:
        """Register `callback`; returns the function that unregisters it."""
        with self._lock:
            self._callbacks.append(callback)
        return lambda: self._remove(callback)

    def _remove(self, callback: EventCallback) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def emit(self, event: ReaderEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:  # a subscriber's bug must not kill the backend's thread
                log.exception("reader event callback failed")

    def clear(self) -> None:
        with self._lock:
            self._callbacks.clear()

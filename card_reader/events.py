"""What a reader backend reports. Callbacks receive these on the backend's own thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes


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


ReaderEvent = CardInserted | CardRemoved | ReaderAdded | ReaderLost | ServiceLost
EventCallback = Callable[[ReaderEvent], None]

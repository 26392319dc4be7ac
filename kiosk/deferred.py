"""An account service built on first use, so the start screen paints before SQLAlchemy loads.

Importing SQLAlchemy and its dialect costs ~250 ms, more than the whole window. The kiosk
paints the start screen first and builds the real AccountService on the worker thread
(warm-up right after the first paint, or the first heartbeat), long before a card arrives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.store.errors import StoreUnavailable

if TYPE_CHECKING:
    from kiosk.services import AccountService


class DeferredAccounts:
    def __init__(self, build: Callable[[], AccountService]) -> None:
        self._build = build
        self._service: AccountService | None = None
        self._lock = threading.Lock()

    @property
    def service(self) -> AccountService:
        """The service, built now if it was not; a store that cannot even be set up (a bad
        URL, a missing driver) is StoreUnavailable, like one that does not answer."""
        with self._lock:
            if self._service is None:
                try:
                    self._service = self._build()
                except Exception as error:
                    raise StoreUnavailable(f"store not set up: {type(error).__name__}") from error
            return self._service

    def warm_up(self) -> None:
        """Build the service now (call it on the worker thread)."""
        _ = self.service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)

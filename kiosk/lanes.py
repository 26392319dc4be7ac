"""What the session knows of background work: the lanes, the Worker it submits to, and the
failure of a job abandoned on its lane. kiosk.worker runs them (the session may not import
it: it reaches card_reader.deadline)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Protocol

Job = Callable[[], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]
Post = Callable[[Callable[[], None]], None]


class Lane(enum.StrEnum):
    CARD = "card"  # card I/O, and what must follow it in order (the store's word on a card)
    STORE = "store"  # account screens, audit rows, heartbeats, maintenance
    PRINTER = "printer"  # receipts


class JobOverran(Exception):
    """A background job did not finish within its lane's deadline (it was abandoned)."""

    def __init__(self, lane: Lane, operator_message: str) -> None:
        self.lane = lane
        self.operator_message = operator_message
        super().__init__(operator_message)


class Worker(Protocol):
    def submit(self, job: Job, on_done: OnDone, on_error: OnError, lane: Lane = ...) -> None:
        """Run `job` later on `lane`; call `on_done(result)` or `on_error(exception)` on the
        owner's thread."""
        ...

    def shutdown(self) -> None: ...

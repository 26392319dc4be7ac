"""A deadline for blocking calls into a card or reader driver (and, through kiosk.worker,
for every background job of the kiosk).

A card (or a reader driver) can stop answering in the middle of a command, and nothing in
pyscard or pcsc-lite bounds SCardTransmit. The call runs on a runner thread while the caller
waits at most `seconds`; a call that overruns leaves its runner behind (it is a daemon and
is never reused) and the caller gets CardNotRespondingError (or the error `overrun` makes).
Idle runners are reused, so a healthy kiosk keeps one per concurrent caller; past the
first, a runner idle for IDLE_SECONDS ends, so a moment when two callers met (a worker job
beside a card command) leaves no thread behind. `stuck_calls()` counts the abandoned calls
that have not returned yet: the kiosk's health.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import TypeVar

from card_reader.errors import CardNotRespondingError

T = TypeVar("T")
A = TypeVar("A")
IDLE_SECONDS = 30.0  # a spare runner ends after this long without work


class _Outcome:
    __slots__ = ("abandoned", "done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None
        self.abandoned = False  # the caller gave up waiting: its runner ends when it returns


_Call = tuple[Callable[[object], object], object, _Outcome]


class _Runner:
    def __init__(self) -> None:
        self.calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="deadline-runner", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            try:
                function, argument, outcome = self.calls.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with _idle_lock:
                    # Idle means in _idle: a caller that took this runner is about to hand
                    # it a call. The last idle runner stays for the next one.
                    if self in _idle and len(_idle) > 1:
                        _idle.remove(self)
                        return
                continue
            try:
                outcome.value = function(argument)
            except BaseException as error:  # handed to the waiting caller, not swallowed
                outcome.error = error
            with _idle_lock:
                outcome.done.set()
                if outcome.abandoned:
                    _abandoned.discard(id(outcome))
                    return  # nobody will hand this runner work again


_idle: list[_Runner] = []
_idle_lock = threading.Lock()
_abandoned: set[int] = set()  # calls that overran and are still inside their function


def stuck_calls() -> int:
    """How many calls overran their deadline and have not returned yet."""
    with _idle_lock:
        return len(_abandoned)


def _take_runner() -> _Runner:
    with _idle_lock:
        if _idle:
            return _idle.pop()
    return _Runner()


def _give_back(runner: _Runner) -> None:
    with _idle_lock:
        _idle.append(runner)


def call_with_deadline(
    function: Callable[[A], T],
    argument: A,
    seconds: float,
    what: str,
    overrun: Callable[[str], Exception] = CardNotRespondingError,
) -> T:
    """`function(argument)`, or `overrun(message)` (CardNotRespondingError) once `seconds`
    have passed."""
    runner = _take_runner()
    outcome = _Outcome()
    runner.calls.put((function, argument, outcome))  # type: ignore[arg-type]
    if not outcome.done.wait(seconds):
        with _idle_lock:
            if not outcome.done.is_set():
                # The runner stays blocked inside the driver: abandon it, never reuse it; it
                # ends by itself if the call ever returns (the card pulled, pcscd restarted).
                outcome.abandoned = True
                _abandoned.add(id(outcome))
                raise overrun(f"{what}: no answer within {seconds:g} s")
    _give_back(runner)
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]

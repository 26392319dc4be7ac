"""The worker's lanes: card, store and printer work apart, and every job bounded."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.worker import MAX_STUCK, JobOverran, Lane, ThreadWorker

Outcome = tuple[str, object]


class Owner:
    """Stands in for the UI thread: posted outcomes land in a queue the test reads."""

    def __init__(self) -> None:
        self.outcomes: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def post(self, callback: Callable[[], None]) -> None:
        self.outcomes.put(callback)

    def next(self, timeout: float = 5.0) -> None:
        self.outcomes.get(timeout=timeout)()


@pytest.fixture
def owner() -> Owner:
    return Owner()


@pytest.fixture
def hung() -> Iterator[threading.Event]:
    """A driver call that never returns until the test ends (then it does, like a pulled card)."""
    release = threading.Event()
    yield release
    release.set()


def quick_worker(owner: Owner, seconds: float = 0.3) -> ThreadWorker:
    return ThreadWorker(owner.post, {lane: seconds for lane in Lane})


def recorder(into: list[Outcome]) -> tuple[Callable[[object], None], Callable[[Exception], None]]:
    return (lambda result: into.append(("done", result))), (lambda e: into.append(("error", e)))


def test_each_lane_runs_its_jobs_in_order_on_its_own_thread(owner: Owner) -> None:
    worker = quick_worker(owner, 5.0)
    names: dict[Lane, set[str]] = {lane: set() for lane in Lane}
    order: list[int] = []
    try:
        for index in range(6):
            lane = list(Lane)[index % 3]

            def job(lane: Lane = lane, index: int = index) -> int:
                names[lane].add(threading.current_thread().name)
                return index

            worker.submit(job, order.append, print, lane)
        for _ in range(6):
            owner.next()
    finally:
        worker.shutdown()
    assert sorted(order) == list(range(6))
    assert [i for i in order if i % 3 == 0] == [0, 3]  # in order within a lane
    runners = set().union(*names.values())
    assert threading.current_thread().name not in runners


def test_a_hung_card_call_holds_up_neither_the_store_nor_the_printer(
    owner: Owner, hung: threading.Event
) -> None:
    worker = quick_worker(owner, 30.0)
    outcomes: list[Outcome] = []
    try:
        worker.submit(hung.wait, *recorder(outcomes), Lane.CARD)
        started = time.monotonic()
        worker.submit(lambda: "audit row", *recorder(outcomes), Lane.STORE)
        worker.submit(lambda: "receipt", *recorder(outcomes), Lane.PRINTER)
        owner.next()
        owner.next()
        assert time.monotonic() - started < 1.0
    finally:
        hung.set()
        worker.shutdown()
    assert sorted(outcomes) == [("done", "audit row"), ("done", "receipt")]


def test_a_job_past_its_deadline_fails_with_job_overran_and_the_lane_goes_on(
    owner: Owner, hung: threading.Event
) -> None:
    worker = quick_worker(owner, 0.3)
    outcomes: list[Outcome] = []
    try:
        started = time.monotonic()
        worker.submit(hung.wait, *recorder(outcomes), Lane.CARD)
        worker.submit(lambda: "next card", *recorder(outcomes), Lane.CARD)
        owner.next()
        overran = time.monotonic() - started
        owner.next()
        assert worker.stuck_jobs()[Lane.CARD] == 1
        hung.set()  # the driver call returns at last: nothing is stuck any more
        deadline = time.monotonic() + 2
        while worker.stuck_jobs()[Lane.CARD] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert worker.stuck_jobs()[Lane.CARD] == 0
    finally:
        worker.shutdown()
    assert 0.3 <= overran < 1.0
    (kind, error), second = outcomes
    assert kind == "error"
    assert isinstance(error, JobOverran)
    assert error.lane is Lane.CARD
    assert second == ("done", "next card")


def test_a_lane_that_cannot_recover_stops_abandoning_and_waits(
    owner: Owner, hung: threading.Event
) -> None:
    """What the watchdog needs to see: after MAX_STUCK abandoned jobs the lane blocks."""
    worker = quick_worker(owner, 0.2)
    outcomes: list[Outcome] = []
    try:
        for _ in range(MAX_STUCK + 1):
            worker.submit(hung.wait, *recorder(outcomes), Lane.STORE)
        worker.submit(lambda: "probe", *recorder(outcomes), Lane.STORE)
        for _ in range(MAX_STUCK):
            owner.next()
        with pytest.raises(queue.Empty):
            owner.next(timeout=1.0)  # the third hang is waited for, the probe never runs
        assert worker.stuck_jobs()[Lane.STORE] == MAX_STUCK
        hung.set()
        owner.next()
        owner.next()
    finally:
        worker.shutdown()
    assert [kind for kind, _ in outcomes] == ["error"] * MAX_STUCK + ["done", "done"]


def test_after_shutdown_nothing_more_is_posted(owner: Owner) -> None:
    worker = quick_worker(owner)
    worker.shutdown()
    worker.submit(lambda: "late", print, print, Lane.STORE)
    with pytest.raises(queue.Empty):
        owner.next(timeout=0.3)


def test_shutting_down_does_not_wait_for_a_stuck_lane(owner: Owner, hung: threading.Event) -> None:
    worker = ThreadWorker(owner.post, {lane: 60.0 for lane in Lane})
    worker.submit(hung.wait, print, print, Lane.PRINTER)
    started = time.monotonic()
    worker.shutdown(wait_seconds=0.5)
    assert time.monotonic() - started < 1.5

"""The one background thread the session runs card and store work on."""

from __future__ import annotations

import threading

from kiosk.worker import ThreadWorker


def test_the_thread_worker_runs_jobs_on_one_other_thread_and_posts_results_back() -> None:
    posted: list[object] = []
    names: set[str] = set()
    done = threading.Event()

    def post(callback: object) -> None:
        posted.append(callback)
        if len(posted) == 3:
            done.set()

    worker = ThreadWorker(post)
    try:
        for _ in range(3):
            worker.submit(lambda: names.add(threading.current_thread().name), print, print)
        assert done.wait(5)
    finally:
        worker.shutdown()
    assert len(names) == 1
    assert threading.current_thread().name not in names

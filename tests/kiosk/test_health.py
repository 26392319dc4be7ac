"""The watch a systemd ping depends on: every part must have proved alive recently."""

from __future__ import annotations

from kiosk.health import READER, UI, HealthWatch, default_limits, lane_part
from kiosk.worker import InlineWorker, Lane, ManualWorker
from realparts.clock import FakeClock


def test_a_kiosk_whose_parts_all_answer_is_healthy() -> None:
    clock = FakeClock()
    watch = HealthWatch(InlineWorker(), lambda: 0.5, clock=clock)
    for _ in range(10):
        clock.advance(30)
        assert watch.turn().healthy


def test_a_lane_whose_probe_never_runs_is_stalled_past_its_limit_and_named() -> None:
    clock = FakeClock()
    worker = ManualWorker()  # nothing runs unless the test says so: a lane that is stuck
    watch = HealthWatch(worker, lambda: 0.5, clock=clock)
    limit = default_limits()[lane_part(Lane.CARD)]
    clock.advance(limit - 1)
    assert watch.turn().healthy
    clock.advance(2)
    verdict = watch.turn()
    assert not verdict.healthy
    assert {part for part, _ in verdict.stalled} == {lane_part(lane) for lane in Lane} - {
        lane_part(Lane.PRINTER)  # the printer lane may take longer (its deadline is 60 s)
    }
    assert "worker.card" in verdict.words()
    assert len(worker.pending) == len(Lane)  # one probe per lane waits; no pile-up
    clock.advance(5)
    assert watch.turn().stalled_for == 5
    worker.run_all()  # the lanes come back
    assert watch.turn().healthy


def test_a_reader_monitor_that_stopped_turning_is_stalled() -> None:
    age = [0.0]
    watch = HealthWatch(InlineWorker(), lambda: age[0])
    assert watch.turn().healthy
    age[0] = default_limits()[READER] + 1
    verdict = watch.turn()
    assert [part for part, _ in verdict.stalled] == [READER]


def test_probes_run_on_the_lane_they_prove() -> None:
    worker = ManualWorker()
    HealthWatch(worker, lambda: 0.0).turn()
    assert worker.lanes == list(Lane)
    assert UI in default_limits()

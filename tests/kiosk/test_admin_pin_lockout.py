"""The admin PIN lock on its own: growing delays, the file that carries it over a restart,
a wall clock that cannot be trusted, and damaged files that lock rather than open."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kiosk.admin_pin import (
    AdminPinLockout,
    DamagedLockFile,
    LockoutPolicy,
    LockRecord,
    read_lock_file,
    write_lock_file,
)


class Clocks:
    """A monotonic clock that restarts with each run, and a wall clock that goes on."""

    def __init__(self) -> None:
        self.mono = 500.0
        self.wall = 1_790_000_000.0

    def lockout(self) -> AdminPinLockout:
        return AdminPinLockout(monotonic=lambda: self.mono, wall=lambda: self.wall)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds

    def restart(self) -> None:
        self.mono = 7.0  # a new boot: the monotonic clock starts again near zero


def wrong(lockout: AdminPinLockout, times: int) -> LockRecord:
    record = lockout.record()
    for _ in range(times):
        record = lockout.attempt()
    return record


def test_three_wrong_pins_lock_for_30_s_then_each_doubles_up_to_an_hour() -> None:
    policy = LockoutPolicy()
    delays = [policy.delay_after(n) for n in range(1, 13)]
    assert delays == [0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert policy.delay_after(10**9) == 3600  # no overflow however long it goes on


def test_an_attempt_locks_at_once_and_only_the_right_pin_opens_again() -> None:
    clocks = Clocks()
    lockout = clocks.lockout()
    wrong(lockout, 2)
    assert lockout.locked_for() == 0
    lockout.attempt()  # the third: locked while it is checked, and after if it is wrong
    assert lockout.locked_for() == 30
    clocks.advance(29.5)
    assert lockout.locked_for() == pytest.approx(0.5)
    clocks.advance(0.5)
    assert lockout.locked_for() == 0
    lockout.attempt()
    assert lockout.locked_for() == 60
    record = lockout.succeeded()
    assert lockout.locked_for() == 0
    assert (record.failures, record.locked_seconds) == (0, 0)
    wrong(lockout, 2)
    assert lockout.locked_for() == 0  # counting starts again from nothing


def test_the_lock_survives_a_restart_less_the_time_that_passed(tmp_path: Path) -> None:
    clocks = Clocks()
    path = tmp_path / "admin-pin-lock.json"
    write_lock_file(path, wrong(clocks.lockout(), 4))  # locked for 60 s
    clocks.advance(20)
    clocks.restart()
    again = clocks.lockout()
    again.restore(read_lock_file(path))
    assert again.failures == 4
    assert again.locked_for() == pytest.approx(40)
    again.attempt()
    assert again.locked_for() == 120  # the count went on: the fifth doubles


def test_a_wall_clock_set_back_shortens_no_lock(tmp_path: Path) -> None:
    clocks = Clocks()
    path = tmp_path / "admin-pin-lock.json"
    write_lock_file(path, wrong(clocks.lockout(), 5))  # locked for 120 s
    clocks.wall -= 86_400  # a day back (a reset RTC, a thief's BIOS setting)
    clocks.restart()
    again = clocks.lockout()
    again.restore(read_lock_file(path))
    assert again.locked_for() == 120  # no time counted as passed, and no more than was left


def test_a_record_claiming_a_lock_beyond_the_cap_is_held_to_the_cap() -> None:
    clocks = Clocks()
    lockout = clocks.lockout()
    lockout.restore(LockRecord(failures=40, locked_seconds=1e12, written_at=clocks.wall))
    assert lockout.locked_for() == 3600


def test_no_file_means_no_lock(tmp_path: Path) -> None:
    assert read_lock_file(tmp_path / "admin-pin-lock.json") is None
    lockout = Clocks().lockout()
    lockout.restore(None)
    assert (lockout.failures, lockout.locked_for()) == (0, 0)


DAMAGED = {
    "empty": b"",
    "torn": b'{"failures": 3, "locked_sec',
    "not-json": b"\x00\xff\xfe garbage",
    "a-list": b"[1, 2, 3]",
    "missing-key": b'{"failures": 3, "locked_seconds": 30}',
    "negative": b'{"failures": -1, "locked_seconds": 30, "written_at": 1}',
    "negative-lock": b'{"failures": 1, "locked_seconds": -30, "written_at": 1}',
    "nan": b'{"failures": 3, "locked_seconds": NaN, "written_at": 1}',
    "infinite": b'{"failures": 3, "locked_seconds": 30, "written_at": Infinity}',
    "a-bool": b'{"failures": true, "locked_seconds": 30, "written_at": 1}',
    "a-string": b'{"failures": "3", "locked_seconds": 30, "written_at": 1}',
    "a-float-count": b'{"failures": 3.5, "locked_seconds": 30, "written_at": 1}',
    "too-big": b" " * 10_000 + b'{"failures": 0, "locked_seconds": 0, "written_at": 1}',
    "deep": b"[" * 100_000,
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_file_locks_for_the_first_delay_never_opens(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "admin-pin-lock.json"
    path.write_bytes(content)
    with pytest.raises(DamagedLockFile):
        read_lock_file(path)
    lockout = Clocks().lockout()
    lockout.restore(None, damaged=True)
    assert lockout.locked_for() == 30
    lockout.attempt()
    assert lockout.locked_for() == 60  # counted as the third wrong PIN already


@pytest.mark.parametrize("kind", ["folder", "fifo", "dangling-link"])
def test_something_else_where_the_file_should_be_counts_as_damaged(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "admin-pin-lock.json"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(tmp_path / "gone")
    with pytest.raises(DamagedLockFile):
        read_lock_file(path)


def test_the_file_is_private_and_holds_counts_and_times_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "admin-pin-lock.json"
    clocks = Clocks()
    write_lock_file(path, wrong(clocks.lockout(), 3))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())) == {"failures", "locked_seconds", "written_at"}
    assert read_lock_file(path) == LockRecord(3, 30.0, clocks.wall)


def test_the_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="free_failures"):
        LockoutPolicy(free_failures=0)
    with pytest.raises(ValueError, match="first_delay"):
        LockoutPolicy(first_delay_seconds=7200, max_delay_seconds=3600)

"""The maintenance PIN pad locks after wrong admin PINs, on the session's fake clocks: the
pad counts the lock down and refuses the right PIN until it ends, every wrong PIN is
audited, and the lock outlives a restart (a wall clock set back shortens nothing, a
damaged file locks). No PIN reaches a log line or an audit row."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest

from card_reader.backends.virtual import VirtualBackend
from kiosk.admin_pin import LOCK_FILE_NAME, LockRecord, read_lock_file
from kiosk.card_access import ReaderCards
from kiosk.services import AccountService
from kiosk.session import Session, maintenance
from kiosk.session.view import State
from kiosk.worker import InlineWorker
from realparts.clock import FakeClock
from tests.kiosk.session.harness import HEALTH, SETTINGS
from tests.session_kit import RecordingReceipts

RIGHT, WRONG = "246810", "135799"


@dataclass
class Kiosk:
    """One run of the kiosk: a session on the shared clocks and lock file."""

    accounts: AccountService
    clock: FakeClock
    lock_file: Path | None
    audited: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        original = self.accounts.record_query

        def record_query(
            action: str, outcome: str, card_number: str | None = None, reachable: bool = True
        ) -> None:
            self.audited.append((action, outcome))
            original(action, outcome, card_number, reachable)

        self.accounts.record_query = record_query  # type: ignore[method-assign]
        backend = VirtualBackend()
        settings = replace(SETTINGS, admin_pin_lock_file=self.lock_file)
        self.session = Session(
            ReaderCards(backend, settings.card_command_seconds),
            self.accounts,
            RecordingReceipts(),
            InlineWorker(),
            settings,
            monotonic=self.clock,
            now=self.clock.now,
            health=lambda: HEALTH,
        )
        backend.subscribe(self.session.handle_reader_event)

    def admin_pin(self, digits: str) -> bytearray:
        buffer = bytearray(digits.encode("ascii"))
        self.session.submit_admin_pin(buffer)
        return buffer

    def admin_audits(self) -> list[str]:
        return [outcome for action, outcome in self.audited if action == "admin_pin"]


@pytest.fixture
def lock_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / LOCK_FILE_NAME


def start(
    accounts: AccountService, lock_file: Path | None, clock: FakeClock | None = None
) -> Kiosk:
    return Kiosk(accounts, clock or FakeClock(), lock_file)


def test_three_wrong_admin_pins_lock_the_pad_and_it_counts_down(
    accounts: AccountService, lock_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk = start(accounts, lock_file)
    session = kiosk.session
    session.open_maintenance()
    for _ in range(2):
        assert kiosk.admin_pin(WRONG) == bytearray(6)
        assert session.view.admin_pin_wrong
        assert session.view.admin_pin_locked_seconds is None
    kiosk.admin_pin(WRONG)
    assert session.view.state is State.MAINTENANCE_PIN
    assert session.view.admin_pin_locked_seconds == 30
    assert session.admin_pin_locked_for() == 30
    assert session.admin_pin_failures == 3
    assert kiosk.admin_audits() == ["wrong_1", "wrong_2", "wrong_3_locked_30s"]

    refused = kiosk.admin_pin(RIGHT)  # the right PIN, but the pad is locked
    assert refused == bytearray(6)  # zeroed all the same
    assert session.view.state is State.MAINTENANCE_PIN
    assert session.view.busy is None
    assert kiosk.admin_audits()[-1] == "wrong_3_locked_30s"  # not even checked

    kiosk.clock.advance(10.2)
    session.tick()
    assert session.view.admin_pin_locked_seconds == 20  # 19.8 s left, shown rounded up
    kiosk.clock.advance(19.8)
    session.tick()
    assert session.view.admin_pin_locked_seconds is None
    assert session.admin_pin_locked_for() == 0

    kiosk.admin_pin(RIGHT)
    assert session.view.state is State.MAINTENANCE
    assert session.admin_pin_failures == 0
    assert kiosk.admin_audits()[-1] == "opened"
    record = read_lock_file(lock_file)
    assert record is not None
    assert (record.failures, record.locked_seconds) == (0, 0)
    logged = caplog.text
    assert "wrong admin PIN" in logged
    assert "locked for 30 s" in logged
    for pin in (RIGHT, WRONG):
        assert pin not in logged
        assert all(pin not in outcome for outcome in kiosk.admin_audits())


def test_the_lock_survives_a_restart_and_a_clock_set_back_does_not_end_it(
    accounts: AccountService, lock_file: Path
) -> None:
    clock = FakeClock()
    first = start(accounts, lock_file, clock)
    first.session.open_maintenance()
    for _ in range(4):
        first.admin_pin(WRONG)
        clock.advance(60)  # each lock waited out
    assert first.session.admin_pin_locked_for() == 0
    first.admin_pin(WRONG)  # the fifth: 120 s
    assert first.session.admin_pin_locked_for() == 120
    first.session.close()

    clock.advance(20)  # the kiosk is restarted 20 s later...
    clock.jump(timedelta(days=-2))  # ...with its wall clock two days behind
    clock.seconds = 3.0  # and a fresh monotonic clock
    second = start(accounts, lock_file, clock)
    assert second.session.admin_pin_locked_for() == 120  # no time counted as passed
    assert second.session.admin_pin_failures == 5
    second.session.open_maintenance()
    assert second.session.view.admin_pin_locked_seconds == 120
    second.admin_pin(RIGHT)
    assert second.session.view.state is State.MAINTENANCE_PIN  # still refused

    clock.advance(120)
    second.session.tick()
    assert second.session.view.state is State.IDLE  # the pad itself timed out meanwhile
    second.session.open_maintenance()
    assert second.session.view.admin_pin_locked_seconds is None
    second.admin_pin(WRONG)  # the sixth doubles again: the count was carried over
    assert second.session.admin_pin_locked_for() == 240
    assert second.admin_audits()[-1] == "wrong_6_locked_240s"


def test_a_restart_counts_the_time_that_really_passed(
    accounts: AccountService, lock_file: Path
) -> None:
    clock = FakeClock()
    first = start(accounts, lock_file, clock)
    first.session.open_maintenance()
    for _ in range(3):
        first.admin_pin(WRONG)
    first.session.close()
    clock.advance(25)
    clock.seconds = 1.0
    second = start(accounts, lock_file, clock)
    assert second.session.admin_pin_locked_for() == pytest.approx(5)


def test_an_attempt_is_saved_as_wrong_before_it_is_checked(
    accounts: AccountService, lock_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pulling the plug while the PIN is checked must not give a free attempt."""
    kiosk = start(accounts, lock_file)
    kiosk.session.open_maintenance()
    kiosk.admin_pin(WRONG)
    kiosk.admin_pin(WRONG)
    on_disk_during_check: list[LockRecord | None] = []

    def power_cut_during_check(pin: str, stored: str) -> bool:
        on_disk_during_check.append(read_lock_file(lock_file))
        raise SystemExit("the plug is pulled")

    monkeypatch.setattr(maintenance, "verify_admin_pin", power_cut_during_check)
    with pytest.raises(SystemExit):
        kiosk.admin_pin(RIGHT)
    record = on_disk_during_check[0]
    assert record is not None
    assert (record.failures, record.locked_seconds) == (3, 30)
    monkeypatch.undo()
    kiosk.clock.seconds = 1.0  # the next boot: the right PIN waits for the lock
    again = start(accounts, lock_file, kiosk.clock)
    assert again.session.admin_pin_locked_for() == 30


def test_a_damaged_lock_file_locks_the_pad_and_is_audited(
    accounts: AccountService, lock_file: Path
) -> None:
    lock_file.parent.mkdir(parents=True)
    lock_file.write_bytes(b"\x00garbage")
    kiosk = start(accounts, lock_file)
    assert kiosk.session.admin_pin_locked_for() == 30
    assert kiosk.admin_audits() == ["lock_file_damaged"]
    record = read_lock_file(lock_file)  # replaced by a sound one, still locked
    assert record is not None
    assert (record.failures, record.locked_seconds) == (3, 30)
    kiosk.session.open_maintenance()
    assert kiosk.session.view.admin_pin_locked_seconds == 30
    kiosk.admin_pin(RIGHT)
    assert kiosk.session.view.state is State.MAINTENANCE_PIN
    kiosk.clock.advance(30)
    kiosk.admin_pin(RIGHT)
    assert kiosk.session.view.state is State.MAINTENANCE


def test_without_a_lock_file_the_lock_holds_for_the_run(accounts: AccountService) -> None:
    kiosk = start(accounts, None)  # what the other session tests' settings have
    kiosk.session.open_maintenance()
    for _ in range(3):
        kiosk.admin_pin(WRONG)
    assert kiosk.session.admin_pin_locked_for() == 30
    assert kiosk.session.view.admin_pin_locked_seconds == 30

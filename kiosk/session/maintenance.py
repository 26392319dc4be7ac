"""Maintenance, its own small machine: the hidden long press, the admin PIN, the health
screen, paper refilled, and exit. It never shows anybody's data.

Wrong admin PINs lock the pad for longer and longer (kiosk.admin_pin.AdminPinLockout): the
lock is saved under data_dir before each PIN is checked, so it survives a restart, every
wrong PIN is audited (action `admin_pin`), and the heartbeat reads `locked_for()`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kiosk.admin_pin import (
    AdminPinLockout,
    DamagedLockFile,
    LockRecord,
    read_lock_file,
    verify_admin_pin,
    write_lock_file,
)
from kiosk.lanes import Lane
from kiosk.session.core import SessionCore, ignore
from kiosk.session.view import Busy, MaintenanceInfo, State

log = logging.getLogger(__name__)
AUDIT_ACTION = "admin_pin"


class Maintenance:
    def __init__(
        self,
        core: SessionCore,
        health: Callable[[], MaintenanceInfo] | None,
        on_exit: Callable[[], None] | None,
        refill_paper: Callable[[], None] | None,
    ) -> None:
        self.core = core
        self.health = health
        self.on_exit = on_exit
        self.refill_paper = refill_paper
        self.lock_file = core.settings.admin_pin_lock_file
        self.lockout = AdminPinLockout(
            monotonic=core.monotonic, wall=lambda: core.now().timestamp()
        )
        self._restore()

    # -- the lock ----------------------------------------------------------------------

    def _restore(self) -> None:
        """The last run's lock, read once at start (a few bytes; a damaged file locks)."""
        if self.lock_file is None:
            return
        try:
            record = read_lock_file(self.lock_file)
        except DamagedLockFile as error:
            log.warning("maintenance: admin PIN lock file unreadable (%s): pad locked", error)
            self.lockout.restore(None, damaged=True)
            self.core.audit("lock_file_damaged", AUDIT_ACTION)
            self._save(self.lockout.record())
            return
        self.lockout.restore(record)
        if self.lockout.locked_for():
            log.warning(
                "maintenance: admin PIN pad still locked for %.0f s after %d wrong PIN(s)",
                self.lockout.locked_for(),
                self.lockout.failures,
            )

    def _save(self, record: LockRecord) -> None:
        path = self.lock_file
        if path is not None:
            self.core.worker.submit(lambda: save_lock(path, record), ignore, ignore, Lane.STORE)

    def locked_for(self) -> float:
        """Seconds the admin PIN pad stays locked (0.0: open). Safe from any thread."""
        return self.lockout.locked_for()

    def _locked_seconds(self) -> int | None:
        left = self.lockout.locked_for()
        return math.ceil(left) if left > 0 else None

    def tick(self) -> None:
        """On the PIN pad: count the lock down on screen, and open the pad at its end."""
        view = self.core.view
        if view.state is State.MAINTENANCE_PIN and view.busy is None:
            left = self._locked_seconds()
            if left != view.admin_pin_locked_seconds:
                self.core.publish(replace(view, admin_pin_locked_seconds=left))

    # -- the flow ----------------------------------------------------------------------

    def open(self) -> None:
        self.core.last_touch = self.core.monotonic()
        self.core.go(State.MAINTENANCE_PIN, admin_pin_locked_seconds=self._locked_seconds())

    def submit_admin_pin(self, pin: bytearray) -> None:
        core = self.core
        if core.view.busy or self.lockout.locked_for() > 0:
            pin[:] = bytes(len(pin))
            self.tick()  # a locked pad says for how long
            return
        candidate = pin.decode("ascii")
        pin[:] = bytes(len(pin))
        pin_hash, path = core.settings.admin_pin_hash, self.lock_file
        record = self.lockout.attempt()  # wrong until proved right: saved before the check

        def check() -> bool:
            if path is not None:
                save_lock(path, record)
            return bool(pin_hash) and verify_admin_pin(candidate, pin_hash)

        core.publish(replace(core.view, busy=Busy.CHECKING_ADMIN_PIN))
        core.run(check, self._checked)

    def _checked(self, ok: bool) -> None:
        core, lockout = self.core, self.lockout
        if not ok:
            locked = self._locked_seconds()
            log.warning("maintenance: wrong admin PIN (%d in a row)", lockout.failures)
            outcome = f"wrong_{lockout.failures}"
            if locked:
                log.warning("maintenance: admin PIN pad locked for %d s", locked)
                outcome += f"_locked_{locked}s"
            core.audit(outcome, AUDIT_ACTION)
            core.go(State.MAINTENANCE_PIN, admin_pin_wrong=True, admin_pin_locked_seconds=locked)
            return
        self._save(lockout.succeeded())
        log.info("maintenance opened")
        core.audit("opened", AUDIT_ACTION)
        core.go(State.MAINTENANCE, busy=Busy.LOADING, admin_pin_locked_seconds=None)
        self.refresh()

    def refresh(self) -> None:
        core = self.core
        if core.view.state is State.MAINTENANCE and self.health is not None:
            core.run(self.health, lambda info: core.go(State.MAINTENANCE, maintenance=info))

    def paper_refilled(self) -> None:
        """The operator put in a fresh roll: reset the paper counter."""
        if self.refill_paper is not None:
            log.info("maintenance: paper roll replaced")
            self.core.run(self.refill_paper, lambda _: self.refresh())

    def leave(self) -> None:
        self.core.wipe(State.IDLE)

    def exit_kiosk(self) -> None:
        if self.on_exit is not None:
            log.info("maintenance: kiosk exit requested")
            self.on_exit()


def save_lock(path: Path, record: LockRecord) -> None:
    """Write the lock record (on the worker); a disk that refuses it is logged, not fatal:
    the lock still holds in memory for this run."""
    try:
        write_lock_file(path, record)
    except OSError as error:
        log.warning("maintenance: admin PIN lock not saved (%s)", type(error).__name__)

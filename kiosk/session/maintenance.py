"""Maintenance, its own small machine: the hidden long press, the admin PIN, the health
screen, paper refilled, and exit. It never shows anybody's data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from kiosk.admin_pin import verify_admin_pin
from kiosk.session.core import SessionCore
from kiosk.session.view import Busy, MaintenanceInfo, State

log = logging.getLogger(__name__)


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

    def open(self) -> None:
        self.core.last_touch = self.core.monotonic()
        self.core.go(State.MAINTENANCE_PIN)

    def submit_admin_pin(self, pin: bytearray) -> None:
        core = self.core
        if core.view.busy:
            pin[:] = bytes(len(pin))
            return
        candidate = pin.decode("ascii")
        pin[:] = bytes(len(pin))
        pin_hash = core.settings.admin_pin_hash
        core.publish(replace(core.view, busy=Busy.CHECKING_ADMIN_PIN))
        core.run(lambda: bool(pin_hash) and verify_admin_pin(candidate, pin_hash), self._checked)

    def _checked(self, ok: bool) -> None:
        if not ok:
            log.warning("maintenance: wrong admin PIN")
            self.core.go(State.MAINTENANCE_PIN, admin_pin_wrong=True)
            return
        log.info("maintenance opened")
        self.core.go(State.MAINTENANCE, busy=Busy.LOADING)
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

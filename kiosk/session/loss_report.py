"""Reporting a lost card without the card (临时挂失): the citizen ID, the service password, the
report, and its slip.

Nobody is signed in: the person proves only the account's service password, so the screens
show no more than the store hands back (a masked name, the report number, until when it
holds). The citizen ID waits here between the two steps and is registered as a secret (log
lines redact it); the password is a bytearray the store's step zeroes, and nothing of either
survives the next wipe.
"""

from __future__ import annotations

import logging

from kiosk.domain import LossReport
from kiosk.lanes import Lane
from kiosk.log import register_secret
from kiosk.session.core import SessionCore
from kiosk.session.ports import ReceiptPort, ServicePort
from kiosk.session.view import Busy, State
from kiosk.store.errors import LossReportRefused, ServicePasswordLocked, ServicePasswordRefused

log = logging.getLogger(__name__)
AUDIT_ACTION = "loss_report"  # the store audits every password try itself


class LossReporting:
    def __init__(self, core: SessionCore, services: ServicePort | None, slips: ReceiptPort) -> None:
        self.core = core
        self.services = services
        self.slips = slips
        self._citizen_id = ""
        core.on_wipe.append(self.forget)

    def start(self) -> None:
        """From the start screen: ask for the citizen ID."""
        self.forget()
        self.core.wipe(State.LOSS_ID)

    def citizen_id_typed(self, citizen_id: str) -> None:
        """The ID keypad checked the ID as it was typed; the password comes next."""
        register_secret(citizen_id)
        self._citizen_id = citizen_id
        self.core.go(State.LOSS_PASSWORD)

    def submit_password(self, password: bytearray) -> None:
        core = self.core
        citizen_id, services = self._citizen_id, self.services
        if core.view.busy is not None or not citizen_id or services is None:
            password[:] = bytes(len(password))
            return
        core.go(State.LOSS_PASSWORD, busy=Busy.REPORTING_LOSS)

        def report() -> LossReport:
            try:
                return services.report_lost(citizen_id, password)
            finally:
                password[:] = bytes(len(password))

        core.run(report, self._reported, self._refused)

    def print_slip(self) -> None:
        core = self.core
        report = core.view.loss_report
        if report is None or core.view.busy is not None:
            return
        core.go(State.LOSS_REPORTED, loss_report=report, busy=Busy.PRINTING)
        language, slips = core.view.language, self.slips
        core.run(
            lambda: slips.print_loss_report(report, language),
            lambda _: self._slip_printed(),
            self._slip_failed,
            lane=Lane.PRINTER,
        )

    def forget(self) -> None:
        self._citizen_id = ""

    # -- answers -------------------------------------------------------------------------

    def _reported(self, report: LossReport) -> None:
        self.forget()
        self.core.go(State.LOSS_REPORTED, loss_report=report, slip_failed=False)

    def _refused(self, error: Exception) -> None:
        core = self.core
        if isinstance(error, ServicePasswordLocked):
            self.forget()
            core.audit("locked", AUDIT_ACTION)
            core.go(State.LOSS_PASSWORD, loss_locked_until=error.until)
        elif isinstance(error, ServicePasswordRefused):
            core.go(State.LOSS_PASSWORD, loss_password_tries_left=error.tries_left)
        elif isinstance(error, LossReportRefused):
            self.forget()
            core.go(State.LOSS_PASSWORD, loss_refused=error.reason)
        else:
            core.failed(error)

    def _slip_printed(self) -> None:
        self.core.audit("ok", "loss_report_slip")
        self.core.wipe(State.IDLE)

    def _slip_failed(self, error: Exception) -> None:
        """The report stands whatever the printer does: the screen keeps its number."""
        log.warning("loss report slip not printed: %s", type(error).__name__)
        core = self.core
        core.go(State.LOSS_REPORTED, loss_report=core.view.loss_report, slip_failed=True)

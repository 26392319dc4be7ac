"""Printing the insurance certificate (参保证明) from the overview.

The certificate's facts come from the store and its digest goes back into the store before
it prints (kiosk.certificates), so an employer can verify it on the web page. A person who
came for the certificate usually stays for the balance: after it prints, the overview says
so and the session goes on. It counts towards the card's slips of the day.
"""

from __future__ import annotations

import logging

from kiosk.lanes import Lane
from kiosk.session.core import SessionCore, operator_words
from kiosk.session.ports import ReceiptPort
from kiosk.session.view import Busy, State
from kiosk.session_problems import problem_for

log = logging.getLogger(__name__)
AUDIT_ACTION = "certificate"


class CertificatePrinting:
    def __init__(self, core: SessionCore, receipts: ReceiptPort) -> None:
        self.core = core
        self.receipts = receipts

    def print_certificate(self) -> None:
        core = self.core
        entry = core.card
        number = entry.number if entry is not None else None
        if core.view.summary is None or number is None or core.view.busy is not None:
            return
        if not core.slip_allowed(AUDIT_ACTION, State.PRINTING):
            return
        region = (entry.region if entry else None) or ""
        language, accounts, receipts = core.view.language, core.accounts, self.receipts
        masking = core.settings.masking
        core.go(State.PRINTING, busy=Busy.PRINTING, certificate_printed=False)

        def issue_and_print() -> None:
            printed_at = core.now()
            data = accounts.certificate_data(
                number,
                printed_at,
                receipts.next_serial(printed_at),
                masking,
                language=language,
                card_region=region,
            )
            receipts.print_certificate(data)

        core.run(
            issue_and_print, lambda _: self._printed(), self._failed, navigation=True,
            lane=Lane.PRINTER,
        )  # fmt: skip

    def _printed(self) -> None:
        core = self.core
        core.slip_printed()
        core.audit("ok", AUDIT_ACTION)
        core.go(State.OVERVIEW, certificate_printed=True)

    def _failed(self, error: Exception) -> None:
        core = self.core
        problem = problem_for(error)
        log.warning("certificate not printed: %s", operator_words(error))
        core.audit(f"failed_{problem.kind.value}", AUDIT_ACTION)
        core.go(State.PRINTING, problem=problem)

"""Requesting a remote-care filing (异地就医备案) from the filings screen.

Kind, province, city (from the store's own list: nothing is typed), start and length
(kiosk.session.filing_draft); then a last look, the request stored as pending, and its slip.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kiosk.domain import FilingRequest
from kiosk.lanes import Lane
from kiosk.session.core import SessionCore
from kiosk.session.filing_draft import FilingDraft, FilingStep
from kiosk.session.ports import ReceiptPort, ServicePort
from kiosk.session.view import Busy, State
from kiosk.store.errors import FilingRefused

log = logging.getLogger(__name__)
AUDIT_ACTION = "filing_request"


class FilingRequesting:
    def __init__(self, core: SessionCore, services: ServicePort | None, slips: ReceiptPort) -> None:
        self.core = core
        self.services = services
        self.slips = slips

    def start(self) -> None:
        core, services = self.core, self.services
        if services is None or core.view.summary is None:
            return
        core.go(State.FILINGS, busy=Busy.LOADING)
        today = core.now().date()
        core.run(
            services.filing_destinations,
            lambda found: core.go(
                State.FILING_FORM,
                filing_draft=FilingDraft(FilingStep.KIND, found, today),
                filing_request=None,
            ),
            navigation=True,
        )

    def choose(self, value: str) -> None:
        draft = self.core.view.filing_draft
        if draft is None or value not in draft.choices() or self.core.view.busy is not None:
            return
        self.core.go(State.FILING_FORM, filing_draft=draft.with_choice(value))

    def back(self) -> None:
        draft = self.core.view.filing_draft
        earlier = draft.back() if draft is not None else None
        if earlier is None:
            self.core.go(State.FILINGS, filing_draft=None)
        else:
            self.core.go(State.FILING_FORM, filing_draft=earlier)

    def submit(self) -> None:
        core, services = self.core, self.services
        draft = core.view.filing_draft
        number = core.card.number if core.card else None
        chosen = draft.chosen() if draft is not None else None
        if chosen is None or services is None or number is None or core.view.busy is not None:
            return
        kind, code, start, days = chosen
        core.go(State.FILING_FORM, busy=Busy.LOADING)
        core.run(
            lambda: services.request_filing(number, kind, code, start, days),
            self._stored,
            self._refused,
            navigation=True,
        )

    def print_slip(self) -> None:
        core = self.core
        request = core.view.filing_request
        if (
            request is None
            or core.view.busy is not None
            or not core.slip_allowed("filing_slip", State.FILING_REQUESTED)
        ):
            return
        core.go(State.FILING_REQUESTED, busy=Busy.PRINTING)
        language, slips = core.view.language, self.slips
        core.run(
            lambda: slips.print_filing_request(request, language),
            lambda _: self._slip_printed(),
            self._slip_failed,
            lane=Lane.PRINTER,
        )

    # -- answers -------------------------------------------------------------------------

    def _stored(self, request: FilingRequest) -> None:
        self.core.audit("pending", AUDIT_ACTION)
        self.core.go(
            State.FILING_REQUESTED,
            filing_draft=None,
            filing_request=request,
            slip_printed=False,
            slip_failed=False,
        )

    def _refused(self, error: Exception) -> None:
        draft = self.core.view.filing_draft
        if isinstance(error, FilingRefused) and draft is not None:
            self.core.audit(f"refused_{error.reason}", AUDIT_ACTION)
            self.core.go(State.FILING_FORM, filing_draft=replace(draft, refused=error.reason))
        else:
            self.core.failed(error)

    def _slip_printed(self) -> None:
        self.core.slip_printed()
        self.core.audit("ok", "filing_slip")
        self.core.go(State.FILING_REQUESTED, slip_printed=True)

    def _slip_failed(self, error: Exception) -> None:
        """The request stands whatever the printer does: the screen keeps its number."""
        log.warning("filing request slip not printed: %s", type(error).__name__)
        self.core.go(State.FILING_REQUESTED, slip_failed=True)

"""After the PIN: the account screens, the history's pages, and the receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from card_reader.errors import CardRemovedError
from kiosk.domain import LedgerKind
from kiosk.lanes import Lane
from kiosk.session.core import SessionCore, operator_words
from kiosk.session.ports import ReceiptPort
from kiosk.session.view import Busy, ListPage, State
from kiosk.session_problems import problem_for
from printing.problems import PrinterProblem, PrinterProblemKind

log = logging.getLogger(__name__)
# The short lists, paged in the session: the screen and the View field that holds each.
LISTS = {
    State.CONTRIBUTIONS: "contributions",
    State.FAMILY_AID: "family",
    State.FILINGS: "filings",
    State.FLAGGED: "flagged",
}


class AccountScreens:
    def __init__(self, core: SessionCore, receipts: ReceiptPort) -> None:
        self.core = core
        self.receipts = receipts

    @property
    def printing(self) -> bool:
        return self.core.view.busy is Busy.PRINTING

    def _number(self) -> str | None:
        """The card number, once the person is signed in and no slip is printing."""
        core = self.core
        number = core.card.number if core.card else None
        if core.view.summary is None or number is None or self.printing:
            return None
        return number

    def show(self, state: State) -> None:
        """Open one of the account screens (loading its data first)."""
        core = self.core
        number = self._number()
        if number is None:
            return
        if state is State.OVERVIEW:
            core.navigation += 1  # whatever was loading is no longer wanted
            core.go(State.OVERVIEW)
            return
        if state is State.HISTORY:
            self._load_history(number, 1, None)
            return
        accounts = core.accounts
        loaders: dict[State, tuple[Callable[[], Any], str]] = {
            State.CONTRIBUTIONS: (lambda: accounts.contributions(number), "contributions"),
            State.ANNUAL: (lambda: accounts.annual_statement(number), "annual"),
            State.FAMILY_AID: (lambda: accounts.family_bindings(number), "family"),
            State.FILINGS: (lambda: accounts.filings(number), "filings"),
            State.FLAGGED: (lambda: accounts.flagged_charges(number), "flagged"),
        }
        if state not in loaders:
            raise ValueError(f"not an account screen: {state}")
        load, field_name = loaders[state]
        rows = core.settings.list_size(core.view.elderly)

        def loaded(data: Any) -> None:
            first = ListPage.first(len(data), rows) if state in LISTS else None
            core.go(state, **{field_name: data}, list_page=first)

        core.publish(replace(core.view, busy=Busy.LOADING))
        core.run(load, loaded, navigation=True)

    def list_page(self, page: int) -> None:
        """Another page of the short list on screen."""
        view = self.core.view
        if view.list_page is not None and view.state in LISTS:
            self.core.publish(replace(view, list_page=view.list_page.at(page)))

    def history_page(self, page: int) -> None:
        number = self._number()
        if number is not None:
            self._load_history(number, max(1, page), self.core.view.history_kind)

    def history_filter(self, kind: LedgerKind | None) -> None:
        number = self._number()
        if number is not None:
            self._load_history(number, 1, kind)

    def set_text_size(self, elderly: bool) -> None:
        """Large text or not. On the history the page size follows the text size: never show
        more rows than fit until the page is reloaded, and reopen at the page holding the row
        that was first on screen."""
        core = self.core
        view = replace(core.view, elderly=elderly)
        if view.state in LISTS and view.list_page is not None:
            items = len(getattr(view, LISTS[view.state]))
            rows = core.settings.list_size(elderly)
            core.publish(replace(view, list_page=view.list_page.resized(items, rows)))
            return
        page = view.history
        number = core.card.number if core.card else None
        if view.state is not State.HISTORY or page is None or number is None:
            core.publish(view)
            return
        size = core.settings.page_size(elderly)
        core.publish(replace(view, history=replace(page, entries=page.entries[:size])))
        first_row = (page.page - 1) * page.page_size
        self._load_history(number, first_row // size + 1, view.history_kind)

    def _load_history(self, number: str, page: int, kind: LedgerKind | None) -> None:
        core = self.core
        size = core.settings.page_size(core.view.elderly)
        accounts = core.accounts
        core.publish(replace(core.view, busy=Busy.LOADING))
        core.run(
            lambda: accounts.history(number, page=page, page_size=size, kind=kind),
            lambda found: core.go(State.HISTORY, history=found, history_kind=kind),
            navigation=True,
        )

    def print_receipt(self) -> None:
        core = self.core
        number = self._number()
        if number is None:
            return
        region = (core.card.region if core.card else None) or ""
        language = core.view.language
        if not core.slip_allowed("print", State.PRINTING):
            return
        core.go(State.PRINTING, busy=Busy.PRINTING)
        accounts, receipts, settings = core.accounts, self.receipts, core.settings

        def render_and_print() -> None:
            printed_at = core.now()
            data = accounts.receipt_data(
                number,
                printed_at,
                receipts.next_serial(printed_at),
                settings.masking,
                entries=settings.receipt_entries,
                language=language,
                card_region=region,
            )
            receipts.print_receipt(data)

        core.run(
            render_and_print,
            lambda _: self._printed(),
            self.print_failed,
            navigation=True,
            lane=Lane.PRINTER,
        )

    def _printed(self) -> None:
        self.core.slip_printed()
        self.core.audit("ok", "print")
        self.core.end_session(printed=True)

    def print_failed(self, error: Exception) -> None:
        core = self.core
        if isinstance(error, CardRemovedError):
            core.card_gone()
            return
        if isinstance(error, OSError):  # the slip could not be written (e.g. a full disk)
            error = PrinterProblem(PrinterProblemKind.SPOOL_FAILED, f"receipt not saved: {error}")
        problem = problem_for(error)
        log.warning("receipt not printed: %s", operator_words(error))
        core.audit(f"failed_{problem.kind.value}", "print")
        core.go(State.PRINTING, problem=problem)

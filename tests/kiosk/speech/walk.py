"""A whole kiosk day through the real session, for the speech tests: every screen a person
can reach (PIN, every account screen, a PIN change, a filing request, a receipt, a card
problem, maintenance, a loss report), with the views it published and what was typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from card_reader.simulator import profile
from kiosk.citizen_requests import CitizenRequests
from kiosk.services import AccountService
from kiosk.session.view import ACCOUNT_STATES, State, View
from kiosk.store.demo import DEMO_SERVICE_PASSWORD
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import PINS

NEW_PIN = "731964"
ADMIN_PIN = "246810"


@dataclass
class Walk:
    views: list[View]
    typed: list[str] = field(default_factory=list)  # every PIN and password typed
    secrets: list[str] = field(default_factory=list)  # citizen IDs and card numbers seen


def walk(accounts: AccountService) -> Walk:
    kiosk = Kiosk(accounts, services=CitizenRequests(accounts))
    session = kiosk.session
    done = Walk(kiosk.views)

    def typed(digits: str) -> bytearray:
        done.typed.append(digits)
        return bytearray(digits.encode("ascii"))

    kiosk.insert("li-kun")
    session.submit_pin(typed("000000"))  # a wrong PIN: the tries left are said
    session.submit_pin(typed(PINS["li-kun"]))
    for state in sorted(ACCOUNT_STATES, key=lambda s: s.value):
        session.show(state)
    session.history_page(2)
    session.show(State.OVERVIEW)
    session.start_pin_change()
    session.submit_pin_change(typed(PINS["li-kun"]))
    session.submit_pin_change(typed("345678"))  # refused: a run
    session.submit_pin_change(typed(NEW_PIN))
    session.submit_pin_change(typed(NEW_PIN))
    session.show(State.FILINGS)
    session.start_filing_request()
    while (draft := kiosk.view.filing_draft) is not None and draft.choices():
        session.filing_choose(draft.choices()[-1])
    session.submit_filing_request()
    session.show(State.OVERVIEW)
    session.print_receipt()
    session.finish()
    kiosk.backend.remove()

    kiosk.insert("blocked-pin")  # a problem screen before the PIN
    session.finish()
    kiosk.backend.remove()

    session.open_maintenance()
    session.submit_admin_pin(typed("111111"))
    session.submit_admin_pin(typed(ADMIN_PIN))
    session.leave_maintenance()

    session.start_loss_report()
    session.loss_citizen_id(profile("wang-zhe").citizen_id)
    session.loss_password(typed("000000"))
    session.loss_password(typed(DEMO_SERVICE_PASSWORD))

    for view in done.views:
        if view.summary is not None:
            done.secrets += [view.summary.citizen_id, view.summary.card_number]
        if view.loss_report is not None:
            done.secrets.append(view.loss_report.citizen_id)
    done.secrets += [profile(key).citizen_id for key in ("li-kun", "wang-zhe")]
    done.secrets += [profile(key).card_number for key in ("li-kun", "wang-zhe")]
    return done

"""One slip per tap, at the session: a second print asked while one is queued is dropped."""

from __future__ import annotations

from kiosk.services import AccountService
from kiosk.session.view import ProblemKind, State
from kiosk.worker import ManualWorker
from tests.kiosk.session.harness import Kiosk
from tests.session_kit import PINS


def test_a_second_print_while_the_first_is_queued_prints_nothing(
    accounts: AccountService,
) -> None:
    worker = ManualWorker()
    kiosk = Kiosk(accounts, worker=worker)
    kiosk.insert("zhang-wei")
    worker.run_all()
    kiosk.pin(PINS["zhang-wei"])
    worker.run_all()
    assert kiosk.view.state is State.OVERVIEW
    kiosk.session.print_receipt()
    kiosk.session.print_receipt()  # the double tap, before the printer lane ran anything
    worker.run_all()
    assert len(kiosk.receipts.printed) == 1
    assert kiosk.view.state is State.TAKE_CARD


def test_the_sixth_slip_of_a_card_in_a_day_is_refused_politely(
    accounts: AccountService,
) -> None:
    kiosk = Kiosk(accounts)
    for _ in range(5):
        kiosk.signed_in("zhang-wei")
        kiosk.session.print_receipt()
        assert kiosk.view.state is State.TAKE_CARD
        kiosk.backend.remove()
    kiosk.signed_in("zhang-wei")
    kiosk.session.print_receipt()
    assert len(kiosk.receipts.printed) == 5
    assert kiosk.view.state is State.PRINTING
    assert kiosk.view.problem is not None
    assert kiosk.view.problem.kind is ProblemKind.SLIP_LIMIT
    assert "5" in kiosk.view.problem.message_zh
    kiosk.session.show(State.OVERVIEW)  # the account is still there to read
    assert kiosk.view.state is State.OVERVIEW
    kiosk.session.finish()
    kiosk.backend.remove()
    kiosk.signed_in("li-kun")  # another card has its own five
    kiosk.session.print_receipt()
    assert len(kiosk.receipts.printed) == 6


def test_a_certificate_prints_and_the_session_goes_on(accounts: AccountService) -> None:
    kiosk = Kiosk(accounts)
    kiosk.signed_in("zhang-wei")
    kiosk.session.print_certificate()
    assert kiosk.view.state is State.OVERVIEW
    assert kiosk.view.certificate_printed
    [certificate] = kiosk.receipts.certificates
    assert certificate.card_number == "A32010001"
    assert certificate.months_total >= certificate.months_this_year
    kiosk.session.print_receipt()  # the certificate counted towards the five of the day
    assert kiosk.view.state is State.TAKE_CARD

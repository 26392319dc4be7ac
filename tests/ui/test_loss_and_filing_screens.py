"""The loss report (no card) and the remote-care filing request by tap, in the real window,
with every button named for assistive technology, in zh and en, normal and large text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from card_reader.simulator import profile
from kiosk.session.filing_draft import FilingStep
from kiosk.session.view import ProblemKind, State
from kiosk.store.demo import DEMO_SERVICE_PASSWORD
from kiosk.words import text
from tests.session_kit import seed_demo_store
from tests.ui.conftest import KioskUnderTest
from ui.widgets.id_pad import IdPad

Make = Callable[..., KioskUnderTest]


@pytest.fixture
def own_store_kiosk(make_kiosk: Make, tmp_path: Path) -> Callable[[], KioskUnderTest]:
    """A kiosk on a store of its own: a loss report changes the card for later tests."""
    folder = tmp_path / "store"
    folder.mkdir()
    url = seed_demo_store(folder)
    return lambda: make_kiosk(store_url=url)


def unnamed_buttons(kiosk: KioskUnderTest) -> list[str]:
    return [name for name in kiosk.button_names() if not name.strip()]


def tap_keys(kiosk: KioskUnderTest, keys: str) -> None:
    for key in keys:
        kiosk.tap(key)


@pytest.mark.parametrize(("language", "elderly"), [("zh", False), ("en", True)])
def test_a_loss_report_by_tap_then_the_card_is_refused(
    own_store_kiosk: Callable[[], KioskUnderTest], language: str, elderly: bool
) -> None:
    kiosk = own_store_kiosk()
    kiosk.wait_for(State.IDLE)
    if language == "en":
        kiosk.tap_text("switch.language.name")
    if elderly:
        kiosk.tap_text("switch.elderly.on")
    kiosk.tap_text("loss.start")
    kiosk.wait_for(State.LOSS_ID)
    assert text("loss.id.title", language) in kiosk.visible_texts()
    assert not unnamed_buttons(kiosk)
    citizen_id = profile("li-kun").citizen_id
    tap_keys(kiosk, citizen_id)
    kiosk.tap_text("id_entry.next")
    kiosk.wait_for(State.LOSS_PASSWORD)
    assert text("loss.password.title", language) in kiosk.visible_texts()
    kiosk.type_pin("000000")
    assert kiosk.wait_until(lambda: kiosk.session.view.loss_password_tries_left == 4)
    assert text("loss.password.wrong", language, tries=4) in kiosk.visible_texts()
    kiosk.type_pin(DEMO_SERVICE_PASSWORD)
    kiosk.wait_for(State.LOSS_REPORTED)
    report = kiosk.session.view.loss_report
    assert report is not None
    shown = kiosk.visible_texts()
    assert text("loss.done.number", language, number=report.report_no) in shown
    assert not unnamed_buttons(kiosk)
    kiosk.tap_text("loss.done.print")
    kiosk.wait_for(State.IDLE)
    assert list((kiosk.config.data_dir / "receipts").glob("*.pdf"))

    kiosk.insert("li-kun")
    kiosk.wait_until(lambda: kiosk.session.view.problem is not None)
    problem = kiosk.session.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.REPORTED_LOST
    kiosk.tap_text("loss.found")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.type_pin(profile("li-kun").pin)
    kiosk.wait_for(State.OVERVIEW)
    assert text("overview.loss_lifted", "zh") in kiosk.visible_texts()  # a new person: zh


def test_a_filing_request_by_tap_shows_pending(
    own_store_kiosk: Callable[[], KioskUnderTest],
) -> None:
    kiosk = own_store_kiosk()
    kiosk.signed_in()
    kiosk.tap_text("nav.filings")
    kiosk.wait_for(State.FILINGS)
    kiosk.tap_text("filing_request.start")
    kiosk.wait_for(State.FILING_FORM)
    assert not unnamed_buttons(kiosk)
    kiosk.tap(text("filing_type.temporary", "zh"))
    assert kiosk.wait_until(lambda: step(kiosk) is FilingStep.PROVINCE)
    draft = kiosk.session.view.filing_draft
    assert draft is not None
    province = next(name for name in draft.choices() if name != "江苏省")
    while not kiosk.buttons(province):  # the provinces come a page at a time
        kiosk.tap_text("button.next")
    kiosk.tap(province)
    assert kiosk.wait_until(lambda: step(kiosk) is FilingStep.CITY)
    draft = kiosk.session.view.filing_draft
    assert draft is not None
    assert draft.province is not None
    city = draft.province.cities[0]
    kiosk.tap(city.name)
    assert kiosk.wait_until(lambda: step(kiosk) is FilingStep.START)
    kiosk.tap(text("filing_request.start.later", "zh", days=7, day=day_in(kiosk, 7)))
    assert kiosk.wait_until(lambda: step(kiosk) is FilingStep.LENGTH)
    kiosk.tap(text("filing_request.length.days", "zh", days=90))
    assert kiosk.wait_until(lambda: step(kiosk) is FilingStep.CONFIRM)
    shown = kiosk.visible_texts()
    place = text("filing_request.confirm.place", "zh", province=province, city=city.name)
    assert place in shown
    kiosk.tap_text("filing_request.submit")
    kiosk.wait_for(State.FILING_REQUESTED)
    assert text("filing_request.done.pending", "zh") in kiosk.visible_texts()
    kiosk.tap_text("filing_request.done.filings")
    kiosk.wait_for(State.FILINGS)
    assert text("filing_status.pending", "zh") in kiosk.visible_texts()


def step(kiosk: KioskUnderTest) -> FilingStep | None:
    draft = kiosk.session.view.filing_draft
    return draft.step if draft is not None and kiosk.showing(State.FILING_FORM) else None


def day_in(kiosk: KioskUnderTest, days: int) -> str:
    from datetime import timedelta

    from ui.i18n import date_text

    draft = kiosk.session.view.filing_draft
    assert draft is not None
    return date_text(draft.today + timedelta(days=days))


def test_a_language_switch_keeps_the_citizen_id_typed(kiosk: KioskUnderTest) -> None:
    kiosk.wait_for(State.IDLE)
    kiosk.tap_text("loss.start")
    kiosk.wait_for(State.LOSS_ID)
    tap_keys(kiosk, "36042619")
    kiosk.tap_text("switch.language.name")
    assert kiosk.wait_until(lambda: kiosk.session.view.language == "en")
    pad = kiosk.window.screens[State.LOSS_ID].findChild(IdPad)
    assert pad is not None
    assert pad.typed == "36042619"

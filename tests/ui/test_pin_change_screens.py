"""The PIN change by tap, in the real window: the steps, a refused PIN's reason, the result,
every button named for assistive technology, in zh and en, normal and large text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.session.view import PinChangeStep, State
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest

Make = Callable[..., KioskUnderTest]
LI_KUN_PIN = "246135"


def step_shown(kiosk: KioskUnderTest, step: PinChangeStep) -> bool:
    view = kiosk.session.view
    return kiosk.showing(State.CHANGE_PIN) and view.pin_change_step is step


def unnamed_buttons(kiosk: KioskUnderTest) -> list[str]:
    return [name or "<unnamed>" for name in kiosk.button_names() if not name.strip()]


@pytest.mark.parametrize(("language", "elderly"), [("zh", False), ("en", True)])
def test_the_pin_change_by_tap(kiosk: KioskUnderTest, language: str, elderly: bool) -> None:
    kiosk.signed_in("li-kun", LI_KUN_PIN)
    if language == "en":
        kiosk.tap_text("switch.language.name")
    if elderly:
        kiosk.tap_text("switch.elderly.on")
    kiosk.wait_until(lambda: kiosk.session.view.language == language)
    if elderly:  # large text: the PIN change is on the overview's second page
        kiosk.tap_text("overview.more")
    kiosk.tap_text("nav.change_pin")
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.OLD))
    assert text("pin_change.title.old", language) in kiosk.visible_texts()
    assert text("pin_change.step", language, step=1) in kiosk.window.heading.text()
    assert not unnamed_buttons(kiosk)

    kiosk.type_pin(LI_KUN_PIN)
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.NEW))
    assert text("pin_change.rules", language) in kiosk.visible_texts()
    kiosk.type_pin("888888")
    assert kiosk.wait_until(lambda: kiosk.session.view.pin_change_refused is not None)
    assert text("pin_change.weak.one_digit", language) in kiosk.visible_texts()

    kiosk.type_pin("731964")
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.REPEAT))
    assert text("pin_change.title.repeat", language) in kiosk.visible_texts()
    kiosk.type_pin("731964")
    kiosk.wait_for(State.PIN_CHANGED)
    assert text("pin_changed.title", language) in kiosk.visible_texts()
    assert not unnamed_buttons(kiosk)
    kiosk.tap_text("button.back")
    kiosk.wait_for(State.OVERVIEW)


def test_a_wrong_old_pin_is_said_on_the_first_step_again(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in("li-kun", LI_KUN_PIN)
    kiosk.tap_text("nav.change_pin")
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.OLD))
    for digits in ("000000", "731964", "731964"):
        kiosk.type_pin(digits)
        kiosk.wait_until(lambda: kiosk.session.view.busy is None)
    assert kiosk.wait_until(lambda: kiosk.session.view.pin_wrong)
    assert step_shown(kiosk, PinChangeStep.OLD)
    assert text("pin_change.old_wrong", "zh", tries=2) in kiosk.visible_texts()


def test_keep_my_pin_goes_back_to_the_overview(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in("li-kun", LI_KUN_PIN)
    kiosk.tap_text("nav.change_pin")
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.OLD))
    kiosk.type_pin(LI_KUN_PIN)
    assert kiosk.wait_until(lambda: step_shown(kiosk, PinChangeStep.NEW))
    kiosk.tap_text("pin_change.cancel")
    kiosk.wait_for(State.OVERVIEW)
    assert kiosk.balance_shown()

"""The frame round every screen (issue 18): the four steps with the current one marked by more
than colour and named for assistive technology, the service and the place at the top, and
the hotlines at the foot."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from kiosk.session.view import State
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest
from ui.frame import STEPS, current_step

LOCATION = "测试社区卫生服务中心"  # realparts.config.rig_config's place


@pytest.mark.parametrize(
    ("state", "card_in", "step"),
    [
        (State.IDLE, False, 1),
        (State.READING, True, 1),
        (State.PIN_ENTRY, True, 2),
        (State.OVERVIEW, True, 3),
        (State.HISTORY, True, 3),
        (State.CHANGE_PIN, True, 3),
        (State.PRINTING, True, 3),
        (State.TAKE_CARD, True, 4),
        (State.CARD_PROBLEM, True, 4),  # a card that cannot be used: take it
        (State.CARD_PROBLEM, False, None),
        (State.LOSS_ID, False, None),  # no card in this errand
        (State.MAINTENANCE, False, None),
        (State.SERVICE_UNAVAILABLE, False, None),
    ],
)
def test_each_screen_is_one_of_the_four_steps_or_none(
    state: State, card_in: bool, step: int | None
) -> None:
    assert current_step(state, card_in) == step


def marks(kiosk: KioskUnderTest) -> list[tuple[str, str]]:
    return [(str(s.property("role")), s.text()) for s in kiosk.window.frame.steps.steps]


def test_the_current_step_is_pointed_at_boxed_bold_underlined_and_said(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.wait_for(State.IDLE)
    steps = kiosk.window.frame.steps
    assert steps.isVisible()
    assert marks(kiosk) == [
        ("step-current", "▶ 1 插卡"),
        ("step", "2 输入密码"),
        ("step", "3 查询"),
        ("step", "4 退卡"),
    ]
    current: QLabel = steps.steps[0]
    assert current.font().bold()  # not by colour alone
    assert current.font().underline()
    assert not steps.steps[1].font().bold()
    assert current.accessibleName() == text("frame.step.current", "zh", step=1, name="插卡")
    kiosk.signed_in()
    assert [role for role, _ in marks(kiosk)] == ["step", "step", "step-current", "step"]
    assert marks(kiosk)[0][1] == "✓ 1 插卡"  # done, and said so
    assert steps.steps[0].accessibleName() == text("frame.step.done", "zh", step=1, name="插卡")
    assert steps.accessibleDescription() == "第 3 步，共 4 步：查询"
    kiosk.tap_text("switch.language.name")
    assert steps.accessibleDescription() == "Step 3 of 4: View"
    assert [words for _, words in marks(kiosk)] == [
        "✓ 1 Insert card",
        "✓ 2 Enter PIN",
        "▶ 3 View",
        "4 Take card",
    ]
    kiosk.tap_text("button.finish")
    kiosk.wait_for(State.TAKE_CARD)
    assert steps.current == len(STEPS)


def test_the_place_the_service_and_the_hotlines_frame_every_screen(
    kiosk: KioskUnderTest,
) -> None:
    frame = kiosk.window.frame
    kiosk.wait_for(State.IDLE)  # the heading is the service's name: the line says the place
    assert kiosk.window.heading.text() == text("frame.service", "zh")
    assert frame.where.accessibleName() == LOCATION
    assert frame.foot.isVisible()
    assert frame.foot.text() == text("hotline", "zh")
    kiosk.signed_in()
    assert frame.where.accessibleName() == f"{text('frame.service', 'zh')} · {LOCATION}"
    assert frame.where.isVisible()
    assert frame.foot.text() == text("hotline", "zh")


def test_a_loss_report_without_a_card_shows_no_steps_but_keeps_the_frame(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.wait_for(State.IDLE)
    kiosk.tap_text("loss.start")
    kiosk.wait_for(State.LOSS_ID)
    assert not kiosk.window.frame.steps.isVisible()
    assert kiosk.window.frame.where.isVisible()
    assert kiosk.window.frame.foot.isVisible()


def test_a_place_too_long_for_the_line_ends_in_an_ellipsis_and_keeps_its_words(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.wait_for(State.IDLE)
    where = kiosk.window.frame.where
    long_place = "很长的地名" * 60
    where.set_words(long_place)
    assert where.text().endswith("…")
    assert where.fontMetrics().horizontalAdvance(where.text()) <= where.contentsRect().width()
    assert where.accessibleName() == long_place

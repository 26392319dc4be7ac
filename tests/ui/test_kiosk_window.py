"""Every screen and transition, driven by taps on the real window (virtual reader, SQLite)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.masking import mask_name
from kiosk.session.view import State
from printing.problems import PrinterProblemKind
from realparts.printer import FaultyPrinter
from tests.ui.conftest import ADMIN_PIN, KioskUnderTest
from ui.i18n import text, yuan
from ui.screens.history import rows_that_fit
from ui.theme import Theme
from ui.widgets.pin_pad import PinPad

Make = Callable[..., KioskUnderTest]

# The heading of the screen a button opens reads as the button did (issue 18).
NAVIGATION = [
    ("消费记录", State.HISTORY, "消费记录"),
    ("缴费记录", State.CONTRIBUTIONS, "缴费记录"),
    ("年度明细", State.ANNUAL, "2026 年度明细"),
    ("家庭共济", State.FAMILY_AID, "家庭共济"),
    ("异地就医备案", State.FILINGS, "异地就医备案"),
    ("请核对的扣费", State.FLAGGED, "请核对的扣费"),
]


def balance_text(kiosk: KioskUnderTest) -> str:
    label = kiosk.screen(State.OVERVIEW).findChild(QLabel, "balance")
    assert label is not None
    return label.text()


def test_the_start_screen_asks_for_the_card(kiosk: KioskUnderTest) -> None:
    kiosk.wait_for(State.IDLE)
    assert "请插入社会保障卡" in kiosk.visible_texts()
    kiosk.tap("切换为英文")
    assert "Please insert your social-security card" in kiosk.visible_texts()


def test_card_pin_and_the_balance_as_the_largest_thing(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    assert "还可以输入 3 次" in kiosk.visible_texts()
    kiosk.type_pin("123456")
    kiosk.wait_for(State.OVERVIEW)
    expected = kiosk.parts.accounts.summary("A32010001").balance
    assert balance_text(kiosk) == yuan(expected)
    assert kiosk.window.heading.text() == "张*，您好"
    balance = kiosk.screen(State.OVERVIEW).findChild(QLabel, "balance")
    assert balance is not None
    biggest = max(
        (w for w in kiosk.window.findChildren(QLabel) if w.isVisible() and w.text()),
        key=lambda w: w.fontInfo().pixelSize(),
    )
    assert biggest is balance


@pytest.mark.parametrize(("tap", "state", "heading"), NAVIGATION)
def test_each_account_screen_opens_by_tap_and_goes_back(
    kiosk: KioskUnderTest, tap: str, state: State, heading: str
) -> None:
    kiosk.signed_in()
    kiosk.tap(tap)
    kiosk.wait_for(state)
    assert kiosk.window.heading.text() == heading
    kiosk.tap("返回")
    kiosk.wait_for(State.OVERVIEW)


def test_history_pages_and_filters_by_tap(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    kiosk.tap("消费记录")
    kiosk.wait_for(State.HISTORY)
    assert any(t.startswith("第 1 / ") for t in kiosk.visible_texts())
    kiosk.tap("下一页")
    kiosk.qtbot.waitUntil(lambda: any(t.startswith("第 2 / ") for t in kiosk.visible_texts()))
    kiosk.tap("药店购药")
    kiosk.qtbot.waitUntil(lambda: any(t.startswith("第 1 / ") for t in kiosk.visible_texts()))
    history = kiosk.session.view.history
    assert history is not None
    shown = [t for t in kiosk.visible_texts() if t.endswith("药店购药") and t[:4].isdigit()]
    assert len(shown) == len(history.entries) > 0


def test_flagged_charges_carry_an_icon_a_word_and_what_to_do(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    kiosk.tap("请核对的扣费")
    kiosk.wait_for(State.FLAGGED)
    texts = kiosk.visible_texts()
    assert "! 请核对" in texts
    assert text("history.flag_what", "zh") in texts


def test_printing_then_take_card_then_start(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    kiosk.tap("打印凭条")
    kiosk.wait_for(State.TAKE_CARD)
    assert "凭条已打印，请一并取走。" in kiosk.visible_texts()
    spooled = list((kiosk.config.data_dir / "receipts").glob("*.pdf"))
    assert len(spooled) == 1
    assert "A32010001" not in spooled[0].name
    kiosk.remove()
    kiosk.wait_for(State.IDLE)


def test_a_printer_out_of_paper_is_said_plainly(make_kiosk: Make) -> None:
    kiosk = make_kiosk(printer=FaultyPrinter(PrinterProblemKind.MEDIA_EMPTY))
    kiosk.signed_in()
    kiosk.tap("打印凭条")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.problem is not None)
    assert any("缺纸" in t for t in kiosk.visible_texts())
    kiosk.tap("返回我的账户")
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap("结束并退卡")
    kiosk.wait_for(State.TAKE_CARD)


def test_a_wrong_pin_says_how_many_tries_are_left(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.type_pin("000000")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.pin_wrong)
    assert text("pin.wrong", "zh", tries=2) in kiosk.visible_texts()


def test_clear_empties_the_pin_and_ok_needs_four_digits(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    for digit in "123":
        kiosk.tap(f"数字 {digit}")
    confirm = kiosk.buttons("确认")[0]
    assert not confirm.isEnabled()
    kiosk.tap("数字 4")
    assert confirm.isEnabled()
    kiosk.tap("清除")
    assert not confirm.isEnabled()
    assert "已输入 0 位" in kiosk.texts()


@pytest.mark.parametrize(
    ("key", "words"),
    [("blocked-pin", "密码已锁定"), ("not-ssse", "不是社会保障卡"), ("expired", "过有效期")],
)
def test_unusable_cards_say_what_happened_and_where_to_go(
    kiosk: KioskUnderTest, key: str, words: str
) -> None:
    kiosk.insert(key)
    kiosk.wait_for(State.CARD_PROBLEM)
    texts = kiosk.visible_texts()
    assert any(words in t for t in texts)
    assert text("problem.where", "zh") in texts
    problem = kiosk.session.view.problem
    assert problem is not None
    title = text(f"problem.title.{problem.kind.value}", "zh")
    assert title in texts  # a title of its own, not one for every problem
    assert "请取回卡片" in texts  # an instruction with the card drawn, not a button
    assert not kiosk.buttons("请取回卡片")
    kiosk.remove()  # taking the card out is the answer
    kiosk.wait_for(State.IDLE)


def test_a_lost_card_replaces_the_pin_pad_before_any_pin_is_sent(kiosk: KioskUnderTest) -> None:
    seen: list[State] = []
    kiosk.session.subscribe(lambda view: seen.append(view.state))
    kiosk.insert("lost-card")
    kiosk.wait_for(State.CARD_PROBLEM)
    assert State.PIN_ENTRY in seen  # the pad came first, then the store's word on the card
    assert any("挂失" in t for t in kiosk.visible_texts())


def test_language_and_large_text_switch_with_one_tap_on_every_screen(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.signed_in()
    for tap, state, _heading in NAVIGATION:
        kiosk.tap(tap)
        kiosk.wait_for(state)
        kiosk.tap("切换为英文")
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.language == "en")
        assert "Back" in kiosk.visible_texts()
        kiosk.tap("Large text")
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.elderly)
        kiosk.tap("Normal text")
        kiosk.tap("Switch to Chinese")
        kiosk.qtbot.waitUntil(lambda: kiosk.session.view.language == "zh")
        kiosk.tap("返回")
        kiosk.wait_for(State.OVERVIEW)


def test_the_idle_warning_offers_more_time_then_wipes(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    settings = kiosk.session.settings
    kiosk.clock.advance(settings.idle_seconds + 1)
    kiosk.qtbot.waitUntil(kiosk.window.idle_warning.isVisible)
    kiosk.tap("我需要更多时间")
    kiosk.qtbot.waitUntil(lambda: not kiosk.window.idle_warning.isVisible())
    assert kiosk.session.view.state is State.OVERVIEW
    kiosk.clock.advance(settings.idle_seconds + settings.idle_warning_seconds + 1)
    kiosk.wait_for(State.TAKE_CARD)
    assert "12,502" not in " ".join(kiosk.texts())
    assert not kiosk.window.idle_warning.isVisible()


def test_the_take_card_reminder_repeats(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()
    kiosk.tap("结束并退卡")
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.clock.advance(kiosk.session.settings.take_card_reminder_seconds)
    kiosk.qtbot.waitUntil(lambda: "请记得取回卡片！" in kiosk.visible_texts())


def _reach(kiosk: KioskUnderTest, state: State) -> None:
    kiosk.insert("zhang-wei")
    if state is State.READING:
        return
    kiosk.wait_for(State.PIN_ENTRY)
    if state is State.PIN_ENTRY:
        return
    kiosk.type_pin("123456")
    kiosk.wait_for(State.OVERVIEW)
    taps = {s: t for t, s, _h in NAVIGATION} | {State.TAKE_CARD: "结束并退卡"}
    if state in taps:
        kiosk.tap(taps[state])
        kiosk.wait_for(state)


@pytest.mark.parametrize(
    "state",
    [
        State.PIN_ENTRY,
        State.OVERVIEW,
        State.HISTORY,
        State.CONTRIBUTIONS,
        State.ANNUAL,
        State.FAMILY_AID,
        State.FILINGS,
        State.FLAGGED,
        State.TAKE_CARD,
    ],
)
def test_a_pulled_card_leaves_no_personal_data_in_any_widget_within_300_ms(
    kiosk: KioskUnderTest, state: State
) -> None:
    summary = kiosk.parts.accounts.summary("A32010001")
    personal = [
        summary.person_name,
        mask_name(summary.person_name),
        yuan(summary.balance),
        summary.citizen_id,
        summary.card_number,
    ]
    _reach(kiosk, state)
    pulled = time.monotonic()
    kiosk.remove()

    def wiped() -> bool:
        everything = " ".join(kiosk.texts())
        return kiosk.session.view.state is State.IDLE and not any(p in everything for p in personal)

    kiosk.qtbot.waitUntil(wiped, timeout=300)
    assert time.monotonic() - pulled < 0.3


def test_maintenance_opens_with_a_long_press_and_the_admin_pin(kiosk: KioskUnderTest) -> None:
    kiosk.wait_for(State.IDLE)
    kiosk.window._hold.setInterval(100)  # the real hold is 5 s
    corner = kiosk.window.maintenance_corner
    kiosk.qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    kiosk.wait_for(State.MAINTENANCE_PIN)
    kiosk.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    kiosk.type_pin("111111")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.admin_pin_wrong)
    kiosk.type_pin(ADMIN_PIN)
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.maintenance is not None)
    texts = kiosk.visible_texts()
    assert "读卡器：ok (1)" in texts
    assert "账户库：ok" in texts
    kiosk.tap("已换纸卷")
    kiosk.tap("退出自助程序")
    kiosk.qtbot.waitUntil(lambda: kiosk.exited)


def test_a_short_press_on_the_corner_does_nothing(kiosk: KioskUnderTest, qtbot: QtBot) -> None:
    kiosk.window._hold.setInterval(300)
    corner = kiosk.window.maintenance_corner
    qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    qtbot.wait(400)
    assert kiosk.session.view.state is State.IDLE


def test_keyboard_shortcuts_and_close_requests_cannot_leave_the_kiosk(
    kiosk: KioskUnderTest, qtbot: QtBot
) -> None:
    qtbot.keyClick(kiosk.window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(kiosk.window, Qt.Key.Key_Escape)
    assert not kiosk.window.close()
    assert kiosk.window.isVisible()


def test_a_retiree_sees_allocations_not_a_zero_contribution_base(kiosk: KioskUnderTest) -> None:
    kiosk.signed_in()  # 张伟 is retired
    kiosk.tap("缴费记录")
    kiosk.wait_for(State.CONTRIBUTIONS)
    texts = kiosk.visible_texts()
    assert "退休划拨" in texts
    assert not any(t.startswith("缴费基数 ¥0.00") for t in texts)


def test_the_idle_warning_dims_the_screen_and_a_tap_on_it_is_more_time(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.signed_in()
    kiosk.clock.advance(kiosk.session.settings.idle_seconds + 1)
    kiosk.qtbot.waitUntil(kiosk.window.idle_warning.isVisible)
    dim = kiosk.window.idle_warning.dim
    assert dim.isVisible()
    assert dim.geometry() == kiosk.window.centralWidget().rect()  # the whole screen behind
    QTest.mouseClick(dim, Qt.MouseButton.LeftButton)
    kiosk.qtbot.waitUntil(lambda: not kiosk.window.idle_warning.isVisible())
    assert not dim.isVisible()
    assert kiosk.session.view.state is State.OVERVIEW


def test_switching_language_or_text_size_keeps_the_digits_typed(kiosk: KioskUnderTest) -> None:
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    kiosk.type_pin("123", confirm=False)
    kiosk.tap("切换为英文")
    kiosk.tap_text("switch.elderly.on")
    pad = kiosk.window.screens[State.PIN_ENTRY].findChild(PinPad)
    assert pad is not None
    assert pad.entered == 3
    kiosk.type_pin("456")
    kiosk.wait_for(State.OVERVIEW)


def test_the_top_bar_shows_the_time_left_and_the_start_screen_the_service(
    kiosk: KioskUnderTest,
) -> None:
    kiosk.wait_for(State.IDLE)
    assert kiosk.window.heading.text() == text("frame.service", "zh")
    assert not kiosk.window.time_left.isVisible()
    kiosk.signed_in()
    kiosk.qtbot.waitUntil(kiosk.window.time_left.isVisible)
    left = kiosk.session.seconds_left()
    assert left is not None
    assert kiosk.window.time_left.text() == text("frame.time_left", "zh", seconds=left)


def test_the_history_fills_the_height_it_has(make_kiosk: Make) -> None:
    rows = {}
    for size in ((1280, 800), (1920, 1080)):
        kiosk = make_kiosk(size=size)
        kiosk.signed_in()
        kiosk.tap("消费记录")
        kiosk.wait_for(State.HISTORY)
        page = kiosk.session.view.history
        assert page is not None
        rows[size] = len(page.entries)
        assert rows[size] == rows_that_fit(size[1], Theme.for_mode(False, height=size[1]))
        kiosk.remove()
    assert rows[(1920, 1080)] > rows[(1280, 800)]

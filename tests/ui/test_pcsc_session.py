"""The same session through the real reader stack: pcscd + vpcd + our simulator, by taps."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from card_reader.backends.pcsc import PcscBackend
from card_reader.simulator import build_card, profile
from kiosk.session.view import ProblemKind, State
from realparts.pcscd import VpcdReader
from tests.ui.conftest import KioskUnderTest
from ui.i18n import yuan

pytestmark = pytest.mark.integration


def test_a_whole_session_through_pcscd_from_card_in_to_card_out(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    kiosk.wait_for(State.IDLE)
    vpcd_reader.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin("000000")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.pin_wrong, timeout=5000)
    assert kiosk.session.view.pin_tries_left == 2
    kiosk.type_pin("123456")
    kiosk.wait_for(State.OVERVIEW)
    expected = yuan(kiosk.parts.accounts.summary("A32010001").balance)
    assert expected in kiosk.visible_texts()
    kiosk.tap("消费记录")
    kiosk.wait_for(State.HISTORY)
    kiosk.tap("返回")
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap("打印凭条")
    kiosk.wait_for(State.TAKE_CARD)
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)
    assert expected not in " ".join(kiosk.texts())


def test_a_card_pulled_through_pcscd_wipes_the_screen(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    vpcd_reader.insert("li-kun")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin("246135")
    kiosk.wait_for(State.OVERVIEW)
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=3000)
    assert "李*" not in " ".join(kiosk.texts())


def test_a_pin_gated_card_through_pcscd_reaches_the_pin_pad_and_the_balance(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    vpcd_reader.insert("pin-gated")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    assert kiosk.session.view.problem is None
    kiosk.type_pin(profile("pin-gated").pin)
    kiosk.wait_for(State.OVERVIEW)
    card_number = profile("pin-gated").card_number
    expected = yuan(kiosk.parts.accounts.summary(card_number).balance)
    shown = kiosk.visible_texts()
    assert expected in shown
    region = profile("pin-gated").region_code
    assert any(region in text and "发卡地区" in text for text in shown), shown
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)


def test_a_blocked_pin_gated_card_through_pcscd_gets_the_blocked_pin_screen(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    vpcd_reader.insert("pin-gated-blocked")
    kiosk.wait_for(State.CARD_PROBLEM, timeout=10_000)
    problem = kiosk.session.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.PIN_BLOCKED
    assert any("密码已锁定" in text and "12333" in text for text in kiosk.visible_texts())
    assert not any("损坏" in text for text in kiosk.visible_texts())


def test_a_card_that_stops_answering_through_pcscd_gets_a_clear_screen_in_time(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    kiosk.wait_for(State.IDLE)
    vpcd_reader.insert("mute-card")  # answers the probe, then nothing
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    started = time.monotonic()
    kiosk.wait_for(State.CARD_PROBLEM, timeout=15_000)
    elapsed = time.monotonic() - started
    problem = kiosk.session.view.problem
    assert problem is not None
    assert problem.kind is ProblemKind.NOT_RESPONDING
    assert any("卡片没有响应" in text for text in kiosk.visible_texts())
    assert elapsed < 10
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)


def test_after_the_session_the_card_in_the_reader_is_no_longer_verified(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    reader = vpcd_reader.insert("pin-gated")
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin(profile("pin-gated").pin)
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap("结束并退卡")
    kiosk.wait_for(State.TAKE_CARD)
    kiosk.drain()  # the kiosk's disconnect (SCARD_RESET_CARD) has run on the worker
    # Another program on the machine opens the card left in the reader.
    connection = PcscBackend("Virtual PCD").connect(reader)
    try:
        for command in ("00A404000F7378312E73682EC9E7BBE1B1A3D5CF", "00A4020002EF06"):
            connection.transmit(bytes.fromhex(command))
        answer = connection.transmit(bytes.fromhex("00B2080014"))
    finally:
        connection.disconnect()
    assert answer[-2:] == bytes.fromhex("6982")  # the PIN has to be given again
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)


def test_a_pin_changed_by_tap_through_pcscd_is_the_pin_of_the_card_next_time(
    make_kiosk: Callable[..., KioskUnderTest], vpcd_reader: VpcdReader
) -> None:
    """Old, new and new again on the window's pad; the card is pulled, served to vpcd again,
    and only the new PIN opens it."""
    card = build_card(profile("li-kun"))
    kiosk = make_kiosk(backend=PcscBackend("Virtual PCD"))
    vpcd_reader.insert(card)
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin("246135")
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap("修改密码")
    for digits in ("246135", "731964", "731964"):
        kiosk.wait_until(lambda: kiosk.showing(State.CHANGE_PIN))
        kiosk.type_pin(digits)
    kiosk.wait_for(State.PIN_CHANGED, timeout=10_000)
    kiosk.tap("结束并退卡")
    kiosk.wait_for(State.TAKE_CARD)
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)

    vpcd_reader.insert(card)
    kiosk.wait_for(State.PIN_ENTRY, timeout=10_000)
    kiosk.type_pin("246135")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.pin_wrong, timeout=5000)
    assert kiosk.session.view.pin_tries_left == 2
    kiosk.type_pin("731964")
    kiosk.wait_for(State.OVERVIEW)
    vpcd_reader.remove()
    kiosk.wait_for(State.IDLE, timeout=5000)

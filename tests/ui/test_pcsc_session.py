"""The same session through the real reader stack: pcscd + vpcd + our simulator, by taps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from card_reader.backends.pcsc import PcscBackend
from kiosk.session_view import State
from tests.realparts.pcscd import VpcdReader
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

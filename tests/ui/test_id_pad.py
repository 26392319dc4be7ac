"""The citizen ID keypad: checked as each key is pressed, X only last, Next only when valid."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk import citizen_id_entry as entry
from kiosk.words import text
from ui.widgets.id_pad import IdPad

TODAY = date(2026, 12, 1)
VALID = "360426199101010071"  # card-profile.md's valid example
VALID_X = "11010519491231002X"


def make_pad(qtbot: QtBot) -> tuple[IdPad, list[str]]:
    done: list[str] = []
    pad = IdPad("zh", TODAY, done.append, lambda: None)
    qtbot.addWidget(pad)
    pad.show()
    return pad, done


def press_all(qtbot: QtBot, pad: IdPad, keys: str) -> None:
    for key in keys:
        qtbot.mouseClick(pad.keys[key], Qt.MouseButton.LeftButton)


def test_a_valid_id_opens_next_and_is_handed_over_once(qtbot: QtBot) -> None:
    pad, done = make_pad(qtbot)
    press_all(qtbot, pad, VALID[:17])
    assert not pad.next.isEnabled()
    press_all(qtbot, pad, VALID[17])
    assert pad.problem.text() == ""
    assert pad.shown.text() == "360426 19910101 0071"
    assert pad.next.isEnabled()
    qtbot.mouseClick(pad.next, Qt.MouseButton.LeftButton)
    assert done == [VALID]
    assert pad.typed == ""  # nothing of it stays in the pad


def test_x_is_a_key_only_for_the_last_character(qtbot: QtBot) -> None:
    pad, done = make_pad(qtbot)
    assert not pad.keys["X"].isEnabled()
    press_all(qtbot, pad, VALID_X[:17])
    assert pad.keys["X"].isEnabled()
    press_all(qtbot, pad, "X")
    assert pad.next.isEnabled()
    qtbot.mouseClick(pad.next, Qt.MouseButton.LeftButton)
    assert done == [VALID_X]


def test_a_wrong_check_character_is_said_at_once_and_delete_mends_it(qtbot: QtBot) -> None:
    pad, _ = make_pad(qtbot)
    press_all(qtbot, pad, "360426199101010072")
    assert pad.problem.text() == text("id_entry.problem.check_character", "zh")
    assert not pad.next.isEnabled()
    qtbot.mouseClick(pad.keys["delete"], Qt.MouseButton.LeftButton)
    press_all(qtbot, pad, "1")
    assert pad.problem.text() == ""
    assert pad.next.isEnabled()


@pytest.mark.parametrize("birth", ["19911301", "20270101", "18991231", "19910230"])
def test_a_birth_date_that_cannot_be_is_said_once_its_digits_are_in(
    qtbot: QtBot, birth: str
) -> None:
    pad, _ = make_pad(qtbot)
    press_all(qtbot, pad, "360426" + birth[:7])
    assert pad.problem.text() == ""
    press_all(qtbot, pad, birth[7])
    assert pad.problem.text() == text("id_entry.problem.birth_date", "zh")


def test_the_typed_count_is_read_to_assistive_technology(qtbot: QtBot) -> None:
    pad, _ = make_pad(qtbot)
    press_all(qtbot, pad, "3604")
    assert pad.shown.accessibleName() == text("loss.id.typed", "zh", count=4, grouped="3604")


def test_the_rules_agree_with_the_card_readers_checksum() -> None:
    assert entry.complete(VALID, TODAY)
    assert entry.complete("120103198806018241", TODAY)
    assert not entry.complete("360426199101010072", TODAY)
    assert entry.problem("3604X", TODAY) is entry.IdEntryProblem.X_NOT_LAST

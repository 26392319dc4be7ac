"""The window speaks each screen as it appears, a tone for every PIN key and never a digit,
each list row the keypad's ring lands on, and the person reaches speech from the top bar and
the tactile keypad."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from card_reader.simulator import profile
from kiosk.session.view import State
from kiosk.speech.reading import date_words, money_words
from kiosk.speech.spoken import spoken_row, spoken_text
from kiosk.words import text
from tests.ui.conftest import KioskUnderTest
from ui.widgets.basics import RING_STOP


@dataclass
class RecordingSpeaker:
    """A SpeechOutput that keeps what it was asked to do."""

    volume: int = 80
    rate: float = 1.0
    enabled: bool = False
    said: list[tuple[str, str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def say(self, words: str, language: str) -> None:
        self.said.append((words, language))

    def repeat(self) -> None:
        self.calls.append("repeat")

    def stop(self) -> None:
        self.calls.append("stop")

    def forget(self) -> None:
        self.calls.append("forget")

    def tone(self) -> None:
        self.calls.append("tone")

    def close(self) -> None:
        self.calls.append("close")


def test_each_screen_is_said_as_it_appears_and_pin_keys_only_tone(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.wait_for(State.IDLE)
    assert speaker.said[-1] == (spoken_text(kiosk.session.view), "zh")
    kiosk.insert("zhang-wei")
    kiosk.wait_for(State.PIN_ENTRY)
    assert speaker.said[-1] == (spoken_text(kiosk.session.view), "zh")
    speaker.calls.clear()
    kiosk.type_pin("123456")
    assert speaker.calls.count("tone") == 6  # one tone a digit, the same for each
    kiosk.wait_for(State.OVERVIEW)
    overview_words = spoken_text(kiosk.session.view)
    assert speaker.said[-1] == (overview_words, "zh")
    assert all("123456" not in words for words, _ in speaker.said)
    kiosk.tap_text("speech.button.name")
    kiosk.tap_text("speech.repeat")
    assert speaker.calls[-1] == "repeat"


def test_speech_from_the_top_bar_and_from_the_keypad(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.wait_for(State.IDLE)
    kiosk.tap_text("speech.button.name")  # the top bar's one button opens the panel
    assert kiosk.window.speech_panel.isVisible()
    assert not [name for name in kiosk.button_names() if not name.strip()]
    kiosk.tap_text("speech.switch.on")
    assert speaker.enabled
    assert speaker.calls[-1] == "repeat"  # says the screen now
    assert kiosk.buttons(text("speech.switch.off", "zh"))  # the switch says what it does
    kiosk.tap_text("speech.louder")
    assert speaker.volume == 90
    assert text("speech.panel.level", "zh", volume=90, rate="1") in kiosk.visible_texts()
    kiosk.tap_text("speech.slower")
    assert speaker.rate == 0.75
    kiosk.tap_text("speech.panel.close")
    assert not kiosk.window.speech_panel.isVisible()
    speaker.rate, speaker.volume = 1.0, 80
    QTest.keyClick(kiosk.window, Qt.Key.Key_Asterisk)  # the keypad's speech key: off
    assert not speaker.enabled
    QTest.keyClick(kiosk.window, Qt.Key.Key_Plus)
    assert speaker.volume == 90
    QTest.keyClick(kiosk.window, Qt.Key.Key_Minus)
    QTest.keyClick(kiosk.window, Qt.Key.Key_Minus)
    assert speaker.volume == 70
    QTest.keyClick(kiosk.window, Qt.Key.Key_Slash)
    assert speaker.rate == 1.25


def test_the_person_leaving_drops_the_words(make_kiosk: Callable[..., KioskUnderTest]) -> None:
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.signed_in()
    speaker.calls.clear()
    kiosk.remove()
    kiosk.wait_for(State.IDLE)
    assert "forget" in speaker.calls


def test_the_keypad_ring_says_the_button_it_is_on(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.signed_in()
    QTest.keyClick(kiosk.window, Qt.Key.Key_Tab)
    ringed = kiosk.window.keypad.ringed
    assert ringed is not None
    assert speaker.said[-1] == (ringed.accessibleName(), "zh")
    QTest.keyClick(kiosk.window, Qt.Key.Key_Tab)
    assert kiosk.window.keypad.ringed is not ringed
    assert speaker.said[-1][0] == kiosk.window.keypad.ringed.accessibleName()


def test_a_history_row_the_keypad_ring_lands_on_is_said_with_its_date_place_and_amount(
    make_kiosk: Callable[..., KioskUnderTest],
) -> None:
    speaker = RecordingSpeaker()
    kiosk = make_kiosk(speaker=speaker)
    kiosk.signed_in()
    kiosk.tap_text("nav.history")
    kiosk.wait_for(State.HISTORY)
    page = kiosk.session.view.history
    assert page is not None
    keypad = kiosk.window.keypad
    rows = [stop for stop in keypad.stops() if stop.property(RING_STOP)]
    assert len(rows) == len(page.entries)  # every row is a stop of the ring
    for _ in keypad.stops():
        if keypad.ringed is rows[0]:
            break
        QTest.keyClick(kiosk.window, Qt.Key.Key_Down)
    assert keypad.ringed is rows[0]
    assert rows[0].property("keyfocus") == "true"  # the ring is drawn on the row
    first = page.entries[0]
    said = spoken_row(first, "zh")
    assert speaker.said[-1] == (said, "zh")
    assert rows[0].accessibleName() == said  # what a screen reader says, too
    assert date_words(first.posted_at.date(), "zh") in said
    assert money_words(first.amount, "zh") in said
    # Its place: the clinic, or the family member as the screen masks them (said 张某梅).
    place = first.institution_name or (first.counterpart or "").replace("*", "某")
    assert place
    assert place in said
    QTest.keyClick(kiosk.window, Qt.Key.Key_Down)  # the next row, said in its turn
    assert speaker.said[-1] == (spoken_row(page.entries[1], "zh"), "zh")
    QTest.keyClick(kiosk.window, Qt.Key.Key_Return)  # Enter on a row: said again
    assert speaker.said[-1] == speaker.said[-2]
    assert kiosk.showing(State.HISTORY)
    card = profile("zhang-wei")
    for words, _ in speaker.said:  # never the card's number or the person's ID
        assert card.card_number not in words
        assert card.citizen_id not in words

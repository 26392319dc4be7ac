"""The whole session from a tactile keypad (a USB keypad is a keyboard to Qt).

Digits go into the pad on screen (the PIN pad or the citizen ID pad), Clear (Backspace or
Delete) takes the last digit back, arrows and Tab move a visible focus ring between the
screen's buttons and the rows of its list in reading order (saying each, as a screen reader
says the focus), Enter presses the ringed button (or confirms the pad, or says the ringed row
again), and Cancel (Escape) goes back the way the screen's own back button would. Nothing
keeps Qt focus (touch first); the ring is ours, a property the theme draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QPushButton, QWidget

from kiosk.session import Session
from kiosk.session.view import State
from ui.widgets.basics import RING_STOP
from ui.widgets.id_pad import IdPad
from ui.widgets.pin_pad import PinPad

RING = "keyfocus"


class SpeechKeys(Protocol):
    """What the keypad's speech keys do (the window's speech controls)."""

    def toggle(self) -> None: ...
    def louder(self) -> None: ...
    def quieter(self) -> None: ...
    def next_rate(self) -> None: ...


NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Tab}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backtab}
ENTER_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
CLEAR_KEYS = {Qt.Key.Key_Backspace, Qt.Key.Key_Delete}
DIGIT_KEYS = {getattr(Qt.Key, f"Key_{digit}"): str(digit) for digit in range(10)}
# Speech without seeing the screen: * turns it on (and says the screen) or off, + and -
# are louder and quieter, / is slower or faster in turn.
SPEECH_KEYS = {
    Qt.Key.Key_Asterisk: "toggle",
    Qt.Key.Key_Plus: "louder",
    Qt.Key.Key_Minus: "quieter",
    Qt.Key.Key_Slash: "next_rate",
}
_TO_OVERVIEW = {
    State.HISTORY, State.CONTRIBUTIONS, State.ANNUAL, State.FAMILY_AID, State.FILINGS,
    State.FLAGGED, State.CHANGE_PIN,
}  # fmt: skip


class Keypad:
    """Turns key presses into what a tap would have done on the screen shown."""

    def __init__(
        self,
        session: Session,
        window: QWidget,
        speech: SpeechKeys | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.window = window
        self.speech = speech
        # Says the ringed button's name, as a screen reader says the focus (speech on).
        self.announce = announce
        self.ringed: QWidget | None = None

    def key(self, key: Qt.Key, shift: bool = False) -> bool:
        """Handle one key press; False for keys the kiosk does not use."""
        self.session.touch()
        if key in DIGIT_KEYS:
            return self._digit(DIGIT_KEYS[key])
        if key == Qt.Key.Key_X:  # the last character of a citizen ID
            return self._digit("X")
        if key in CLEAR_KEYS:
            return self._clear()
        if key in NEXT_KEYS or key in PREVIOUS_KEYS:
            backwards = key in PREVIOUS_KEYS or (key == Qt.Key.Key_Tab and shift)
            self._move(-1 if backwards else 1)
            return True
        if key in ENTER_KEYS:
            return self._enter()
        if key == Qt.Key.Key_Escape:
            self._cancel()
            return True
        if self.speech is not None and key in SPEECH_KEYS:
            getattr(self.speech, SPEECH_KEYS[key])()
            return True
        return False

    def screen_changed(self) -> None:
        """A new screen: its buttons are new widgets, so the ring starts again (and leaves
        the top bar's switches, which outlive screens)."""
        if self.ringed is not None and _alive(self.ringed):
            _set_ring(self.ringed, False)
        self.ringed = None

    # -- the keys ------------------------------------------------------------------------

    def _digit(self, digit: str) -> bool:
        pin_pad, id_pad = self._shown(PinPad), self._shown(IdPad)
        if isinstance(pin_pad, PinPad) and digit != "X":
            pin_pad.press(digit)
        elif isinstance(id_pad, IdPad):
            id_pad.press(digit)
        else:
            return False
        return True

    def _clear(self) -> bool:
        pin_pad, id_pad = self._shown(PinPad), self._shown(IdPad)
        if isinstance(pin_pad, PinPad):
            pin_pad.delete_last()
        elif isinstance(id_pad, IdPad):
            id_pad.delete()
        else:
            return False
        return True

    def _enter(self) -> bool:
        ringed = self.ringed
        if isinstance(ringed, QPushButton) and _usable(ringed):
            ringed.click()
            return True
        if ringed is not None and _alive(ringed) and ringed.isVisible():
            self._say(ringed)  # a row does nothing; Enter says it again
            return True
        pin_pad, id_pad = self._shown(PinPad), self._shown(IdPad)
        if isinstance(pin_pad, PinPad):
            pin_pad.confirm.click()
        elif isinstance(id_pad, IdPad):
            id_pad.next.click()
        else:
            return False
        return True

    def _move(self, step: int) -> None:
        stops = self.stops()
        if not stops:
            return
        if self.ringed in stops:
            index = (stops.index(self.ringed) + step) % len(stops)
        else:
            index = 0 if step > 0 else len(stops) - 1
        self._ring(stops[index])

    def _cancel(self) -> None:
        session, state = self.session, self.session.view.state
        back: Callable[[], None] | None = session.finish
        if state in _TO_OVERVIEW:
            back = lambda: session.show(State.OVERVIEW)  # noqa: E731
        elif state is State.OVERVIEW and session.view.elderly and session.view.overview_more:
            back = lambda: session.overview_more(False)  # noqa: E731
        elif state is State.FILING_FORM:
            back = session.filing_back
        elif state is State.FILING_REQUESTED:
            back = lambda: session.show(State.FILINGS)  # noqa: E731
        elif state in (State.MAINTENANCE, State.MAINTENANCE_PIN):
            back = session.leave_maintenance
        elif state is State.IDLE:
            back = None
        if back is not None:
            back()

    # -- the ring ------------------------------------------------------------------------

    def stops(self) -> list[QWidget]:
        """Where the ring stops, in reading order (top to bottom, left to right: the top
        bar's switches first): the buttons a person can press now, and the list's rows."""
        found: list[QWidget] = [b for b in self.window.findChildren(QPushButton) if _usable(b)]
        found += [
            row
            for row in self.window.findChildren(QFrame)
            if row.property(RING_STOP) and _alive(row) and row.isVisible()
        ]

        def reading_order(widget: QWidget) -> tuple[int, int]:
            at = widget.mapTo(self.window, widget.rect().topLeft())
            return at.y() // max(1, widget.height() // 2), at.x()

        return sorted(found, key=reading_order)

    def _ring(self, target: QWidget) -> None:
        if self.ringed is not None and _alive(self.ringed):
            _set_ring(self.ringed, False)
        self.ringed = target
        _set_ring(target, True)
        self._say(target)

    def _say(self, target: QWidget) -> None:
        """A button says its name; a row its words for the ear (never a card number: the
        rows carry kiosk.speech's words, which have none)."""
        if self.announce is not None:
            self.announce(target.accessibleName())

    def _shown(self, kind: type[QWidget]) -> QWidget | None:
        shown = [w for w in self.window.findChildren(kind) if w.isVisible()]
        return shown[0] if shown else None


def _usable(button: QPushButton) -> bool:
    return _alive(button) and button.isVisible() and button.isEnabled() and bool(button.text())


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:  # its C++ side is gone with the screen it was on
        return False
    return True


def _set_ring(widget: QWidget, on: bool) -> None:
    widget.setProperty(RING, "true" if on else "false")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()  # a list row draws its ring itself

"""Changing the card PIN (修改密码): old PIN, new PIN, new PIN again, then CHANGE PIN.

The three PINs are bytearrays handed over by the pad. The old and the new one wait here,
between the steps, and nowhere else: not in the View, not in a log. They are zeroed by the
CHANGE PIN step (card_reader.sscard zeroes what it packed) or, on any way out (back to the
overview, the card pulled, a timeout, a failure), by `forget`. A weak new PIN is refused
before anything goes to the card, with its reason (kiosk.pin_rules).
"""

from __future__ import annotations

from card_reader.errors import PinBlockedError
from card_reader.identity import PinResult, PinStatus
from kiosk.lanes import Lane
from kiosk.pin_rules import WeakPin, weakness
from kiosk.session.core import SessionCore
from kiosk.session.view import Busy, PinChangeStep, State

AUDIT_ACTION = "pin_change"


class PinChange:
    def __init__(self, core: SessionCore) -> None:
        self.core = core
        self._old = bytearray()
        self._new = bytearray()
        core.on_wipe.append(self.forget)

    def start(self) -> None:
        """From the overview: ask for the old PIN."""
        core = self.core
        if core.view.summary is None or core.card is None or core.card.card is None:
            return
        self.forget()
        core.go(State.CHANGE_PIN, pin_change_step=PinChangeStep.OLD, pin_change_refused=None)

    def submit(self, pin: bytearray) -> None:
        """The pad's digits for the step on screen; `pin` is ours from now on."""
        core = self.core
        step = core.view.pin_change_step
        if core.view.busy is not None or step is None:
            _zero(pin)
        elif step is PinChangeStep.OLD:
            self.forget()
            self._old = pin
            self._ask(PinChangeStep.NEW)
        elif step is PinChangeStep.NEW:
            self._take_new(pin)
        else:
            self._repeat(pin)

    def forget(self) -> None:
        _zero(self._old)
        _zero(self._new)
        self._old, self._new = bytearray(), bytearray()

    # -- the steps -----------------------------------------------------------------------

    def _ask(self, step: PinChangeStep, refused: WeakPin | None = None, **changes: object) -> None:
        self.core.go(State.CHANGE_PIN, pin_change_step=step, pin_change_refused=refused, **changes)

    def _take_new(self, pin: bytearray) -> None:
        entry = self.core.card
        reason = weakness(pin, self._old, entry.birth_date if entry else None)
        if reason is not None:
            _zero(pin)
            self.core.audit(f"refused_{reason.value}", AUDIT_ACTION)
            self._ask(PinChangeStep.NEW, reason)
            return
        self._new = pin
        self._ask(PinChangeStep.REPEAT)

    def _repeat(self, pin: bytearray) -> None:
        same = pin == self._new
        _zero(pin)
        if not same:
            _zero(self._new)
            self._new = bytearray()
            self._ask(PinChangeStep.NEW, WeakPin.MISMATCH)
            return
        core = self.core
        entry = core.card
        card = entry.card if entry is not None else None
        if card is None:
            self.forget()
            return
        old, new = self._old, self._new
        self._old, self._new = bytearray(), bytearray()
        generation = core.generation

        def change() -> PinResult | None:
            try:  # a session that ended while this waited for the card lane sends nothing
                return card.change_pin(old, new) if generation == core.generation else None
            finally:
                _zero(old)
                _zero(new)

        core.go(State.CHANGE_PIN, pin_change_step=PinChangeStep.REPEAT, busy=Busy.CHANGING_PIN)
        core.run(change, self._changed, lane=Lane.CARD)

    def _changed(self, result: PinResult | None) -> None:
        core = self.core
        if result is None:
            return
        if result.status is PinStatus.OK:
            core.audit("changed", AUDIT_ACTION)
            core.go(State.PIN_CHANGED)
        elif result.status is PinStatus.BLOCKED:
            core.audit("blocked", AUDIT_ACTION)
            core.failed(PinBlockedError("PIN blocked by a wrong old PIN"))
        else:
            core.audit("old_pin_wrong", AUDIT_ACTION)
            if core.card is not None:
                core.card.failed = True
            self._ask(PinChangeStep.OLD, pin_tries_left=result.tries_left, pin_wrong=True)


def _zero(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))

"""The card's PIN: a try counter that survives power cycles, VERIFY and CHANGE PIN."""

from __future__ import annotations

from card_reader.simulator.encoding import packed_pin

SW_OK = 0x9000
SW_BLOCKED = 0x6983


class PinCounter:
    """The reference PIN and its try counter (kept in the card's EEPROM: a reset keeps it)."""

    def __init__(self, pin: str, max_tries: int = 3, tries_left: int | None = None) -> None:
        if not 1 <= max_tries <= 15:
            raise ValueError("63Cx can count 1 to 15 tries")
        left = max_tries if tries_left is None else tries_left
        if not 0 <= left <= max_tries:
            raise ValueError(f"{left} tries left of {max_tries}")
        self._reference = packed_pin(pin)
        self.pin = pin
        self.max_tries = max_tries
        self.tries_left = left

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def remaining(self) -> int:
        """The status word of a tries probe: 63Cx, or 6983 once blocked."""
        return SW_BLOCKED if self.blocked else 0x63C0 | self.tries_left

    def present(self, data: bytes) -> int:
        """Compare `data` with the reference PIN: 9000 (counter refilled), 63Cx or 6983."""
        if self.blocked:
            return SW_BLOCKED
        if data == self._reference:
            self.tries_left = self.max_tries
            return SW_OK
        self.tries_left -= 1  # the last wrong try answers 63C0, later ones 6983
        return 0x63C0 | self.tries_left

    def change(self, old: bytes, new_pin: str) -> int:
        """CHANGE PIN: the old PIN counts down like VERIFY; on success the new one is stored."""
        result = self.present(old)
        if result == SW_OK:
            self._reference, self.pin = packed_pin(new_pin), new_pin
        return result

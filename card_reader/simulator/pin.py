"""The card's PIN: a try counter that survives power cycles, VERIFY and CHANGE PIN."""

from __future__ import annotations

from card_reader.simulator.encoding import packed_pin, unpacked_pin

SW_OK = 0x9000
SW_BLOCKED = 0x6983

# A PIN is 4 to 12 digits (card-profile.md, VERIFY): 2 to 6 packed-BCD bytes.
SHORTEST_PIN, LONGEST_PIN = 4, 12
SHORTEST_PACKED, LONGEST_PACKED = SHORTEST_PIN // 2, LONGEST_PIN // 2
# CHANGE PIN data: old || FF || new.
CHANGE_SEPARATOR = 0xFF
SHORTEST_CHANGE_DATA = 2 * SHORTEST_PACKED + 1
LONGEST_CHANGE_DATA = 2 * LONGEST_PACKED + 1


def change_data_length_ok(data: bytes) -> bool:
    """Whether `data` is as long as some old || FF || new can be (else 6700)."""
    return SHORTEST_CHANGE_DATA <= len(data) <= LONGEST_CHANGE_DATA


def split_change_data(data: bytes) -> tuple[bytes, str] | None:
    """(the old PIN as sent, the new PIN's digits) of `old || FF || new`, or None when the
    separator is missing or either side is not a packed-BCD PIN of 4 to 12 digits (6A80).

    The first FF is the separator: no valid packed PIN holds an FF byte (only its last
    nibble may be the F pad), so a second FF makes the new PIN invalid."""
    separator = data.find(bytes([CHANGE_SEPARATOR]))
    if separator < 0:
        return None
    old, new = data[:separator], data[separator + 1 :]
    new_digits = unpacked_pin(new, SHORTEST_PIN, LONGEST_PIN)
    if unpacked_pin(old, SHORTEST_PIN, LONGEST_PIN) is None or new_digits is None:
        return None
    return old, new_digits


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
        """CHANGE PIN: the old PIN counts down like VERIFY; on success the new one is stored
        (in this object, so it outlives resets and re-insertions) and the counter is full."""
        result = self.present(old)
        if result == SW_OK:
            self._reference, self.pin = packed_pin(new_pin), new_pin
        return result

"""Which new card PINs the kiosk refuses, and why (issue 17; the words are `pin_change.weak.*`).

A new PIN is refused when a stranger would guess it first: six digits of one kind (888888 is
the PIN cards are issued with), a run up or down the keypad (123456, 654321, 789012), the old
PIN again, or the holder's birth date (YYMMDD, or the year or the month and day anywhere in
it; the citizen ID printed on the card gives those away).

The PINs stay bytearrays: every check compares bytes in place, so no str copy of a PIN is
made that could not be zeroed.
"""

from __future__ import annotations

import enum
import itertools
from datetime import date

NEW_PIN_DIGITS = 6  # cards are issued with six digits, and the counter resets to six


class WeakPin(enum.Enum):
    LENGTH = "length"
    ONE_DIGIT = "one_digit"
    RUN = "run"
    OLD_PIN = "old_pin"
    BIRTH_DATE = "birth_date"
    MISMATCH = "mismatch"  # the repeat differs from the new PIN


def weakness(new: bytearray, old: bytearray, birth: date | None) -> WeakPin | None:
    """Why `new` must not become the card's PIN, or None when it may."""
    if len(new) != NEW_PIN_DIGITS or not new.isdigit():
        return WeakPin.LENGTH
    if new.count(new[0]) == len(new):
        return WeakPin.ONE_DIGIT
    if _is_run(new, 1) or _is_run(new, -1):
        return WeakPin.RUN
    if new == old:
        return WeakPin.OLD_PIN
    if birth is not None and any(part in new for part in birth_parts(birth)):
        return WeakPin.BIRTH_DATE
    return None


def birth_parts(birth: date) -> tuple[bytes, ...]:
    """YYMMDD, YYYY and MMDD of the birth date, as the digits a PIN would hold them."""
    return (
        f"{birth:%y%m%d}".encode("ascii"),
        f"{birth:%Y}".encode("ascii"),
        f"{birth:%m%d}".encode("ascii"),
    )


def _is_run(digits: bytearray, step: int) -> bool:
    """Every digit one more (or less) than the one before, 9 and 0 neighbours as on a
    keypad's rows (789012, 210987)."""
    return all((b - a) % 10 == step % 10 for a, b in itertools.pairwise(digits))

"""A citizen ID typed on the kiosk's keypad, checked as it is typed (GB 11643).

The person learns at the key that went wrong, not after eighteen: an X anywhere but last, a
birth date that is not a date (once its eight digits are in), a birth date in the future,
and the check character once all eighteen are in. The words are `id_entry.problem.*`.
"""

from __future__ import annotations

import enum
from datetime import date

from card_reader.identity import citizen_id_check_char

ID_LENGTH = 18
BIRTH = slice(6, 14)  # YYYYMMDD
KEYS = "0123456789X"


class IdEntryProblem(enum.Enum):
    X_NOT_LAST = "x_not_last"
    BIRTH_DATE = "birth_date"
    CHECK_CHARACTER = "check_character"


def can_add(typed: str, key: str) -> bool:
    """Whether `key` may follow `typed`: a digit anywhere, X only as the 18th character."""
    if len(typed) >= ID_LENGTH or key not in KEYS:
        return False
    return key != "X" or len(typed) == ID_LENGTH - 1


def problem(typed: str, today: date) -> IdEntryProblem | None:
    """What is wrong with what has been typed so far (None: nothing yet)."""
    if "X" in typed[:-1] or (typed.endswith("X") and len(typed) != ID_LENGTH):
        return IdEntryProblem.X_NOT_LAST
    if len(typed) >= BIRTH.stop:
        born = _date(typed[BIRTH])
        if born is None or born > today or born.year < 1900:
            return IdEntryProblem.BIRTH_DATE
    if len(typed) == ID_LENGTH and citizen_id_check_char(typed[:17]) != typed[17]:
        return IdEntryProblem.CHECK_CHARACTER
    return None


def complete(typed: str, today: date) -> bool:
    """Eighteen characters and nothing wrong: the ID can be sent."""
    return len(typed) == ID_LENGTH and problem(typed, today) is None


def grouped(typed: str) -> str:
    """As the card prints it, in groups a person can check: 360426 19910101 0071."""
    return " ".join(part for part in (typed[:6], typed[6:14], typed[14:]) if part)


def _date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None

"""How many slips each card may print at this kiosk in a day (kiosk.toml
`[printer] slips_per_card_per_day`, 5 by default): paper is for people, not for a game.

The count is kept in memory for the day, the card number only as an HMAC under a key made
when the kiosk starts, so the counter holds nothing that names a card. A restart forgets
the counts: the limit guards a roll of paper, not a ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import date

DEFAULT_PER_DAY = 5


class SlipAllowance:
    def __init__(self, per_day: int, today: Callable[[], date]) -> None:
        self.per_day = per_day
        self._today = today
        self._key = secrets.token_bytes(32)
        self._day: date | None = None
        self._printed: Counter[bytes] = Counter()

    def allows(self, card_number: str) -> bool:
        """Whether one more slip may be printed for the card today."""
        return self._counts()[self._tag(card_number)] < self.per_day

    def printed(self, card_number: str) -> None:
        self._counts()[self._tag(card_number)] += 1

    def _counts(self) -> Counter[bytes]:
        today = self._today()
        if today != self._day:  # a new day: everyone starts again
            self._day, self._printed = today, Counter()
        return self._printed

    def _tag(self, card_number: str) -> bytes:
        return hmac.new(self._key, card_number.encode(), hashlib.sha256).digest()[:16]

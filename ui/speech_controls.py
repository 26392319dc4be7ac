"""The person's speech controls, from the speech panel and the tactile keypad: on/off,
repeat, louder, quieter, faster and slower (kiosk.speech.engine's Speaker speaks)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.speech.engine import RATE_STEP, VOLUME_STEP, SpeechOutput

RATES = (1.0, 1.0 + RATE_STEP, 1.0 + 2 * RATE_STEP, 1.0 - RATE_STEP)  # normal, faster, slower


class SpeechControls:
    def __init__(self, speaker: SpeechOutput, changed: Callable[[], None]) -> None:
        self.speaker = speaker
        self._changed = changed  # the top bar and the panel show the new state

    def toggle(self) -> None:
        speaker = self.speaker
        speaker.enabled = not speaker.enabled
        if speaker.enabled:
            speaker.repeat()  # the screen the person is on
        else:
            speaker.stop()
        self._changed()

    def repeat(self) -> None:
        self.speaker.repeat()
        self._changed()

    def louder(self) -> None:
        self._set(volume=self.speaker.volume + VOLUME_STEP)

    def quieter(self) -> None:
        self._set(volume=self.speaker.volume - VOLUME_STEP)

    def faster(self) -> None:
        self._set(rate=self.speaker.rate + RATE_STEP)

    def slower(self) -> None:
        self._set(rate=self.speaker.rate - RATE_STEP)

    def next_rate(self) -> None:
        """The keypad's one rate key: normal, faster, faster still, slower, in turn."""
        rate = self.speaker.rate
        index = RATES.index(rate) + 1 if rate in RATES else 0
        self._set(rate=RATES[index % len(RATES)])

    def _set(self, volume: int | None = None, rate: float | None = None) -> None:
        if volume is not None:
            self.speaker.volume = volume
        if rate is not None:
            self.speaker.rate = rate
        self.speaker.repeat()  # heard at once at the new level
        self._changed()

"""The kiosk's voice: a Speaker that never blocks its caller, and a NullSpeaker.

espeak-ng renders the words to WAV (kiosk.speech.render) and sox's `play` sends them to the
sound card, both as child processes of one worker thread. Not speech-dispatcher: it runs
here as root without a session bus, but with no sound output its client waits for ever
(`spd-say -w`, measured: no end event in 20 s) and nothing reports the failure, while `play`
exits 1 ("no default audio device"); and its espeak-ng module picks the "cmn" voice, which
Debian's espeak-ng 1.51 reads as English-spelled pinyin.

A new utterance replaces one not yet said and cuts off the one being said: the screen it
belonged to is gone. A kiosk without audio keeps working: the first failure is logged once
(operator words, never the text) and the Speaker is silent from then on.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kiosk.config import SpeechSection
from kiosk.speech.render import ESPEAK, VOICES, SpeechUnavailable, espeak_arguments, key_tone_wav

log = logging.getLogger(__name__)

PLAYER: tuple[str, ...] = ("play", "-q")  # sox; reads the WAV from stdin
PLAY_SECONDS = 300.0  # the longest screen is well under this; a hung player is given up
VOLUME_RANGE = (0, 100)
RATE_RANGE = (0.5, 2.0)
VOLUME_STEP = 10
RATE_STEP = 0.25


class SpeechOutput(Protocol):
    """What the UI calls: a Speaker, or a NullSpeaker on a kiosk with speech off."""

    volume: int
    rate: float
    enabled: bool

    def say(self, text: str, language: str) -> None: ...
    def repeat(self) -> None: ...
    def stop(self) -> None: ...
    def forget(self) -> None: ...
    def tone(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class _Utterance:
    text: str = ""
    language: str = "zh"
    wav: bytes | None = None  # a ready sound (the key tone): nothing to render


def clamp_volume(volume: int) -> int:
    return max(VOLUME_RANGE[0], min(VOLUME_RANGE[1], int(volume)))


def clamp_rate(rate: float) -> float:
    return max(RATE_RANGE[0], min(RATE_RANGE[1], float(rate)))


class Speaker:
    """say() / repeat() / tone() queue the sound and return at once; stop() silences."""

    def __init__(
        self,
        volume: int = 80,
        rate: float = 1.0,
        *,
        enabled: bool = True,
        espeak: str = ESPEAK,
        player: Sequence[str] = PLAYER,
        voices: Mapping[str, str] = VOICES,
    ) -> None:
        self._volume = clamp_volume(volume)
        self._rate = clamp_rate(rate)
        # Off, the Speaker still keeps the screen's words: turning speech on (a key on the
        # keypad) then repeat() says the screen the person is on.
        self.enabled = enabled
        self._espeak = espeak
        self._player = tuple(player)
        self._voices = voices
        self._tone = key_tone_wav()
        self._lock = threading.Condition()
        self._pending: _Utterance | None = None
        self._last: _Utterance | None = None
        self._speaking: _Utterance | None = None  # being rendered or played now
        self._child: subprocess.Popen[bytes] | None = None  # what makes the sound now
        self._cut = False  # the sound now was cut off: its exit status is no failure
        self._silent = False
        self._closed = False
        self._worker: threading.Thread | None = None
        self.spoken = 0  # utterances finished (for tests and the operator's health view)

    # -- settings the person reaches ----------------------------------------------------

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, volume: int) -> None:
        self._volume = clamp_volume(volume)

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        self._rate = clamp_rate(rate)

    @property
    def silent(self) -> bool:
        """True once the engine or the sound output failed: nothing more is tried."""
        return self._silent

    # -- what the UI calls ---------------------------------------------------------------

    def say(self, text: str, language: str) -> None:
        """Speak `text` in `language` ("zh" / "en"), replacing whatever is said now."""
        if not text:
            return
        utterance = _Utterance(text, language)
        with self._lock:
            self._last = utterance
            # The same screen published again (a countdown tick, a re-render): not restarted.
            if utterance in (self._pending, self._speaking):
                return
        self._queue(utterance)

    def repeat(self) -> None:
        """Say the last words again (the screen's repeat button)."""
        with self._lock:
            last = self._last
        if last is not None:
            self._queue(last)

    def tone(self) -> None:
        """The PIN pad's key sound, the same for every digit; it cuts off speech, as a key
        press does in a screen reader."""
        self._queue(_Utterance(wav=self._tone))

    def stop(self) -> None:
        """Silence now; repeat() can say the last words again."""
        with self._lock:
            self._pending = None
            self._cut_child()

    def forget(self) -> None:
        """Silence and drop the last words (the session ended: its facts leave memory)."""
        with self._lock:
            self._last = None
        self.stop()

    def close(self) -> None:
        """Stop the worker (the kiosk is shutting down)."""
        with self._lock:
            self._closed = True
            self._pending = None
            self._last = None
            self._cut_child()
            self._lock.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5)

    # -- the worker -----------------------------------------------------------------------

    def _queue(self, utterance: _Utterance) -> None:
        with self._lock:
            if self._silent or self._closed or not self.enabled:
                return
            self._pending = utterance
            self._cut_child()
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="speech", daemon=True)
                self._worker.start()
            self._lock.notify_all()

    def _cut_child(self) -> None:
        """Kill the child making the current sound (the lock is held)."""
        if self._child is not None and self._child.poll() is None:
            self._cut = True
            self._child.kill()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                utterance, self._pending = self._pending, None
                if utterance is None:  # closed
                    return
                self._speaking = utterance
            try:
                self._sound(utterance)
            except SpeechUnavailable as error:
                self._go_silent(str(error))
            except OSError as error:  # a player that cannot be started at all
                self._go_silent(f"{type(error).__name__} ({error.strerror or 'no detail'})")
            except Exception as error:  # the voice never takes the kiosk down with it
                self._go_silent(f"unexpected {type(error).__name__}")
            finally:
                with self._lock:
                    self._speaking = None

    def _go_silent(self, reason: str) -> None:
        with self._lock:
            already, self._silent = self._silent, True
            self._pending = None
        if not already:
            log.warning("speech: turned off for this run, the kiosk goes on silent: %s", reason)

    def _sound(self, utterance: _Utterance) -> None:
        wav = utterance.wav
        if wav is None:
            wav = self._render(utterance)
            if wav is None:  # cut off while rendering: a newer one waits
                return
        self._play(wav)

    def _render(self, utterance: _Utterance) -> bytes | None:
        """espeak-ng's WAV of the words, or None when a newer utterance cut it off."""
        voice = espeak_arguments(
            utterance.language, self._rate, espeak=self._espeak, voices=self._voices
        )
        child = self._start([*voice, "--stdout"], capture=True)
        if child is None:
            return None
        try:
            wav, _ = child.communicate(utterance.text.encode("utf-8"), timeout=PLAY_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise SpeechUnavailable(f"{self._espeak} gave no sound in {PLAY_SECONDS:g} s") from None
        if self._finished(child):
            return None
        if child.returncode != 0 or not wav.startswith(b"RIFF"):
            raise SpeechUnavailable(f"{self._espeak} exited with status {child.returncode}")
        return wav

    def _play(self, wav: bytes) -> None:
        gain = f"{self._volume / 100:.2f}"
        child = self._start([*self._player, "-v", gain, "-t", "wav", "-"], capture=False)
        if child is None:
            return
        try:
            _, errors = child.communicate(wav, timeout=PLAY_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise SpeechUnavailable(
                f"{self._player[0]} did not finish in {PLAY_SECONDS:g} s"
            ) from None
        except BrokenPipeError:  # killed before it read the sound
            child.wait()
            errors = b""
        if self._finished(child):
            return
        if child.returncode != 0:
            said = errors.decode("utf-8", "replace").strip().splitlines()
            detail = said[-1] if said else "no message"
            raise SpeechUnavailable(
                f"{self._player[0]} exited with status {child.returncode}: {detail}"
            )
        self.spoken += 1

    def _start(self, arguments: list[str], capture: bool) -> subprocess.Popen[bytes] | None:
        """Start a child as the current sound, or None when a newer utterance waits."""
        with self._lock:
            if self._pending is not None or self._closed:
                return None
            try:
                child = subprocess.Popen(
                    arguments,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL if capture else subprocess.PIPE,
                )
            except FileNotFoundError:
                raise SpeechUnavailable(f"{arguments[0]} is not installed") from None
            self._child, self._cut = child, False
            return child

    def _finished(self, child: subprocess.Popen[bytes]) -> bool:
        """The child is done; True when it was cut off (not a failure)."""
        with self._lock:
            cut = self._cut and self._child is child
            self._child = None
            return cut


class NullSpeaker:
    """No speech on this kiosk: every call is accepted and nothing is heard."""

    def __init__(self, volume: int = 80, rate: float = 1.0, *, enabled: bool = False) -> None:
        self.volume = clamp_volume(volume)
        self.rate = clamp_rate(rate)
        self.enabled = enabled

    def say(self, text: str, language: str) -> None:
        pass

    def repeat(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def forget(self) -> None:
        pass

    def tone(self) -> None:
        pass

    def close(self) -> None:
        pass


def speaker_for(section: SpeechSection) -> Speaker:
    """The kiosk's Speaker as kiosk.toml's [speech] sets it (on or off at start)."""
    return Speaker(
        section.volume,
        section.rate,
        enabled=section.enabled,
        voices={"zh": section.voice_zh, "en": section.voice_en},
    )

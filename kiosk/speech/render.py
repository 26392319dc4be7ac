"""Speech as sound: espeak-ng's arguments, WAV files of a screen's words, the PIN pad's tone.

The text goes to espeak-ng on its standard input, never on its command line, where any
local user could read a balance in the process list. `write_speech` is the demo's one call
per screenshot (`kiosk demo --headless --out DIR --speech`): a WAV beside the PNG.
"""

from __future__ import annotations

import io
import math
import struct
import subprocess
import wave
from collections.abc import Mapping
from pathlib import Path

from kiosk.session.view import View
from kiosk.speech.spoken import spoken_text

ESPEAK = "espeak-ng"
# Debian's espeak-ng 1.51 "cmn" voice reads Chinese characters as pinyin spelled out in
# English ("好" -> "hao two", espeak-ng issue #1236); "cmn-latn-pinyin" speaks them in Mandarin.
VOICES: Mapping[str, str] = {"zh": "cmn-latn-pinyin", "en": "en"}
DEFAULT_WORDS_PER_MINUTE = 175  # espeak-ng's own default: rate 1.0
RENDER_SECONDS = 30.0  # a screen's words render in well under a second
TONE_HZ = 880
TONE_SECONDS = 0.08
TONE_RATE = 22_050


class SpeechUnavailable(Exception):
    """The engine or the audio output cannot be used; the message is for the operator and
    never holds the words that were to be said."""


def espeak_arguments(
    language: str,
    rate: float = 1.0,
    *,
    espeak: str = ESPEAK,
    voices: Mapping[str, str] = VOICES,
) -> list[str]:
    """espeak-ng reading its text from stdin in `language`'s voice at `rate` (1.0: default)."""
    speed = round(DEFAULT_WORDS_PER_MINUTE * rate)
    voice = voices.get(language, voices["zh"])
    return [espeak, "-v", voice, "-s", str(speed), "--stdin"]


def render_wav_bytes(
    text: str,
    language: str,
    rate: float = 1.0,
    *,
    espeak: str = ESPEAK,
    voices: Mapping[str, str] = VOICES,
) -> bytes:
    """The WAV espeak-ng makes of `text` (--stdout), or SpeechUnavailable."""
    arguments = [*espeak_arguments(language, rate, espeak=espeak, voices=voices), "--stdout"]
    try:
        done = subprocess.run(
            arguments,
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise SpeechUnavailable(f"{espeak} is not installed") from None
    except subprocess.TimeoutExpired:
        raise SpeechUnavailable(f"{espeak} gave no sound in {RENDER_SECONDS:g} s") from None
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        raise SpeechUnavailable(f"{espeak} exited with status {done.returncode} and no WAV")
    return _sized(done.stdout)


def _sized(wav: bytes) -> bytes:
    """espeak-ng streams to stdout with "unknown" sizes in the header (0x7fffffff); the real
    ones, so every reader (sox, wave, a browser) takes the file as it is."""
    data = bytearray(wav)
    if data[36:40] == b"data":  # the plain 44-byte PCM header espeak-ng writes
        struct.pack_into("<I", data, 4, len(data) - 8)
        struct.pack_into("<I", data, 40, len(data) - 44)
    return bytes(data)


def render_wav(text: str, language: str, path: Path, rate: float = 1.0) -> Path:
    """`text` spoken in `language` as a WAV file at `path` (tests, the demo)."""
    path.write_bytes(render_wav_bytes(text, language, rate))
    return path


def write_speech(view: View, png_path: Path) -> Path | None:
    """The screen's spoken words as a WAV beside its screenshot (shot.png -> shot.wav);
    None for a screen that says nothing."""
    words = spoken_text(view)
    if not words:
        return None
    return render_wav(words, view.language, png_path.with_suffix(".wav"))


def key_tone_wav() -> bytes:
    """The PIN pad's key sound: one short tone, the same for every key, so the digits are
    never heard. Made here (a sine with soft edges), no file and no engine needed."""
    frames = int(TONE_RATE * TONE_SECONDS)
    fade = frames // 8
    samples = bytearray()
    for index in range(frames):
        edge = min(1.0, index / fade, (frames - index) / fade)
        value = 0.5 * edge * math.sin(2 * math.pi * TONE_HZ * index / TONE_RATE)
        samples += struct.pack("<h", round(value * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TONE_RATE)
        out.writeframes(bytes(samples))
    return buffer.getvalue()

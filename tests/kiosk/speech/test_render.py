"""Speech rendered to WAV with espeak-ng and measured with sox: not silent, as long as the
words need, in both languages; the demo's WAV beside a screenshot; the key tone."""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.session.view import State, View
from kiosk.speech.render import key_tone_wav, render_wav, write_speech
from kiosk.speech.spoken import spoken_text

RMS_FLOOR = 0.02  # espeak-ng speech measures about 0.1; silence 0.0
ZH_CHARS_PER_SECOND = (2.0, 5.0)  # real-parts.md: about 3 a second at the default rate
EN_WORDS_PER_SECOND = (1.5, 4.5)  # espeak-ng's default: 175 words a minute


def stat(path: Path) -> dict[str, float]:
    """`sox FILE -n stat`: its figures by name (sox writes them on stderr)."""
    command = ["sox", str(path), "-n", "stat"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    figures = {}
    for line in done.stderr.splitlines():
        name, _, value = line.partition(":")
        try:
            figures[name.strip()] = float(value)
        except ValueError:
            continue
    return figures


def hanzi(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "请插入社会保障卡，芯片朝上，插入下方读卡口。"),
        ("zh", "个人账户余额一万两千五百零二元八角九分。"),
        ("en", "Your personal account balance is 12,502 yuan 89 fen."),
    ],
)
def test_speech_is_not_silent_and_as_long_as_its_words(
    tmp_path: Path, language: str, text: str
) -> None:
    path = render_wav(text, language, tmp_path / "said.wav")
    figures = stat(path)
    assert figures["RMS     amplitude"] > RMS_FLOOR
    seconds = figures["Length (seconds)"]
    if language == "zh":
        low, high = ZH_CHARS_PER_SECOND
        assert hanzi(text) / high <= seconds <= hanzi(text) / low
    else:
        low, high = EN_WORDS_PER_SECOND
        count = len(text.split())
        assert count / high <= seconds <= count / low
    with wave.open(str(path)) as sound:  # a well-formed file: its header holds the real size
        assert abs(sound.getnframes() / sound.getframerate() - seconds) < 0.01


def test_a_slower_rate_takes_longer(tmp_path: Path) -> None:
    text = "请输入社保卡密码，输完后按确认键。"
    normal = stat(render_wav(text, "zh", tmp_path / "normal.wav"))["Length (seconds)"]
    slow = stat(render_wav(text, "zh", tmp_path / "slow.wav", rate=0.5))["Length (seconds)"]
    assert slow > normal * 1.5


def test_the_demo_writes_a_wav_beside_each_screenshot(tmp_path: Path) -> None:
    for language in ("zh", "en"):
        view = View.idle(language, False)
        png = tmp_path / f"01-attract-{language}.png"
        wav = write_speech(view, png)
        assert wav == png.with_suffix(".wav")
        figures = stat(wav)
        assert figures["RMS     amplitude"] > RMS_FLOOR
        assert figures["Length (seconds)"] > 3  # the whole invitation, not a click
    reading = replace(View.idle("zh", False), state=State.READING)
    assert write_speech(reading, tmp_path / "02.png") is not None
    assert spoken_text(reading)


def test_the_key_tone_is_short_and_the_same_for_every_key(tmp_path: Path) -> None:
    tone = key_tone_wav()
    assert tone == key_tone_wav()
    path = tmp_path / "tone.wav"
    path.write_bytes(tone)
    figures = stat(path)
    assert 0.05 <= figures["Length (seconds)"] <= 0.15
    assert figures["RMS     amplitude"] > RMS_FLOOR

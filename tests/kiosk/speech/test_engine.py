"""The Speaker never blocks its caller, replaces stale words, and goes silent (logged once,
without the words) when the engine or the sound output is missing; its [speech] settings."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import ConfigError, parse_config
from kiosk.speech.engine import NullSpeaker, Speaker, speaker_for
from kiosk.speech.render import key_tone_wav

RETURNS_AT_ONCE = 0.05  # seconds: a say() is a queue put, never the engine's work
BALANCE = "个人账户余额一万两千五百零二元八角九分。"


def script(folder: Path, name: str, body: str) -> str:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def recording_player(folder: Path) -> tuple[str, ...]:
    """A player without a sound card: it keeps what it was given, and when it started."""
    body = (
        f'date +%s.%N >> "{folder}/started"\n'
        f'echo "$@" >> "{folder}/args"\n'
        f'cat > "{folder}/sound-$$.wav"\n'
        f'echo done >> "{folder}/finished"'
    )
    return (script(folder, "player", body),)


def wait_for(check: Callable[[], object], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("not within the time")


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_say_returns_at_once_while_the_engine_hangs(tmp_path: Path) -> None:
    hung = script(tmp_path, "espeak-ng", f'echo $$ >> "{tmp_path}/pids"\nexec sleep 30')
    speaker = Speaker(espeak=hung, player=recording_player(tmp_path))
    try:
        started = time.perf_counter()
        speaker.say(BALANCE, "zh")
        assert time.perf_counter() - started < RETURNS_AT_ONCE
        wait_for(lambda: len(lines(tmp_path / "pids")) == 1)
        started = time.perf_counter()
        speaker.say("请取回您的社保卡。", "zh")  # the next screen: the stale words are cut
        speaker.tone()
        speaker.repeat()
        assert time.perf_counter() - started < RETURNS_AT_ONCE
        first = int(lines(tmp_path / "pids")[0])
        wait_for(lambda: not _alive(first))
    finally:
        started = time.perf_counter()
        speaker.close()
        assert time.perf_counter() - started < 5
    assert not speaker.silent  # cut off is not a failure


def _alive(pid: int) -> bool:
    # a zombie is dead for our purposes: its parent has not reaped it yet. The
    # process can also be reaped between any two looks, so one read decides.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_the_words_are_rendered_by_espeak_ng_and_played_at_the_volume(tmp_path: Path) -> None:
    speaker = Speaker(volume=60, player=recording_player(tmp_path))
    try:
        said = time.time()
        speaker.say(BALANCE, "zh")
        wait_for(lambda: lines(tmp_path / "finished"))
        latency = float(lines(tmp_path / "started")[0]) - said
        assert latency < 1.0  # measured here: about 0.1 s from say() to sound
        assert lines(tmp_path / "args") == ["-v 0.60 -t wav -"]
        sound = next(tmp_path.glob("sound-*.wav"))
        done = subprocess.run(
            ["sox", str(sound), "-n", "stat"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0
        length = float(
            next(line for line in done.stderr.splitlines() if "Length" in line).split(":")[1]
        )
        assert length > 4  # the whole balance, about 19 characters
        assert speaker.spoken == 1
    finally:
        speaker.close()


def test_the_key_tone_is_played_as_is_and_is_not_what_repeat_says(tmp_path: Path) -> None:
    speaker = Speaker(player=recording_player(tmp_path))
    try:
        speaker.tone()
        wait_for(lambda: len(lines(tmp_path / "finished")) == 1)
        assert next(tmp_path.glob("sound-*.wav")).read_bytes() == key_tone_wav()
        speaker.repeat()  # nothing said yet: the tone is not repeated
        time.sleep(0.3)
        assert len(lines(tmp_path / "finished")) == 1
    finally:
        speaker.close()


def test_a_missing_engine_leaves_the_kiosk_silent_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.speech.engine")
    speaker = Speaker(espeak=str(tmp_path / "no-espeak-ng"), player=recording_player(tmp_path))
    try:
        speaker.say(BALANCE, "zh")
        wait_for(lambda: speaker.silent)
        speaker.say(BALANCE, "zh")
        speaker.tone()
        speaker.repeat()
        time.sleep(0.2)
    finally:
        speaker.close()
    records = [r for r in caplog.records if r.name == "kiosk.speech.engine"]
    assert len(records) == 1
    assert "not installed" in records[0].getMessage()
    assert "余额" not in caplog.text
    assert "一万" not in caplog.text
    assert not (tmp_path / "started").exists()


def test_no_sound_card_leaves_the_kiosk_silent_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.speech.engine")
    # what sox's play does on a machine without a sound card (measured: status 1)
    failure = "play FAIL sox: Sorry, there is no default audio device configured"
    body = f'cat > /dev/null\necho "{failure}" >&2\nexit 1'
    speaker = Speaker(player=(script(tmp_path, "play", body),))
    try:
        speaker.say(BALANCE, "zh")
        wait_for(lambda: speaker.silent)
        speaker.say(BALANCE, "zh")
        time.sleep(0.2)
    finally:
        speaker.close()
    records = [r.getMessage() for r in caplog.records if r.name == "kiosk.speech.engine"]
    assert len(records) == 1
    assert "no default audio device" in records[0]
    assert "余额" not in records[0]


def test_speech_off_keeps_the_words_for_when_it_is_turned_on(tmp_path: Path) -> None:
    speaker = Speaker(enabled=False, player=recording_player(tmp_path))
    try:
        speaker.say(BALANCE, "zh")
        time.sleep(0.3)
        assert not (tmp_path / "started").exists()
        speaker.enabled = True  # the keypad's speech key
        speaker.repeat()
        wait_for(lambda: lines(tmp_path / "finished"))
    finally:
        speaker.close()


def test_volume_and_rate_stay_in_their_ranges() -> None:
    speaker = Speaker()
    speaker.volume = 130
    speaker.rate = 0.1
    assert (speaker.volume, speaker.rate) == (100, 0.5)
    speaker.volume = -5
    speaker.rate = 9
    assert (speaker.volume, speaker.rate) == (0, 2.0)
    speaker.close()
    null = NullSpeaker(volume=50)
    for call in (null.repeat, null.stop, null.tone, null.forget, null.close):
        call()
    null.say("x", "zh")
    assert not null.enabled


def test_the_speech_section_is_read_and_checked() -> None:
    config = parse_config("[speech]\nenabled = true\nvolume = 55\nrate = 1.25\n")
    assert (config.speech.enabled, config.speech.volume, config.speech.rate) == (True, 55, 1.25)
    speaker = speaker_for(config.speech)
    assert (speaker.enabled, speaker.volume, speaker.rate) == (True, 55, 1.25)
    speaker.close()
    assert parse_config("").speech.enabled is False
    with pytest.raises(ConfigError) as error:
        parse_config('[speech]\nvolume = 300\nrate = "fast"\nvoice_zh = "cmn; rm"\nloud = 1\n')
    said = str(error.value)
    for key in ("speech.volume", "speech.rate", "speech.voice_zh", "speech.loud"):
        assert key in said


def test_the_same_words_again_are_not_restarted_but_repeat_does(tmp_path: Path) -> None:
    slow = recording_player(tmp_path)[0]
    Path(slow).write_text(
        Path(slow).read_text(encoding="utf-8").replace("cat >", "sleep 0.5; cat >"),
        encoding="utf-8",
    )
    speaker = Speaker(player=(slow,))
    try:
        speaker.say(BALANCE, "zh")
        wait_for(lambda: lines(tmp_path / "started"))
        speaker.say(BALANCE, "zh")  # the screen published again: a countdown tick
        wait_for(lambda: lines(tmp_path / "finished"))
        time.sleep(0.3)
        assert len(lines(tmp_path / "started")) == 1
        speaker.repeat()  # the person asked: said again
        wait_for(lambda: len(lines(tmp_path / "finished")) == 2)
    finally:
        speaker.close()

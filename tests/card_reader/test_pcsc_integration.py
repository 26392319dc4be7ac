"""The same cards through a real pcscd and the vpcd reader, as a real reader would show them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from card_reader import open_card
from card_reader.backends.pcsc import PcscBackend, wait_for_card
from card_reader.errors import CardRemovedError
from card_reader.events import CardInserted, CardRemoved, ReaderEvent, ServiceLost
from card_reader.simulator import Faults, build_card, profile
from card_reader.sscard import PinStatus, SSCard
from realparts.pcscd import VpcdReader
from tests.card_reader.waiting import wait_until

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def read_json(
    reader: VpcdReader, *extra: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.cli",
            "card",
            "read",
            "--json",
            "--backend",
            "pcsc",
            "--wait",
            "5",
            *extra,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
        env={**os.environ, **reader.env},
    )


@pytest.mark.parametrize(
    ("key", "version"),
    [
        ("wang-zhe", "1.00"),  # T=0, 61xx, rare GBK 喆
        ("zhang-wei", "2.00"),
        ("li-kun", "3.00"),  # 6Cxx, P1=02 selects, rare GBK 堃
        ("long-name", "2.00"),  # 4E name extension
    ],
)
def test_kiosk_card_read_json_reads_each_spec_version_through_pcscd(
    vpcd_reader: VpcdReader, key: str, version: str
) -> None:
    reader = vpcd_reader.insert(key)
    result = read_json(vpcd_reader, "--reader", reader)
    assert result.returncode == 0, result.stderr
    identity = json.loads(result.stdout)
    expected = profile(key).raw
    assert identity["spec_version"] == version
    assert identity["name"] == expected["name"]
    assert identity["ssn"] == expected["citizen_id"]
    assert identity["card_number"] == expected["card_number"]
    assert identity["atr"].startswith("3B")
    assert identity["region_code"] == expected["region_code"]
    assert identity["card_id"].startswith(expected["region_code"] + "D156000005")
    assert identity["issuer_code"].startswith("156")
    assert identity["apdu_count"] <= 22  # a T=0 card answers every read 61xx: two APDUs
    if key == "zhang-wei":
        assert identity["apdu_count"] == 13  # SELECT, probe, EF05 (1+7), EF06 (1+2)


def test_kiosk_card_read_says_a_pin_gated_card_needs_the_pin(vpcd_reader: VpcdReader) -> None:
    reader = vpcd_reader.insert("pin-gated")
    result = read_json(vpcd_reader, "--reader", reader)
    assert result.returncode == 11, result.stderr
    assert "needs the PIN" in result.stderr
    shown = json.loads(result.stdout)
    assert shown["personal_data"] == "locked"
    assert shown["name"] is None
    assert shown["ssn"] is None
    assert shown["region_code"] == profile("pin-gated").raw["region_code"]
    assert shown["pin_tries_left"] == 3


@pytest.mark.parametrize("from_stdin", [False, True])
def test_kiosk_card_read_with_the_pin_reads_a_pin_gated_card(
    vpcd_reader: VpcdReader, from_stdin: bool
) -> None:
    expected = profile("pin-gated").raw
    reader = vpcd_reader.insert("pin-gated")
    if from_stdin:
        result = read_json(
            vpcd_reader, "--reader", reader, "--pin", "-", stdin=expected["pin"] + "\n"
        )
    else:
        result = read_json(vpcd_reader, "--reader", reader, "--pin", expected["pin"])
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["personal_data"] == "read"
    assert (shown["name"], shown["ssn"]) == (expected["name"], expected["citizen_id"])
    assert expected["pin"] not in result.stdout + result.stderr


def test_kiosk_card_read_with_a_wrong_pin_says_so_and_spends_one_try(
    vpcd_reader: VpcdReader,
) -> None:
    reader = vpcd_reader.insert("pin-gated")
    result = read_json(vpcd_reader, "--reader", reader, "--pin", "000000")
    assert result.returncode == 12
    assert "wrong PIN, 2 tries left" in result.stderr


def test_kiosk_card_read_of_a_blocked_pin_gated_card_says_blocked(
    vpcd_reader: VpcdReader,
) -> None:
    reader = vpcd_reader.insert("pin-gated-blocked")
    result = read_json(vpcd_reader, "--reader", reader, "--pin", "975310")
    assert result.returncode == 13
    assert "PIN is blocked" in result.stderr
    assert "12333" in result.stderr or "social-security office" in result.stderr
    assert "damaged" not in result.stderr


def test_kiosk_card_read_gives_up_on_a_card_that_stops_answering(
    vpcd_reader: VpcdReader,
) -> None:
    reader = vpcd_reader.insert("mute-card")
    started = time.monotonic()
    result = read_json(vpcd_reader, "--reader", reader)
    elapsed = time.monotonic() - started
    assert result.returncode == 10, result.stderr
    assert "not responding" in result.stderr
    assert elapsed < 15
    vpcd_reader.remove()


def test_kiosk_card_read_reads_a_four_byte_gb18030_name(vpcd_reader: VpcdReader) -> None:
    reader = vpcd_reader.insert("rare-name")
    result = read_json(vpcd_reader, "--reader", reader)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == profile("rare-name").raw["name"]


def test_kiosk_card_read_says_not_ssse_with_its_exit_code(vpcd_reader: VpcdReader) -> None:
    reader = vpcd_reader.insert("not-ssse")
    result = read_json(vpcd_reader, "--reader", reader)
    assert result.returncode == 6
    assert "not a social-security card" in result.stderr


def test_kiosk_card_read_says_no_card_when_the_reader_is_empty(vpcd_reader: VpcdReader) -> None:
    vpcd_reader.empty()  # the previous test's card may still be in pcscd's last poll
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "card", "read", "--backend", "pcsc", "--wait", "0.5"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
        env={**os.environ, **vpcd_reader.env},
    )
    assert result.returncode == 5


@contextmanager
def card_in_reader(vpcd_reader: VpcdReader, key: str) -> Iterator[SSCard]:
    """Insert the profile's card, connect through pcscd, and let go afterwards."""
    reader = vpcd_reader.insert(key)
    backend = PcscBackend(reader)
    wait_for_card(backend, 5)
    connection = backend.connect(reader)
    try:
        yield open_card(connection)
    finally:
        connection.disconnect()
        backend.close()


def test_a_wrong_pin_counts_down_and_blocks_through_pcscd(vpcd_reader: VpcdReader) -> None:
    with card_in_reader(vpcd_reader, "zhang-wei") as card:
        outcomes = [card.verify_pin("999999") for _ in range(3)]
        assert [o.tries_left for o in outcomes] == [2, 1, 0]
        assert outcomes[-1].status is PinStatus.BLOCKED
        assert card.pin_tries_left() == 0


def test_a_blocked_card_reports_zero_tries(vpcd_reader: VpcdReader) -> None:
    with card_in_reader(vpcd_reader, "blocked-pin") as card:
        assert card.pin_tries_left() == 0


def test_a_card_pulled_at_every_apdu_gives_card_removed_and_nothing_hangs(
    vpcd_reader: VpcdReader,
) -> None:
    backend = PcscBackend()
    try:
        for position in range(11):
            reader = vpcd_reader.insert(
                build_card(profile("zhang-wei"), Faults(pull_after=position))
            )
            wait_for_card(backend, 5, reader)
            connection = backend.connect(reader)
            started = time.monotonic()
            with pytest.raises(CardRemovedError):
                open_card(connection).read_identity()
            assert time.monotonic() - started < 5
            connection.disconnect()
            vpcd_reader.remove()
    finally:
        backend.close()


def test_insert_and_remove_events_arrive_promptly(vpcd_reader: VpcdReader) -> None:
    backend = PcscBackend()
    events: list[tuple[float, ReaderEvent]] = []
    backend.subscribe(lambda e: events.append((time.monotonic(), e)))
    try:
        reader = vpcd_reader.insert("zhang-wei")
        wait_until(
            lambda: any(isinstance(e, CardInserted) and e.reader == reader for _, e in events)
        )
        removed_at = time.monotonic()
        vpcd_reader.remove()
        wait_until(lambda: any(isinstance(e, CardRemoved) for _, e in events))
        seen = next(t for t, e in events if isinstance(e, CardRemoved))
        # pcscd polls vpcd every 400 ms; the kiosk must wipe the screen within 300 ms after that.
        assert seen - removed_at < 1.0
    finally:
        backend.close()


def test_events_resume_within_5_seconds_after_pcscd_restarts(vpcd_reader: VpcdReader) -> None:
    backend = PcscBackend()
    events: list[ReaderEvent] = []
    lock = threading.Lock()

    def record(event: ReaderEvent) -> None:
        with lock:
            events.append(event)

    backend.subscribe(record)
    try:
        time.sleep(0.5)
        vpcd_reader.kill_pcscd()
        time.sleep(1.0)
        vpcd_reader.harness.start()
        restarted = time.monotonic()
        reader = vpcd_reader.insert("wang-zhe")
        wait_until(lambda: any(isinstance(e, CardInserted) and e.reader == reader for e in events))
        assert time.monotonic() - restarted < 5
        connection = backend.connect(reader)
        assert open_card(connection).read_identity().name == "王喆"
        connection.disconnect()
    finally:
        backend.close()


def test_no_matching_reader_is_reported_once_and_to_late_subscribers(
    vpcd_reader: VpcdReader,
) -> None:
    del vpcd_reader  # pcscd runs, but no reader has this name
    backend = PcscBackend("No Such Reader")
    early: list[ReaderEvent] = []
    backend.subscribe(early.append)
    try:
        wait_until(lambda: any(isinstance(e, ServiceLost) for e in early))
        late: list[ReaderEvent] = []
        backend.subscribe(late.append)
        time.sleep(1.2)  # another pass of the monitor: no second report
        assert [type(e) for e in early] == [ServiceLost]
        assert [type(e) for e in late] == [ServiceLost]
    finally:
        backend.close()


def test_kiosk_card_read_of_a_six_try_card_without_the_tries_probe(
    vpcd_reader: VpcdReader,
) -> None:
    expected = profile("six-tries").raw
    reader = vpcd_reader.insert("six-tries")
    result = read_json(vpcd_reader, "--reader", reader)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["pin_tries_left"] is None  # this card does not say before a VERIFY
    assert (shown["name"], shown["region_code"]) == (expected["name"], expected["region_code"])
    wrong = read_json(vpcd_reader, "--reader", reader, "--pin", "000000")
    assert wrong.returncode == 12
    assert "5 tries left" in wrong.stderr  # counted from the card's own 63Cx, not a constant

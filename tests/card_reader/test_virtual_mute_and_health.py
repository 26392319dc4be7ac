"""The virtual reader's mute card and health, and the PC/SC client scan behind ReaderBusy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from card_reader.backends.pcsc_clients import describe_pcsc_clients, pcsc_clients
from card_reader.backends.virtual import VirtualBackend
from card_reader.errors import CardMuteError
from card_reader.events import CardInserted, CardMute, CardRemoved, ReaderAdded, ReaderEvent
from card_reader.health import HealthState, ReaderHealth
from card_reader.simulator import Faults, build_card, profile


def test_a_card_without_an_atr_is_mute_in_the_virtual_reader_too() -> None:
    backend = VirtualBackend()
    events: list[ReaderEvent] = []
    backend.subscribe(events.append)
    backend.insert(build_card(profile("reversed-card")))
    with pytest.raises(CardMuteError):
        backend.connect(backend.reader)
    late: list[ReaderEvent] = []
    backend.subscribe(late.append)
    backend.remove()
    backend.insert(build_card(profile("zhang-wei")))
    reader = backend.reader
    assert events == [
        ReaderAdded(reader),
        CardMute(reader),
        CardRemoved(reader),
        CardInserted(reader, build_card(profile("zhang-wei")).atr),
    ]
    assert late[:2] == [ReaderAdded(reader), CardMute(reader)]


def test_any_profile_can_be_inserted_the_wrong_way_round() -> None:
    backend = VirtualBackend()
    events: list[ReaderEvent] = []
    backend.insert(build_card(profile("pin-gated"), Faults(no_atr=True)))
    backend.subscribe(events.append)
    assert events == [ReaderAdded(backend.reader), CardMute(backend.reader)]


def test_the_virtual_reader_is_always_healthy_and_has_no_monitor_age() -> None:
    health = VirtualBackend().health()
    assert health == ReaderHealth(HealthState.OK, ("Virtual Reader 0",), 0.0, "virtual reader")
    assert health.state.value == "ok"


def test_pcsc_clients_finds_another_process_with_libpcsclite_and_never_ourselves() -> None:
    script = "import smartcard.scard, sys; print(1, flush=True); sys.stdin.read()"
    other = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        other.stdout.readline()  # pyscard (and so libpcsclite) is loaded
        found = dict(pcsc_clients(limit=1000))
        assert other.pid in found
        assert os.getpid() not in found
        assert f"pid {other.pid} (" in describe_pcsc_clients() or len(found) > 8
    finally:
        other.communicate("", timeout=10)


def _process(proc: Path, pid: int, comm: str, maps: str | None) -> None:
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "comm").write_text(comm + "\n")
    if maps is not None:
        (folder / "maps").write_text(maps)


def test_pcsc_clients_skips_pcscd_the_unreadable_and_non_clients(tmp_path: Path) -> None:
    lib = "7f00-7f10 r-xp 0 08:01 42 /usr/lib/x86_64-linux-gnu/libpcsclite.so.1.0.0\n"
    _process(tmp_path, 10, "pcscd", lib)  # the daemon itself is nobody's rival
    _process(tmp_path, 11, "pcsc_scan", lib)
    _process(tmp_path, 12, "bash", "7f00-7f10 r-xp 0 08:01 7 /usr/lib/libc.so.6\n")
    _process(tmp_path, 13, "secret", None)  # maps unreadable (or gone meanwhile)
    (tmp_path / "self").mkdir()
    assert pcsc_clients(tmp_path) == [(11, "pcsc_scan")]
    assert pcsc_clients(tmp_path / "missing") == []

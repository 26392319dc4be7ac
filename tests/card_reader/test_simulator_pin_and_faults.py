"""The simulator's PIN counter, PIN-gated personal file, CHANGE PIN and faults, by raw APDU
bytes only (see raw_apdus.py and card-profile.md)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest

from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator import CardPulled, Faults
from card_reader.simulator import profile as card_profile
from card_reader.simulator.card import SimulatedCard
from card_reader.vpcd import VirtualCardSlot
from tests.card_reader.raw_apdus import (
    EF05,
    EF06,
    NEW,
    PROBE,
    SELECT_APP,
    SSSE,
    card,
    opened,
    read_record,
    select_ef,
    send,
    variant,
    verify,
)


@pytest.mark.parametrize(("key", "tries"), [("zhang-wei", 3), ("six-tries", 6)])
def test_wrong_pins_count_down_to_63c0_and_then_the_pin_answers_6983(key: str, tries: int) -> None:
    sim = opened(key)
    for left in range(tries - 1, -1, -1):
        assert send(sim, verify("000000"))[1] == 0x63C0 | left
    assert send(sim, verify("000000"))[1] == 0x6983
    assert send(sim, verify(card_profile(key).pin))[1] == 0x6983
    sim.reset()
    assert send(sim, SELECT_APP)[1] == 0x9000
    assert send(sim, verify(card_profile(key).pin))[1] == 0x6983  # the counter survives


def test_the_tries_probe_spends_nothing_and_a_right_pin_refills_the_counter() -> None:
    sim = opened("zhang-wei")
    assert send(sim, PROBE)[1] == 0x63C3
    assert send(sim, verify("999999"))[1] == 0x63C2
    assert send(sim, PROBE)[1] == 0x63C2
    assert send(sim, verify("123456"))[1] == 0x9000
    sim.reset()
    assert (send(sim, SELECT_APP)[1], send(sim, PROBE)[1]) == (0x9000, 0x63C3)


def test_a_card_without_the_tries_probe_rejects_it_without_spending_a_try() -> None:
    sim = opened("six-tries")
    assert send(sim, PROBE)[1] in (0x6700, 0x6A86)
    assert send(sim, verify("000000"))[1] == 0x63C5


def test_a_blocked_pin_answers_6983_to_verify_the_probe_and_change_pin() -> None:
    sim = opened("blocked-pin")
    assert send(sim, PROBE)[1] == 0x6983
    assert send(sim, verify("112233"))[1] == 0x6983
    assert send(sim, bytes.fromhex("805E010007112233FF654321"))[1] == 0x6983


def test_verify_before_the_application_is_selected_is_refused() -> None:
    assert send(card("zhang-wei"), verify("123456"))[1] in (0x6985, 0x6982)


def test_a_pin_gated_card_opens_ef06_after_verify_until_the_next_reset() -> None:
    sim = opened("pin-gated", EF05)
    assert send(sim, read_record(0x07, 11))[1] == 0x9000  # EF05 is open
    assert select_ef(sim, EF06) == 0x9000
    assert send(sim, read_record(0x08, 20)) == (b"", 0x6982)
    assert send(sim, verify("159357"))[1] == 0x9000
    assert send(sim, read_record(0x08, 20)) == (b"\x08\x12110101198503120359", 0x9000)
    sim.reset()
    assert send(sim, read_record(0x08, 20))[1] == 0x6986  # the selection went too
    assert (send(sim, SELECT_APP)[1], select_ef(sim, EF06)) == (0x9000, 0x9000)
    assert send(sim, read_record(0x08, 20)) == (b"", 0x6982)


def test_a_pin_gated_card_with_a_blocked_pin_never_opens_ef06() -> None:
    sim = opened("pin-gated-blocked", EF06)
    assert send(sim, read_record(0x09, 32))[1] == 0x6982
    assert send(sim, PROBE)[1] == 0x6983
    assert send(sim, verify("975310"))[1] == 0x6983
    assert send(sim, read_record(0x09, 32))[1] == 0x6982


def test_change_pin_stores_the_new_pin_and_a_wrong_old_pin_counts_down() -> None:
    sim = opened("zhang-wei")
    assert send(sim, bytes.fromhex("805E010007000000FF654321"))[1] == 0x63C2
    assert send(sim, bytes.fromhex("805E010007123456FF13579F"))[1] == 0x9000  # odd: F pad
    assert send(sim, verify("13579"))[1] == 0x9000
    assert send(sim, verify("123456"))[1] == 0x63C2


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[str]]:
    """Run `call` in a thread; the list gets the name of what it raised, or "returned"."""
    outcome: list[str] = []

    def target() -> None:
        try:
            call()
            outcome.append("returned")
        except Exception as error:
            outcome.append(type(error).__name__)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def wait_until_asked(sim: SimulatedCard, apdus: int) -> None:
    deadline = time.monotonic() + 1.0
    while sim.apdus_seen < apdus and time.monotonic() < deadline:
        time.sleep(0.005)


def test_a_mute_card_blocks_until_it_is_pulled() -> None:
    sim = card("mute-card")
    assert [send(sim, SELECT_APP)[1] for _ in range(3)] == [0x9000] * 3
    thread, outcome = in_thread(lambda: sim.process(SELECT_APP))
    thread.join(0.2)
    assert (thread.is_alive(), outcome) == (True, [])  # the fourth APDU does not return
    sim.pull()
    thread.join(1.0)
    assert (thread.is_alive(), outcome) == (False, ["CardPulled"])


def test_removing_a_mute_card_from_the_virtual_backend_releases_its_transmit() -> None:
    backend, sim = VirtualBackend(), card("mute-card", Faults(mute_after=0))
    backend.insert(sim)
    connection = backend.connect(backend.reader)
    thread, outcome = in_thread(lambda: connection.transmit(SELECT_APP))
    wait_until_asked(sim, 1)
    backend.remove()
    thread.join(1.0)
    assert (thread.is_alive(), outcome) == (False, ["CardRemovedError"])


def test_removing_a_mute_card_from_a_vpcd_slot_returns_promptly() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:  # stands in for vpcd
        port, sim = server.getsockname()[1], card("mute-card", Faults(mute_after=0))
        slot = VirtualCardSlot(port=port)
        slot.insert(sim)
        driver, _ = server.accept()
        with driver:
            driver.sendall(len(SELECT_APP).to_bytes(2, "big") + SELECT_APP)
            wait_until_asked(sim, 1)  # the slot's thread is inside the mute card
            started = time.monotonic()
            slot.remove()
            assert time.monotonic() - started < 1.0
            assert not [t for t in threading.enumerate() if t.name == f"vpcd-{port}"]


def test_a_profile_delay_makes_every_apdu_take_at_least_that_long() -> None:
    for sim, seconds in (
        (variant("zhang-wei", faults={"delay_ms": 30}), 0.030),
        (card("zhang-wei", Faults(delay_seconds=0.02)), 0.020),
    ):
        started = time.monotonic()
        assert send(sim, SELECT_APP)[1] == 0x9000
        assert time.monotonic() - started >= seconds


def test_pull_after_and_corrupt_at_still_fault_the_card() -> None:
    sim = card("zhang-wei", Faults(pull_after=1, corrupt_at=0))
    assert len(sim.process(SELECT_APP)) == 1
    with pytest.raises(CardPulled):
        sim.process(SELECT_APP)
    assert sim.apdus_seen == 2


def test_issuer_codes_begin_with_156_then_the_region() -> None:
    for p in SSSE:
        assert (p.issuer_code[:9], len(p.issuer_code)) == ("156" + p.region_code, 12)


def test_new_profiles_hold_valid_unique_people_with_store_accounts() -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for key in NEW:
        p = card_profile(key).raw
        cid = p["citizen_id"]
        total = sum(int(d) * w for d, w in zip(cid[:17], weights, strict=True))
        assert "10X98765432"[total % 11] == cid[17]
        assert cid[6:14] == p["birth_date"].replace("-", "")
        assert p["sex"] == ("1" if int(cid[16]) % 2 else "2")
        assert p["store"]["card_status"] == "active"
    numbers = [p.card_number for p in SSSE]
    assert len(set(numbers)) == len(numbers)
    assert all(n[0].isalpha() and n[1:].isdigit() and len(n) == 9 for n in numbers)

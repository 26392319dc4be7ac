"""The simulator against card-profile.md and ISO 7816-4, by raw APDU bytes only.

Nothing here uses the reader: every command is spelled out from the profile document, so the
simulator cannot drift towards whatever the reader happens to send or accept.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator import CardProfile, CardPulled, Faults, build_card, load_profiles
from card_reader.simulator import profile as card_profile
from card_reader.simulator.card import SimulatedCard
from card_reader.vpcd import VirtualCardSlot

AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
SELECT_APP = bytes.fromhex("00A404000F") + AID
EF05, EF06 = bytes.fromhex("EF05"), bytes.fromhex("EF06")
GET_RESPONSE = bytes.fromhex("00C00000")
PROBE = bytes.fromhex("00200000")
# file -> tag -> value length, as the record table says (4E is 20 when present).
TABLE = {
    EF05: {0x01: 16, 0x02: 1, 0x03: 4, 0x04: 6, 0x05: 4, 0x06: 4, 0x07: 9},
    EF06: {0x08: 18, 0x09: 30, 0x0A: 1, 0x0B: 1, 0x0C: 3, 0x0D: 4},
}
SSSE = [p for p in load_profiles() if p.ssse]
KEYS = [p.key for p in SSSE]
NEW = ["pin-gated", "pin-gated-blocked", "six-tries", "mute-card", "rare-name"]


def card(key: str, faults: Faults | None = None) -> SimulatedCard:
    return build_card(card_profile(key), faults)


def variant(key: str, **changes: object) -> SimulatedCard:
    raw = card_profile(key).raw | changes
    return build_card(CardProfile(key, "variant", raw))


def send(sim: SimulatedCard, apdu: bytes) -> tuple[bytes, int]:
    response = sim.process(apdu)
    return response[:-2], int.from_bytes(response[-2:], "big")


def run(sim: SimulatedCard, apdu: bytes) -> tuple[bytes, int]:
    """One command with the transport rules of card-profile.md: 6Cxx resend, 61xx fetch."""
    data, status = send(sim, apdu)
    if status >> 8 == 0x6C:
        data, status = send(sim, apdu[:-1] + bytes([status & 0xFF]))
    while status >> 8 == 0x61:
        more, status = send(sim, GET_RESPONSE + bytes([status & 0xFF]))
        data += more
    return data, status


def read_record(tag: int, le: int) -> bytes:
    return bytes([0x00, 0xB2, tag, 0x00, le])


def select_ef(sim: SimulatedCard, fid: bytes) -> int:
    """SELECT EF with P1 = 02, which every card takes, else P1 = 00."""
    for p1 in (0x02, 0x00):
        _, status = send(sim, bytes([0x00, 0xA4, p1, 0x00, 0x02]) + fid)
        if status != 0x6A86:
            return status
    return 0x6A86


def opened(key: str, fid: bytes | None = None, **changes: object) -> SimulatedCard:
    """The card with the application (and `fid`) selected; a mute card made to answer."""
    data_faults = {k: v for k, v in (card_profile(key).raw.get("faults") or {}).items()
                   if k == "name_bytes_hex"}  # fmt: skip
    sim = variant(key, faults=data_faults, **changes)
    assert run(sim, SELECT_APP + b"\x00")[1] == 0x9000
    if fid is not None:
        assert select_ef(sim, fid) == 0x9000
    return sim


def verify(pin: str) -> bytes:
    packed = bytes.fromhex(pin + "F" * (len(pin) % 2))
    return bytes([0x00, 0x20, 0x00, 0x00, len(packed)]) + packed


def records(sim: SimulatedCard, fid: bytes) -> dict[int, bytes]:
    """Every record of the selected `fid` read with Le = length + 2, checked for its TLV shape."""
    values = {}
    for tag, size in TABLE[fid].items():
        data, status = run(sim, read_record(tag, size + 2))
        assert (status, data[:2], len(data)) == (0x9000, bytes([tag, size]), size + 2)
        values[tag] = data[2:]
    return values


def atr_shape(atr: bytes) -> tuple[int, int, set[int]]:
    """(historical bytes announced, where they start, protocols in TDi) per ISO 7816-3."""
    y, position, protocols = atr[1] >> 4, 2, set[int]()
    while True:
        position += bin(y & 0x7).count("1")
        if not y & 0x8:
            return atr[1] & 0x0F, position, protocols
        y, protocols = atr[position] >> 4, protocols | {atr[position] & 0x0F}
        position += 1


@pytest.mark.parametrize("key", [p.key for p in load_profiles()])
def test_every_atr_carries_the_historical_bytes_t0_announces_and_a_tck_beyond_t0(
    key: str,
) -> None:
    atr = card(key).atr
    count, start, protocols = atr_shape(atr)
    tck = 1 if protocols - {0} else 0
    check = 0
    for byte in atr[1:] if tck else b"":
        check ^= byte  # T0 .. TCK XOR to zero
    assert (atr[0], len(atr), check) == (0x3B, start + count + tck, 0)


@pytest.mark.skipif(shutil.which("ATR_analysis") is None, reason="pcsc-tools not installed")
def test_atr_analysis_calls_no_profile_atr_truncated_or_invalid(tmp_path: Path) -> None:
    (tmp_path / "smartcard_list.txt").touch()  # a fresh list: ATR_analysis stays offline
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}

    def analysis(atr: bytes) -> str:
        args = ["ATR_analysis", atr.hex(" ").upper()]
        return subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout

    def complaints(atr: bytes) -> list[str]:
        report = analysis(atr).lower()
        return [word for word in ("truncated", "error", "wrong", "invalid") if word in report]

    # Controls: the old ATR 2 bytes short, and one with a bad TCK.
    assert complaints(bytes.fromhex("3B6D000000863B0000000000000000")) == ["truncated", "error"]
    assert complaints(bytes.fromhex("3BED0000800100863B00000000005130009000FF")) == ["wrong"]
    assert {p.key: complaints(card(p.key).atr) for p in load_profiles()} == {
        p.key: [] for p in load_profiles()
    }


@pytest.mark.parametrize("key", KEYS)
def test_every_record_has_the_table_length_and_holds_the_profile_data(key: str) -> None:
    p = card_profile(key).raw
    sim = opened(key, EF05)
    ef05 = records(sim, EF05)
    assert ef05.pop(0x01)[:8] == bytes.fromhex(p["region_code"] + "D156000005")
    assert ef05 == {
        0x02: p["card_type"].encode(),
        0x03: p["spec_version"].encode(),
        0x04: bytes.fromhex(p["issuer_code"]),
        0x05: bytes.fromhex(p["issue_date"].replace("-", "")),
        0x06: bytes.fromhex(p["expiry_date"].replace("-", "")),
        0x07: p["card_number"].encode(),
    }
    assert select_ef(sim, EF06) == 0x9000
    if p.get("pin_gated_personal") and run(sim, verify(p["pin"]))[1] != 0x9000:
        return  # a blocked PIN: EF06 stays shut (tested below)
    ef06 = records(sim, EF06)
    del ef06[0x09]  # names: below
    assert ef06 == {
        0x08: p["citizen_id"].encode(),
        0x0A: p["sex"].encode(),
        0x0B: bytes.fromhex(p["nation"]),
        0x0C: bytes.fromhex(p["birthplace"]),
        0x0D: bytes.fromhex(p["birth_date"].replace("-", "")),
    }


@pytest.mark.parametrize("key", [k for k in KEYS if k != "damaged-name"])
def test_names_round_trip_through_gb18030_without_splitting_a_character(key: str) -> None:
    p = card_profile(key).raw
    sim = opened(key, EF06, pin_gated_personal=False)
    head = run(sim, read_record(0x09, 32))[0][2:]
    tail, status = run(sim, read_record(0x4E, 22))
    if len(p["name"].encode("gb18030")) > 30 and p["spec_version"] != "1.00":
        assert (status, tail[:2]) == (0x9000, b"\x4e\x14")
    # Each record decodes on its own: no character was split between them.
    parts = [head, tail[2:] if status == 0x9000 else b""]
    name = "".join(part.decode("gb18030").rstrip("\x00 ") for part in parts)
    assert name == p["name"]


def test_a_four_byte_gb18030_character_is_stored_as_its_four_bytes() -> None:
    sim = opened("rare-name", EF06)
    value = run(sim, read_record(0x09, 32))[0][2:]
    assert value == bytes.fromhex("bcaa9534b235cfe9") + b"\x00" * 22  # 吉 𠮷 祥
    assert (0x81 <= value[2] <= 0xFE, 0x30 <= value[3] <= 0x39) == (True, True)
    assert value.rstrip(b"\x00").decode("gb18030") == "吉\U00020bb7祥"


def test_a_four_byte_character_that_does_not_fit_moves_whole_to_the_extension() -> None:
    sim = opened("rare-name", EF06, name="吉" * 14 + "\U00020bb7祥")  # 28 + 4 + 2 bytes
    assert run(sim, read_record(0x09, 32))[0][2:] == "吉".encode("gb18030") * 14 + b"\x00\x00"
    extension = run(sim, read_record(0x4E, 22))[0][2:]
    assert extension == bytes.fromhex("9534b235cfe9") + b"\x00" * 14  # 𠮷 祥


def test_names_may_be_space_padded_and_a_short_name_may_keep_an_empty_extension() -> None:
    sim = opened("six-tries", EF06)
    assert run(sim, read_record(0x09, 32))[0][2:] == "罗建国".encode("gbk") + b" " * 24
    assert run(sim, read_record(0x4E, 22))[0] == b"\x4e\x14" + b" " * 20


def test_a_damaged_name_record_is_the_given_bytes_in_30_bytes() -> None:
    sim = opened("damaged-name", EF06)
    assert run(sim, read_record(0x09, 32))[0] == b"\x09\x1e\xc4\xff\x80\xff" + b"\x00" * 26


def test_records_read_by_number_match_the_records_read_by_tag() -> None:
    sim = opened("zhang-wei", EF05)
    for number, tag in enumerate(TABLE[EF05], start=1):
        assert run(sim, bytes([0x00, 0xB2, number, 0x04, 0x00])) == run(sim, read_record(tag, 0))
    assert send(sim, bytes([0x00, 0xB2, 0x08, 0x04, 0x00]))[1] == 0x6A83


def test_a_plain_card_answers_6cxx_only_to_a_too_short_le() -> None:
    sim = opened("zhang-wei", EF05)
    record = b"\x07\x09" + b"A32010001"
    assert send(sim, read_record(0x07, 11)) == (record, 0x9000)
    assert send(sim, read_record(0x07, 0x00)) == (record, 0x9000)  # Le = 00: up to 256
    assert send(sim, read_record(0x07, 40)) == (record, 0x9000)
    assert send(sim, read_record(0x07, 5)) == (b"", 0x6C0B)


def test_a_wrong_le_card_answers_6cxx_with_the_true_length_to_any_other_le() -> None:
    sim = opened("li-kun", EF06)
    for le in (0x00, 0x10, 0x40):
        assert send(sim, read_record(0x09, le)) == (b"", 0x6C20)  # the full 30-byte name
    data, status = send(sim, read_record(0x09, 0x20))
    assert (status, len(data)) == (0x9000, 32)


def test_a_wrong_le_card_announces_its_fci_and_wants_the_exact_get_response_le() -> None:
    sim = card("li-kun")
    assert send(sim, SELECT_APP + b"\x00") == (b"", 0x6113)
    assert send(sim, GET_RESPONSE + b"\x00") == (b"", 0x6C13)
    assert send(sim, GET_RESPONSE + b"\x13") == (b"\x6f\x11\x84\x0f" + AID, 0x9000)


def test_a_t0_card_announces_data_with_61xx_for_get_response() -> None:
    sim = opened("wang-zhe", EF05)
    assert send(sim, read_record(0x07, 11)) == (b"", 0x610B)
    assert send(sim, GET_RESPONSE + b"\x20") == (b"", 0x6C0B)  # too long: told the length
    assert send(sim, GET_RESPONSE + b"\x05") == (b"\x07\x09B32", 0x6106)
    assert send(sim, GET_RESPONSE + b"\x06") == (b"010002", 0x9000)
    assert send(sim, read_record(0x07, 11))[1] == 0x610B
    assert send(sim, read_record(0x03, 6))[1] == 0x6106  # another command drops the rest
    assert send(sim, GET_RESPONSE + b"\x00") == (b"\x03\x041.00", 0x9000)


def test_get_response_chunks_are_limited_by_the_chunk_fault() -> None:
    sim = opened("wang-zhe", EF05)
    sim.faults.get_response_chunk = 4
    assert send(sim, read_record(0x07, 11)) == (b"", 0x610B)
    assert send(sim, GET_RESPONSE + b"\x0b") == (b"\x07\x09B3", 0x6107)
    assert send(sim, GET_RESPONSE + b"\x07") == (b"2010", 0x6103)
    assert send(sim, GET_RESPONSE + b"\x03") == (b"002", 0x9000)


def test_select_answers_an_fci_with_le_or_9000_only_without_fci() -> None:
    assert send(card("zhang-wei"), SELECT_APP + b"\x00") == (b"\x6f\x11\x84\x0f" + AID, 0x9000)
    assert send(card("zhang-wei"), SELECT_APP) == (b"", 0x9000)  # no Le: no data asked for
    assert send(variant("zhang-wei", fci=False), SELECT_APP + b"\x00") == (b"", 0x9000)
    assert send(card("wang-zhe"), SELECT_APP + b"\x00") == (b"", 0x9000)  # a 1.00 card


@pytest.mark.parametrize(("key", "p1_00"), [("zhang-wei", 0x9000), ("li-kun", 0x6A86),
                                            ("pin-gated-blocked", 0x6A86)])  # fmt: skip
def test_select_ef_takes_p1_02_everywhere_and_p1_00_where_the_card_does(
    key: str, p1_00: int
) -> None:
    sim = opened(key)
    assert send(sim, bytes.fromhex("00A4000002EF05"))[1] == p1_00
    assert send(sim, bytes.fromhex("00A4020002EF05"))[1] == 0x9000


def test_files_and_records_that_are_not_there_answer_6a82_6a83_6986() -> None:
    assert send(card("zhang-wei"), bytes.fromhex("00A4040005A000000003"))[1] == 0x6A82
    assert send(card("not-ssse"), SELECT_APP + b"\x00")[1] == 0x6A82
    sim = card("zhang-wei")
    assert send(sim, bytes.fromhex("00A4020002EF05"))[1] == 0x6A82  # application not selected
    assert send(sim, read_record(0x01, 18))[1] == 0x6986  # ISO: no current EF
    sim = opened("zhang-wei")
    assert send(sim, bytes.fromhex("00A4020002EF07"))[1] == 0x6A82
    assert select_ef(sim, EF05) == 0x9000
    assert send(sim, read_record(0x20, 0))[1] == 0x6A83
    assert send(sim, bytes.fromhex("00B2010500"))[1] == 0x6A86


def test_unknown_instructions_classes_and_lengths_get_their_iso_words() -> None:
    sim = opened("zhang-wei")
    assert send(sim, bytes.fromhex("00B0000000"))[1] == 0x6D00
    assert send(sim, bytes.fromhex("A0A404000F") + AID)[1] == 0x6E00
    assert send(sim, bytes.fromhex("00A404000F7378"))[1] == 0x6700  # Lc says 15, 2 follow
    assert len(run(sim, bytes.fromhex("0084000008"))[0]) == 8  # GET CHALLENGE


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

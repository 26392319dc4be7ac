"""The simulator against card-profile.md and ISO 7816-4, by raw APDU bytes only.

Nothing here uses the reader: every command is spelled out from the profile document, so the
simulator cannot drift towards whatever the reader happens to send or accept.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from card_reader.simulator import load_profiles
from card_reader.simulator import profile as card_profile
from tests.card_reader.raw_apdus import (
    AID,
    EF05,
    EF06,
    GET_RESPONSE,
    KEYS,
    SELECT_APP,
    TABLE,
    atr_shape,
    card,
    opened,
    read_record,
    records,
    run,
    select_ef,
    send,
    variant,
    verify,
)


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


def test_atr_analysis_calls_no_profile_atr_truncated_or_invalid(tmp_path: Path) -> None:
    # A real client nobody here wrote; scripts/setup.sh installs it (Debian pcsc-tools).
    assert shutil.which("ATR_analysis"), "ATR_analysis missing: apt-get install pcsc-tools"
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


@pytest.mark.parametrize(
    ("key", "p1_00"), [("zhang-wei", 0x9000), ("li-kun", 0x6A86), ("pin-gated-blocked", 0x6A86)]
)
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

"""The simulator's CHANGE PIN, by raw APDU bytes only: `80 5E 01 00 Lc old || FF || new`,
both PINs packed BCD as VERIFY packs them (card-profile.md), status words from ISO 7816-4.

zhang-wei's PIN is 123456 with 3 tries; pin-gated's is 159357; blocked-pin has none left.
"""

from __future__ import annotations

import pytest

from tests.card_reader.raw_apdus import (
    EF06,
    PROBE,
    SELECT_APP,
    card,
    opened,
    read_record,
    send,
    verify,
)


def bcd(pin: str) -> bytes:
    return bytes.fromhex(pin + "F" * (len(pin) % 2))


def change_pin(old: str, new: str) -> bytes:
    data = bcd(old) + b"\xff" + bcd(new)
    return bytes.fromhex("805E0100") + bytes([len(data)]) + data


def with_data(data_hex: str, header: str = "805E0100") -> bytes:
    data = bytes.fromhex(data_hex)
    return bytes.fromhex(header) + bytes([len(data)]) + data


def test_the_apdu_helper_spells_the_profile_bytes() -> None:
    assert change_pin("123456", "654321") == bytes.fromhex("805E010007123456FF654321")


def test_a_right_old_pin_sets_the_new_pin() -> None:
    sim = opened("zhang-wei")
    assert send(sim, change_pin("123456", "246802")) == (b"", 0x9000)
    assert send(sim, verify("246802"))[1] == 0x9000
    assert send(sim, verify("123456"))[1] == 0x63C2  # the old PIN is now a wrong one
    assert sim.pin == "246802"


def test_the_new_pin_survives_a_power_cycle() -> None:
    sim = opened("zhang-wei")
    assert send(sim, change_pin("123456", "246802"))[1] == 0x9000
    sim.reset()
    assert send(sim, SELECT_APP)[1] == 0x9000
    assert send(sim, verify("123456"))[1] == 0x63C2
    assert send(sim, verify("246802"))[1] == 0x9000


def test_pins_of_four_and_twelve_digits_odd_ones_f_padded_are_taken() -> None:
    sim = opened("zhang-wei")
    assert send(sim, change_pin("123456", "1357"))[1] == 0x9000
    assert send(sim, change_pin("1357", "123456789012"))[1] == 0x9000
    assert send(sim, change_pin("123456789012", "97531"))[1] == 0x9000
    assert send(sim, verify("97531"))[1] == 0x9000


def test_a_wrong_old_pin_counts_down_the_verify_tries_and_keeps_the_pin() -> None:
    sim = opened("zhang-wei")
    assert send(sim, change_pin("000000", "246802"))[1] == 0x63C2
    assert send(sim, verify("999999"))[1] == 0x63C1  # one counter for both commands
    assert send(sim, change_pin("111111", "246802"))[1] == 0x63C0
    assert send(sim, change_pin("123456", "246802"))[1] == 0x6983  # blocked now
    assert send(sim, verify("123456"))[1] == 0x6983
    assert send(sim, PROBE)[1] == 0x6983
    assert sim.pin == "123456"


def test_a_wrong_old_pin_changes_nothing_and_a_right_one_refills_the_tries() -> None:
    sim = opened("zhang-wei")
    assert send(sim, change_pin("000000", "246802"))[1] == 0x63C2
    assert send(sim, PROBE)[1] == 0x63C2
    assert send(sim, verify("246802"))[1] == 0x63C1  # the new PIN was not stored
    assert send(sim, change_pin("123456", "246802"))[1] == 0x9000
    sim.reset()
    assert (send(sim, SELECT_APP)[1], send(sim, PROBE)[1]) == (0x9000, 0x63C3)


def test_a_blocked_pin_answers_6983_and_stays_as_it_was() -> None:
    sim = opened("blocked-pin")
    right = sim.pin
    assert send(sim, change_pin(right, "246802"))[1] == 0x6983
    assert send(sim, change_pin("000000", "246802"))[1] == 0x6983
    assert (sim.pin, sim.tries_left) == (right, 0)


def test_a_right_old_pin_leaves_the_card_verified_as_verify_does() -> None:
    sim = opened("pin-gated", EF06)
    assert send(sim, read_record(0x08, 20))[1] == 0x6982
    assert send(sim, change_pin("159357", "246802"))[1] == 0x9000
    assert send(sim, read_record(0x08, 20))[1] == 0x9000
    assert send(sim, change_pin("000000", "135790"))[1] == 0x63C2  # a wrong one clears it
    assert send(sim, read_record(0x08, 20))[1] == 0x6982


@pytest.mark.parametrize(
    ("apdu", "why"),
    [
        (bytes.fromhex("805E0100"), "no data field at all"),
        (bytes.fromhex("805E010008123456FF654321"), "Lc says 8, 7 follow"),
        (bytes.fromhex("805E0100FF123456FF654321"), "Lc says 255, 7 follow"),
        (with_data("1234FF56"), "4 bytes: shorter than two 4-digit PINs"),
        (with_data("123456789012FF12345678901234"), "14 bytes: longer than two 12-digit PINs"),
    ],
    ids=["no-data", "lc-8-of-7", "lc-255-of-7", "4-bytes", "14-bytes"],
)
def test_a_data_field_of_no_possible_length_answers_6700_and_spends_no_try(
    apdu: bytes, why: str
) -> None:
    sim = opened("zhang-wei")
    assert send(sim, apdu)[1] == 0x6700, why
    assert send(sim, PROBE)[1] == 0x63C3


def test_an_le_after_the_data_is_read_as_case_4_and_ignored() -> None:
    sim = opened("zhang-wei")
    assert send(sim, bytes.fromhex("805E010007123456FF24680200"))[1] == 0x9000
    assert send(sim, verify("246802"))[1] == 0x9000


@pytest.mark.parametrize("p1_p2", ["0200", "0101", "01FF", "FF00"])
def test_other_p1_p2_answer_6a86(p1_p2: str) -> None:
    sim = opened("zhang-wei")
    assert send(sim, with_data("123456FF654321", "805E" + p1_p2))[1] == 0x6A86
    assert send(sim, PROBE)[1] == 0x63C3


def test_the_pin_reload_form_wants_the_issuers_mac_and_changes_nothing() -> None:
    sim = opened("zhang-wei")
    assert send(sim, with_data("123456FF654321", "805E0000"))[1] == 0x6982
    assert send(sim, verify("123456"))[1] == 0x9000


@pytest.mark.parametrize("cla", ["00", "84", "A0"])
def test_change_pin_outside_class_80_answers_6e00(cla: str) -> None:
    sim = opened("zhang-wei")
    assert send(sim, with_data("123456FF654321", cla + "5E0100"))[1] == 0x6E00
    assert send(sim, verify("123456"))[1] == 0x9000  # the PIN did not change


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("123456654321", "no FF separator"),
        ("123456F654321F", "no FF byte, only F nibbles"),
        ("FF123456654321", "nothing before the separator"),
        ("123456654321FF", "nothing after the separator"),
        ("123456FF65432A", "A is not a decimal digit"),
        ("12345AFF654321", "the old PIN has a non-digit"),
        ("123456FF6F4321", "an F pad before the last nibble"),
        ("123456FF12", "a new PIN of two digits"),
        ("12FF654321", "an old PIN of two digits"),
        ("123456FF6543FF", "a second FF"),
        ("123456FF1234567890123F", "a new PIN of 13 digits"),
    ],
)
def test_a_data_field_that_is_not_old_ff_new_answers_6a80_and_spends_no_try(
    data: str, why: str
) -> None:
    sim = opened("zhang-wei")
    assert send(sim, with_data(data))[1] == 0x6A80, why
    assert send(sim, PROBE)[1] == 0x63C3
    assert sim.pin == "123456"


def test_change_pin_before_the_application_is_selected_answers_6985() -> None:
    sim = card("zhang-wei")
    assert send(sim, change_pin("123456", "246802"))[1] == 0x6985
    assert sim.pin == "123456"


def test_the_new_pin_belongs_to_the_card_object_not_to_its_profile() -> None:
    first, second = opened("zhang-wei"), opened("zhang-wei")
    assert send(first, change_pin("123456", "246802"))[1] == 0x9000
    assert send(second, verify("123456"))[1] == 0x9000  # another card from the same profile

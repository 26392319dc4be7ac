"""Reading every demo card profile through the simulator, APDU by APDU."""

from __future__ import annotations

from datetime import date

import pytest

from card_reader import open_card
from card_reader.apdu import Command
from card_reader.backends.virtual import VirtualBackend
from card_reader.errors import (
    CardCommunicationError,
    CardDataDamagedError,
    CardErrorKind,
    CardRemovedError,
    NotSSSECardError,
    PinRequiredError,
)
from card_reader.simulator import Faults, build_card, load_profiles, profile
from card_reader.sscard import PinStatus, SSCard, pack_pin

UNREADABLE = ("damaged-name", "bad-checksum", "mute-card")
READABLE = [p.key for p in load_profiles() if p.ssse and p.key not in UNREADABLE]


def card_for(key: str, faults: Faults | None = None) -> SSCard:
    backend = VirtualBackend()
    backend.insert(build_card(profile(key), faults))
    return open_card(backend.connect(backend.reader), keep_trace=True)


@pytest.mark.parametrize("key", READABLE)
def test_every_demo_card_reads_back_what_its_profile_says(key: str) -> None:
    expected = profile(key).raw
    card = card_for(key)
    if expected.get("pin_gated_personal"):
        with pytest.raises(PinRequiredError):
            card.read_identity()
        if expected["pin_tries_left"] == 0:
            assert card.probe().pin_blocked
            return
        assert card.verify_pin(expected["pin"]).ok
    identity = card.read_identity()
    assert identity.card_number == expected["card_number"]
    assert identity.ssn == expected["citizen_id"]
    assert identity.name == expected["name"]
    assert identity.sex == {"1": "male", "2": "female"}[expected["sex"]]
    assert identity.birth_date == date.fromisoformat(expected["birth_date"])
    assert identity.issue_date == date.fromisoformat(expected["issue_date"])
    assert identity.expiry_date == date.fromisoformat(expected["expiry_date"])
    assert identity.spec_version == expected["spec_version"]
    assert identity.issuer_code == expected["issuer_code"]
    assert identity.region_code == expected["region_code"]
    assert identity.card_id.startswith(expected["region_code"] + "D156000005")


def test_a_2_00_card_is_read_in_twelve_apdus_without_a_repeated_select() -> None:
    card = card_for("zhang-wei")
    card.read_identity()
    assert card.channel.apdu_count == 12
    selects = [line for line in card.channel.trace if line.startswith("> 00 A4")]
    assert len(selects) == len(set(selects)) == 3


def test_a_long_name_continues_in_the_4e_extension() -> None:
    card = card_for("long-name")
    assert card.read_identity().name == "阿卜杜热合曼·买买提依明·艾力克木"
    assert card.channel.apdu_count == 13
    assert any(line.startswith("> 00 B2 4E") for line in card.channel.trace)


def test_rare_gbk_characters_outside_gb2312_decode() -> None:
    names = {card_for(k).read_identity().name for k in ("wang-zhe", "li-kun", "expired")}
    assert names == {"王喆", "李堃", "刘镕"}


def test_a_t0_card_answering_61xx_is_read_with_get_response() -> None:
    card = card_for("wang-zhe")
    assert card.read_identity().card_number == "B32010002"
    assert any(line.startswith("> 00 C0") for line in card.channel.trace)


def test_a_card_answering_6cxx_to_a_wrong_le_is_asked_again_with_the_le_it_named() -> None:
    card = card_for("li-kun")
    assert card.read_identity().name == "李堃"  # the reader asks with the table's Le
    assert not any("< 6C" in line for line in card.channel.trace)
    answer = card.channel.send(Command(0x00, 0xB2, 0x09, 0x00, le=0x10))
    assert answer.ok
    assert answer.data[:2] == bytes([0x09, 30])
    assert any("< 6C20" in line for line in card.channel.trace)


def test_chunked_get_responses_are_joined() -> None:
    card = card_for("wang-zhe", Faults(get_response_chunk=4))
    assert card.read_identity().ssn == profile("wang-zhe").raw["citizen_id"]


def test_a_card_without_the_ssse_application_is_not_an_ssse_card() -> None:
    with pytest.raises(NotSSSECardError) as caught:
        card_for("not-ssse").read_identity()
    assert caught.value.kind is CardErrorKind.NOT_SSSE  # the kiosk says so in words


def test_undecodable_name_bytes_are_damaged_data_not_a_crash() -> None:
    with pytest.raises(CardDataDamagedError, match="GB 18030"):
        card_for("damaged-name").read_identity()


def test_a_bad_citizen_id_checksum_is_reported() -> None:
    with pytest.raises(CardDataDamagedError, match="checksum"):
        card_for("bad-checksum").read_identity()


def test_a_cut_short_response_is_a_typed_error() -> None:
    with pytest.raises(CardCommunicationError, match="no status word"):
        card_for("zhang-wei", Faults(corrupt_at=4)).read_identity()


@pytest.mark.parametrize("position", range(12))
def test_a_card_pulled_at_any_apdu_gives_card_removed(position: int) -> None:
    with pytest.raises(CardRemovedError):
        card_for("zhang-wei", Faults(pull_after=position)).read_identity()


def test_a_wrong_pin_counts_down_then_blocks() -> None:
    card = card_for("zhang-wei")
    assert card.pin_tries_left() == 3
    results = [card.verify_pin("000000") for _ in range(3)]
    assert [(r.status, r.tries_left) for r in results] == [
        (PinStatus.WRONG, 2),
        (PinStatus.WRONG, 1),
        (PinStatus.BLOCKED, 0),
    ]
    assert card.verify_pin("123456").status is PinStatus.BLOCKED
    assert card.pin_tries_left() == 0


def test_the_right_pin_verifies_and_resets_the_counter() -> None:
    backend = VirtualBackend()
    simulated = build_card(profile("zhang-wei"))
    backend.insert(simulated)
    card = open_card(backend.connect(backend.reader))
    assert card.verify_pin("000000").tries_left == 2
    assert card.verify_pin(bytearray(b"123456")).ok
    # Verified: the empty VERIFY answers 9000 (ISO 7816-4), so the card does not say.
    assert card.pin_tries_left() is None
    backend.insert(simulated)  # a new card session
    assert open_card(backend.connect(backend.reader)).pin_tries_left() == 3


def test_a_blocked_card_says_so_without_spending_a_try() -> None:
    card = card_for("blocked-pin")
    assert card.pin_tries_left() == 0
    assert card.verify_pin("112233").status is PinStatus.BLOCKED


def test_the_pin_buffer_is_zeroed_after_verify() -> None:
    pin = bytearray(b"123456")
    card_for("zhang-wei").verify_pin(pin)
    assert pin == bytearray(6)


def test_pins_pack_as_bcd() -> None:
    assert pack_pin("888888") == bytearray.fromhex("888888")
    assert pack_pin("12345") == bytearray.fromhex("12345F")
    with pytest.raises(ValueError, match="4 to 12 digits"):
        pack_pin("12a4")


def test_an_expired_card_reads_and_knows_it_is_expired() -> None:
    identity = card_for("expired").read_identity()
    assert identity.expired(date(2026, 11, 24))
    assert not card_for("zhang-wei").read_identity().expired(date(2026, 11, 24))


def test_the_identity_repr_carries_no_personal_data() -> None:
    identity = card_for("zhang-wei").read_identity()
    assert identity.name not in repr(identity)
    assert identity.ssn not in repr(identity)
    assert identity.card_number not in repr(identity)

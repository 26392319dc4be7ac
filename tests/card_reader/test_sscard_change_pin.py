"""SSCard.change_pin against the simulator through the virtual backend, and the PIN buffers.

zhang-wei's PIN is 123456 with 3 tries; blocked-pin has none left.
"""

from __future__ import annotations

import logging

import pytest

from card_reader import open_card, sscard
from card_reader.backends.virtual import VirtualBackend
from card_reader.errors import CardCommunicationError, CardRemovedError
from card_reader.simulator import Faults, SimulatedCard, build_card, profile
from card_reader.sscard import PinStatus, SSCard, pin_change_data
from tests.card_reader.scripted import OK, SELECT_AID, ScriptedCard

NEW_PIN = "246802"


def inserted(key: str = "zhang-wei", faults: Faults | None = None) -> VirtualBackend:
    backend = VirtualBackend()
    backend.insert(build_card(profile(key), faults))
    return backend


def session(backend: VirtualBackend, card: SimulatedCard | None = None) -> SSCard:
    """A new card session: the card is (re)inserted, so nothing verified carries over."""
    if card is not None:
        backend.insert(card)
    return open_card(backend.connect(backend.reader), keep_trace=True)


def test_a_right_old_pin_changes_the_pin_for_the_next_session() -> None:
    backend = inserted()
    simulated = backend.card
    assert simulated is not None
    result = session(backend).change_pin(bytearray(b"123456"), bytearray(NEW_PIN.encode()))
    assert (result.status, result.ok) == (PinStatus.OK, True)
    later = session(backend, simulated)
    assert later.verify_pin("123456").status is PinStatus.WRONG
    assert later.verify_pin(NEW_PIN).ok


def test_change_pin_sends_one_redacted_change_pin_apdu() -> None:
    card = session(inserted())
    assert card.change_pin("123456", NEW_PIN).ok
    assert card.channel.trace[-1].startswith("> 80 5E 01 00 07 <PIN 7 bytes>  < 9000")
    assert card.channel.apdu_count == 2  # SELECT, CHANGE PIN


def test_a_right_old_pin_leaves_the_session_verified() -> None:
    card = session(inserted("pin-gated"))
    assert card.change_pin(profile("pin-gated").pin, NEW_PIN).ok
    assert card.pin_verified
    assert card.read_holder().ssn == profile("pin-gated").citizen_id  # EF06 is open


def test_a_wrong_old_pin_counts_down_then_blocks() -> None:
    card = session(inserted())
    results = [card.change_pin("000000", NEW_PIN) for _ in range(4)]
    assert [(r.status, r.tries_left) for r in results] == [
        (PinStatus.WRONG, 2),
        (PinStatus.WRONG, 1),
        (PinStatus.BLOCKED, 0),
        (PinStatus.BLOCKED, 0),
    ]
    assert not card.pin_verified
    assert card.change_pin("123456", NEW_PIN).status is PinStatus.BLOCKED
    assert card.verify_pin("123456").status is PinStatus.BLOCKED


def test_change_pin_and_verify_spend_the_same_tries() -> None:
    card = session(inserted())
    assert card.verify_pin("000000").tries_left == 2
    assert card.change_pin("000000", NEW_PIN).tries_left == 1
    assert card.pin_tries_left() == 1


def test_a_blocked_card_answers_blocked() -> None:
    result = session(inserted("blocked-pin")).change_pin(profile("blocked-pin").pin, NEW_PIN)
    assert (result.status, result.tries_left) == (PinStatus.BLOCKED, 0)


@pytest.mark.parametrize(
    ("old", "new"), [("123456", "12a456"), ("123456", "123"), ("12345", "1234567890123")]
)
def test_a_malformed_pin_raises_as_pack_pin_does_and_sends_nothing(old: str, new: str) -> None:
    card = session(inserted())
    with pytest.raises(ValueError, match="4 to 12 digits"):
        card.change_pin(bytearray(old.encode()), bytearray(new.encode()))
    assert card.channel.apdu_count == 0


def test_a_malformed_old_pin_raises_too() -> None:
    with pytest.raises(ValueError, match="4 to 12 digits"):
        session(inserted()).change_pin("12 456", NEW_PIN)


@pytest.mark.parametrize(
    ("old", "new", "outcome"),
    [
        ("123456", NEW_PIN, PinStatus.OK),
        ("000000", NEW_PIN, PinStatus.WRONG),
        ("123456", "12a456", ValueError),
        ("12a456", NEW_PIN, ValueError),
    ],
    ids=["changed", "wrong-old", "malformed-new", "malformed-old"],
)
def test_both_pin_bytearrays_are_zeroed_whatever_the_outcome(
    old: str, new: str, outcome: PinStatus | type[ValueError]
) -> None:
    old_buffer, new_buffer = bytearray(old.encode()), bytearray(new.encode())
    card = session(inserted())
    if outcome is ValueError:
        with pytest.raises(ValueError, match="4 to 12 digits"):
            card.change_pin(old_buffer, new_buffer)
    else:
        assert card.change_pin(old_buffer, new_buffer).status is outcome
    assert (old_buffer, new_buffer) == (bytearray(len(old)), bytearray(len(new)))


def test_the_pins_are_zeroed_when_the_card_is_pulled_at_the_change() -> None:
    old_buffer, new_buffer = bytearray(b"123456"), bytearray(NEW_PIN.encode())
    card = session(inserted(faults=Faults(pull_after=1)))  # SELECT answers, CHANGE PIN not
    with pytest.raises(CardRemovedError):
        card.change_pin(old_buffer, new_buffer)
    assert old_buffer == new_buffer == bytearray(6)


def test_every_buffer_built_from_the_pins_is_zeroed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packed halves and old || FF || new itself: captured as they are made."""
    real_pack, real_data = sscard.pack_pin, sscard.pin_change_data
    built: list[bytearray] = []
    data_as_built: list[bytes] = []

    def spy_pack(pin: bytearray | str) -> bytearray:
        built.append(real_pack(pin))
        return built[-1]

    def spy_data(old: bytearray | str, new: bytearray | str) -> bytearray:
        built.append(real_data(old, new))
        data_as_built.append(bytes(built[-1]))
        return built[-1]

    monkeypatch.setattr(sscard, "pack_pin", spy_pack)
    monkeypatch.setattr(sscard, "pin_change_data", spy_data)
    assert session(inserted()).change_pin("123456", NEW_PIN).ok
    assert data_as_built == [bytes.fromhex("123456FF246802")]  # the spies saw the real thing
    assert [len(buffer) for buffer in built] == [3, 3, 7]
    assert all(not any(buffer) for buffer in built)


def test_pin_change_data_packs_both_pins_as_verify_does() -> None:
    assert pin_change_data("123456", "13579") == bytearray.fromhex("123456FF13579F")
    assert pin_change_data(bytearray(b"1234"), "123456789012") == bytearray.fromhex(
        "1234FF123456789012"
    )


def test_no_pin_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    card = session(inserted())
    card.change_pin("123456", "975310")
    card.change_pin("975310", "864208")
    logged = caplog.text.replace(" ", "")
    assert "80 5E 01 00" in caplog.text  # the APDUs were logged, redacted
    for pin in ("123456", "975310", "864208"):
        assert pin not in logged
    assert not any(pin in "".join(card.channel.trace) for pin in ("975310", "864208"))


def test_another_status_word_is_a_communication_error_naming_change_pin() -> None:
    scripted = ScriptedCard({"805E010007123456FF246802": "6984"})
    with pytest.raises(CardCommunicationError, match=r"CHANGE PIN: 6984"):
        open_card(scripted).change_pin("123456", NEW_PIN)
    assert scripted.sent[-1] == "805E010007123456FF246802"


def test_a_card_written_from_the_profile_bytes_takes_the_same_apdu() -> None:
    scripted = ScriptedCard({"805E010007123456FF246802": OK})
    assert open_card(scripted).change_pin(bytearray(b"123456"), NEW_PIN).ok
    assert scripted.sent == [SELECT_AID, "805E010007123456FF246802"]

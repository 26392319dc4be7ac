"""The reader against cards written out byte by byte from card-profile.md, not the simulator.

Each card here is a table of command APDU -> response, so what is tested is the reader's
reading of the specification: the region from the card identification code, PIN-gated
personal files, cards that read records by number only, a wrong Le answered 6700, names in
GB 18030, and a card that never answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest

from card_reader import open_card
from card_reader.deadline import stuck_calls
from card_reader.errors import (
    CardDataDamagedError,
    CardNotRespondingError,
    NotSSSECardError,
    PinRequiredError,
)
from card_reader.sscard import PinStatus, SSCard
from tests.card_reader.scripted import (
    CARD_ID,
    ISSUER,
    OK,
    PROBE,
    SELECT_AID,
    SELECT_EF05,
    SELECT_EF06,
    VERIFY_246135,
    ScriptedCard,
    ef05_records,
    ef06_records,
    name_record,
    read,
    tlv,
)


def reader_for(card: ScriptedCard, deadline: float = 5.0) -> SSCard:
    return open_card(card, keep_trace=True, deadline_seconds=deadline)


def test_the_region_comes_from_the_card_identification_code_not_the_issuer() -> None:
    card = ScriptedCard({**ef05_records(), **ef06_records()})
    identity = reader_for(card).read_identity()
    assert identity.region_code == "360400"
    assert identity.issuer_code == ISSUER
    assert identity.card_id == CARD_ID.hex().upper()


def test_the_pin_pad_needs_only_the_select_and_the_tries_probe() -> None:
    card = ScriptedCard({**ef05_records(), **ef06_records()})
    probe = reader_for(card).probe()
    assert probe.tries_left == 3
    assert card.sent == [SELECT_AID, PROBE]


def test_six_tries_are_what_the_card_says_not_a_constant() -> None:
    card = ScriptedCard({PROBE: "63C6"})
    assert reader_for(card).probe().tries_left == 6


def test_a_card_without_the_tries_probe_still_reaches_the_pin_pad() -> None:
    card = ScriptedCard({PROBE: "6A86"})
    probe = reader_for(card).probe()
    assert probe.tries_left is None
    assert not probe.pin_blocked


def test_a_pin_gated_personal_file_asks_for_the_pin_then_reads_after_verify() -> None:
    locked = {read(0x08, 18): "6982", read(0x09, 30): "6982"}
    card = ScriptedCard({**ef05_records(), **locked}, after_verify=ef06_records())
    reader = reader_for(card)
    assert reader.read_facts().card_number == "C36042603"
    with pytest.raises(PinRequiredError):
        reader.read_holder()
    assert reader.verify_pin(bytearray(b"246135")).ok
    holder = reader.read_holder()
    assert (holder.name, holder.ssn) == ("李堃", "360426199101010071")


def test_a_blocked_pin_gated_card_is_blocked_not_damaged() -> None:
    locked = {PROBE: "6983", VERIFY_246135: "6983", read(0x08, 18): "6982"}
    card = ScriptedCard({**ef05_records(), **locked})
    reader = reader_for(card)
    assert reader.probe().pin_blocked
    assert reader.verify_pin("246135").status is PinStatus.BLOCKED
    with pytest.raises(PinRequiredError):
        reader.read_holder()


def test_the_last_wrong_try_answering_63c0_is_blocked() -> None:
    card = ScriptedCard({"0020000003000000": "63C0"})
    assert reader_for(card).verify_pin("000000").status is PinStatus.BLOCKED


def test_a_four_byte_gb18030_name_decodes() -> None:
    card = ScriptedCard({**ef05_records(), **ef06_records("吉𠮷祥")})
    assert reader_for(card).read_identity().name == "吉𠮷祥"


def test_a_name_that_goes_on_in_the_extension_is_joined_even_when_space_padded() -> None:
    name = "阿卜杜热合曼·买买提依明·艾力克木"
    raw = name.encode("gb18030")
    head, tail = raw[:29], raw[29:]  # a character did not fit: one byte of padding
    table = {**ef05_records(), **ef06_records()}
    table[read(0x09, 30)] = tlv(0x09, head.ljust(30, b" "))
    table[read(0x4E, 20)] = tlv(0x4E, tail.ljust(20, b"\x00"))
    assert reader_for(ScriptedCard(table)).read_identity().name == name


def test_a_card_answering_6700_to_a_wrong_le_is_read_with_le_00() -> None:
    table = {**ef05_records(), **ef06_records()}
    table[read(0x09, 30)] = "6700"
    table["00B2090000"] = tlv(0x09, name_record("李堃"))
    assert reader_for(ScriptedCard(table)).read_identity().name == "李堃"


class ByNumberCard(ScriptedCard):
    """Answers 6A86 to READ RECORD by tag; by number, from the selected file's records."""

    def __init__(self) -> None:
        super().__init__({})
        self.files = {
            SELECT_EF05: [r for r in ef05_records().values()],
            SELECT_EF06: [r for r in ef06_records().values() if r != "6A83"],
        }
        self.selected = ""

    def transmit(self, apdu: bytes) -> bytes:
        command = apdu.hex().upper()
        if command in self.files:
            self.selected = command
        if command.startswith("00B2") and command[6:8] == "00":
            self.sent.append(command)
            return bytes.fromhex("6A86")
        if command.startswith("00B2") and command[6:8] == "04":
            self.sent.append(command)
            records = self.files[self.selected]
            number = int(command[4:6], 16)
            return bytes.fromhex(records[number - 1] if number <= len(records) else "6A83")
        return super().transmit(apdu)


def test_a_card_that_reads_records_by_number_only_is_read_by_number() -> None:
    identity = reader_for(ByNumberCard()).read_identity()
    assert (identity.region_code, identity.card_number) == ("360400", "C36042603")
    assert identity.name == "李堃"


def test_an_expiry_of_zeros_is_a_card_without_an_expiry_date() -> None:
    table = {**ef05_records(), **ef06_records()}
    table[read(0x06, 4)] = tlv(0x06, bytes(4))
    facts = reader_for(ScriptedCard(table)).read_facts()
    assert facts.expiry_date == date.max
    assert not facts.expired(date(2099, 1, 1))


def test_a_region_that_is_not_bcd_is_damaged_data() -> None:
    table = {**ef05_records(), **ef06_records()}
    table[read(0x01, 16)] = tlv(0x01, b"\xab" * 16)
    with pytest.raises(CardDataDamagedError, match="region"):
        reader_for(ScriptedCard(table)).read_facts()


class MuteCard(ScriptedCard):
    """Answers `answers` commands, then never again (until released)."""

    def __init__(self, answers: int) -> None:
        super().__init__({**ef05_records(), **ef06_records()})
        self.answers = answers
        self.release = threading.Event()

    def transmit(self, apdu: bytes) -> bytes:
        if len(self.sent) >= self.answers:
            self.sent.append(apdu.hex().upper())
            self.release.wait()
            raise OSError("released")
        return super().transmit(apdu)


def timed(call: Callable[[], object]) -> float:
    started = time.monotonic()
    with pytest.raises(CardNotRespondingError):
        call()
    return time.monotonic() - started


def test_a_card_that_stops_answering_gives_up_at_the_deadline() -> None:
    card = MuteCard(answers=3)
    reader = reader_for(card, deadline=0.3)
    try:
        assert reader.probe().tries_left == 3
        assert 0.3 <= timed(reader.read_facts) < 2.0
        # The driver call is still stuck: later commands fail at once instead of stacking up.
        assert timed(lambda: reader.verify_pin("246135")) < 0.1
        assert len(card.sent) == 4
    finally:
        card.release.set()


def card_io_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "deadline-runner")


def test_the_thread_of_a_stuck_call_ends_once_the_call_returns() -> None:
    stuck = MuteCard(answers=0)
    timed(reader_for(stuck, deadline=0.2).probe)
    during, stuck_during = card_io_threads(), stuck_calls()
    assert stuck_during >= 1  # the kiosk's health counts it
    stuck.release.set()  # e.g. the card is pulled: the driver call comes back at last
    deadline = time.monotonic() + 2
    while card_io_threads() >= during and time.monotonic() < deadline:
        time.sleep(0.01)
    # Earlier tests' stuck calls may return meanwhile too: counts only ever go down here.
    assert card_io_threads() <= during - 1
    assert stuck_calls() <= stuck_during - 1


def test_a_stuck_call_does_not_hold_up_the_next_card() -> None:
    stuck = MuteCard(answers=0)
    try:
        timed(reader_for(stuck, deadline=0.2).probe)
        healthy = ScriptedCard({**ef05_records(), **ef06_records()})
        assert reader_for(healthy, deadline=0.2).read_identity().region_code == "360400"
    finally:
        stuck.release.set()


def test_a_card_that_finds_the_application_only_from_the_master_file() -> None:
    table = {**ef05_records(), **ef06_records(), SELECT_AID: "6A82", "00A40000023F00": OK}
    card = ScriptedCard(table)
    original = card.transmit

    def transmit(apdu: bytes) -> bytes:
        if apdu.hex().upper() == "00A40000023F00":
            card.table[SELECT_AID] = OK  # from the MF, the DF name is found
        return original(apdu)

    card.transmit = transmit  # type: ignore[method-assign]
    assert reader_for(card).read_identity().region_code == "360400"
    assert card.sent[:3] == [SELECT_AID, "00A40000023F00", SELECT_AID]


def test_a_card_without_an_identification_code_takes_the_region_from_the_issuer() -> None:
    table = {**ef05_records(), **ef06_records(), read(0x01, 16): "6A83"}
    facts = reader_for(ScriptedCard(table)).read_facts()
    assert (facts.region_code, facts.card_id) == ("360400", "")


def test_records_padded_with_ff_decode() -> None:
    table = {**ef05_records(), **ef06_records()}
    table[read(0x09, 30)] = tlv(0x09, name_record("李堃", pad=b"\xff"))
    assert reader_for(ScriptedCard(table)).read_identity().name == "李堃"


def test_not_an_ssse_card_costs_the_master_file_retry_and_nothing_more() -> None:
    card = ScriptedCard({SELECT_AID: "6A82", "00A40000023F00": OK})
    with pytest.raises(NotSSSECardError):
        reader_for(card).probe()
    assert card.sent == [SELECT_AID, "00A40000023F00", SELECT_AID]

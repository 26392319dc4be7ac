"""Cards written out byte by byte from card-profile.md: a table of command APDU -> response.

Independent of card_reader/simulator on purpose: what these cards test is the reader's
reading of the specification, not its agreement with our own simulator.
"""

from __future__ import annotations

SELECT_AID = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
SELECT_EF05, SELECT_EF06 = "00A4000002EF05", "00A4000002EF06"
PROBE = "00200000"
VERIFY_246135 = "0020000003246135"
OK = "9000"

CARD_ID = bytes.fromhex("360400D156000005") + b"36042603"
# 156 (China) + 360400 (九江) + 001: taking its head as the region gives the wrong "156360".
ISSUER = "156360400001"


def tlv(tag: int, value: bytes) -> str:
    return bytes([tag, len(value)]).hex().upper() + value.hex().upper() + OK


def read(tag: int, length: int) -> str:
    return f"00B2{tag:02X}00{length + 2:02X}"


def ef05_records() -> dict[str, str]:
    return {
        read(0x01, 16): tlv(0x01, CARD_ID),
        read(0x02, 1): tlv(0x02, b"3"),
        read(0x03, 4): tlv(0x03, b"2.00"),
        read(0x04, 6): tlv(0x04, bytes.fromhex(ISSUER)),
        read(0x05, 4): tlv(0x05, bytes.fromhex("20230815")),
        read(0x06, 4): tlv(0x06, bytes.fromhex("20330815")),
        read(0x07, 9): tlv(0x07, b"C36042603"),
    }


def name_record(name: str, pad: bytes = b"\x00") -> bytes:
    return name.encode("gb18030").ljust(30, pad)


def ef06_records(name: str = "李堃") -> dict[str, str]:
    return {
        read(0x08, 18): tlv(0x08, b"360426199101010071"),
        read(0x09, 30): tlv(0x09, name_record(name)),
        read(0x4E, 20): "6A83",
    }


class ScriptedCard:
    """Answers from a table; `after_verify` replaces entries once the right PIN was given."""

    def __init__(
        self,
        table: dict[str, str],
        after_verify: dict[str, str] | None = None,
        verify: str = VERIFY_246135,
    ) -> None:
        self.table = {
            SELECT_AID: OK,
            SELECT_EF05: OK,
            SELECT_EF06: OK,
            PROBE: "63C3",
            verify: OK,
            **table,
        }
        self.after_verify = after_verify or {}
        self.verify = verify  # the VERIFY with the right PIN
        self.sent: list[str] = []
        self.atr = bytes.fromhex("3B6D000000863B00000000000000000000")

    def transmit(self, apdu: bytes) -> bytes:
        command = apdu.hex().upper()
        self.sent.append(command)
        answer = self.table.get(command, "6D00")
        if command == self.verify and answer == OK:
            self.table.update(self.after_verify)
        return bytes.fromhex(answer)

    def disconnect(self) -> None:
        """Nothing to release."""

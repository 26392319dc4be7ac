"""Raw APDUs spelled out from card-profile.md, and the simulator driven by them.

Nothing here uses the reader, so the simulator cannot drift towards whatever the reader
happens to send or accept.
"""

from __future__ import annotations

from card_reader.simulator import CardProfile, Faults, build_card, load_profiles
from card_reader.simulator import profile as card_profile
from card_reader.simulator.card import SimulatedCard

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
    data_faults = {
        k: v
        for k, v in (card_profile(key).raw.get("faults") or {}).items()
        if k == "name_bytes_hex"
    }
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

"""Card profiles (people, PINs, card layouts, transports, faults) from JSON data files.

The same files feed the account store's demo data, so every demo card has an account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from card_reader.simulator.card import CardFiles, Faults, SimulatedCard, Transport

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
EF05, EF06 = bytes.fromhex("EF05"), bytes.fromhex("EF06")
ATR_BY_VERSION = {
    "1.00": "3B6C000000863B00000000000000",
    "2.00": "3B6D000000863B0000000000000000",
    "3.00": "3B6D000000863B0000000000003000",
}


@dataclass(frozen=True)
class CardProfile:
    """One entry of a profiles file; `raw` keeps every field for the store's seeder."""

    key: str
    description: str
    raw: dict[str, Any]

    @property
    def ssse(self) -> bool:
        return not self.raw.get("not_ssse", False)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None


@cache
def load_profiles(name: str = "demo.json") -> tuple[CardProfile, ...]:
    text = resources.files("card_reader.simulator").joinpath("profiles", name).read_text("utf-8")
    return tuple(
        CardProfile(p["key"], p.get("description", ""), p) for p in json.loads(text)["profiles"]
    )


def profile(key: str) -> CardProfile:
    for candidate in load_profiles():
        if candidate.key == key:
            return candidate
    known = ", ".join(p.key for p in load_profiles())
    raise KeyError(f"no card profile {key!r} (known: {known})")


def _bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


def _date(iso: str) -> bytes:
    return _bcd(date.fromisoformat(iso).strftime("%Y%m%d"))


def _gbk_name(name: str, spec_version: str) -> tuple[bytes, bytes | None]:
    """The 30-byte name record and, for longer names on 2.00/3.00 cards, the 4E extension."""
    raw = name.encode("gbk")
    if len(raw) <= 30 or spec_version == "1.00":
        return raw[:30].ljust(30, b"\x00"), None
    cut = 30
    # Never split a double-byte character between the two records.
    i = 0
    while i < len(raw):
        step = 2 if raw[i] >= 0x81 else 1
        if i + step > 30:
            cut = i
            break
        i += step
    return raw[:cut].ljust(30, b"\x20"), raw[cut:].ljust(20, b"\x00")[:20]


def build_card(card_profile: CardProfile, faults: Faults | None = None) -> SimulatedCard:
    """A fresh simulated card for `card_profile` (its own PIN counter and selection state)."""
    p = card_profile.raw
    transport = Transport(p.get("transport", "plain"))
    version = p.get("spec_version") or "2.00"
    atr = bytes.fromhex(p.get("atr") or ATR_BY_VERSION.get(version, ATR_BY_VERSION["2.00"]))
    if not card_profile.ssse:
        return SimulatedCard(files=None, atr=atr, faults=faults or Faults())
    region = p["region_code"]
    ident = _bcd(region) + bytes.fromhex("D156000005") + p["card_number"].encode("ascii")[1:9]
    ef05 = {
        0x01: ident.ljust(16, b"\x00")[:16],
        0x02: p["card_type"].encode("ascii"),
        0x03: version.encode("ascii"),
        0x04: _bcd(p["issuer_code"]),
        0x05: _date(p["issue_date"]),
        0x06: _date(p["expiry_date"]),
        0x07: p["card_number"].encode("ascii"),
    }
    name_record, extension = _gbk_name(p["name"], version)
    card_faults = p.get("faults") or {}
    if "name_bytes_hex" in card_faults:
        name_record = bytes.fromhex(card_faults["name_bytes_hex"])
    if transport is Transport.WRONG_LE_6CXX:
        # This card keeps a shorter name record than the table says: the reader's Le is wrong.
        name_record = name_record.rstrip(b"\x00\x20").ljust(20, b"\x00")
    ef06: dict[int, bytes] = {
        0x08: p["citizen_id"].encode("ascii"),
        0x09: name_record,
        0x0A: p["sex"].encode("ascii"),
        0x0B: _bcd(p.get("nation", "01"))[:1],
        0x0C: _bcd(p.get("birthplace", "000000")),
        0x0D: _date(p["birth_date"]),
    }
    if extension is not None:
        ef06[0x4E] = extension
    return SimulatedCard(
        files=CardFiles({EF05: ef05, EF06: ef06}, SSSE_AID, fci=version != "1.00"),
        pin=p["pin"],
        tries_left=p.get("pin_tries_left", 3),
        atr=atr,
        transport=transport,
        accepted_ef_p1=frozenset({0x02}) if version == "3.00" else frozenset({0x00, 0x02}),
        faults=faults or Faults(),
    )

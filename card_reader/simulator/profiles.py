"""Card profiles (people, PINs, card layouts, transports, faults) from JSON data files.

The same files feed the account store's demo data, so every demo card has an account.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from card_reader.simulator.card import CardFiles, Faults, SimulatedCard, Transport
from card_reader.simulator.encoding import (
    NAME_EXTENSION,
    NAME_RECORD,
    ascii_field,
    atr_problems,
    bcd,
    bcd_date,
    build_atr,
    split_name,
)

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
RID_SSSE = bytes.fromhex("D156000005")  # follows the region in the card identification code
EF05, EF06 = bytes.fromhex("EF05"), bytes.fromhex("EF06")


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


# 3B 6C / 3B 6D 00 00 00 86 3B ... as real cards begin; 51 vv (card issuer's data, 1 byte)
# names the version; the last three bytes are the status indicator (LCS 00, SW 9000).
HISTORICAL_BY_VERSION = {
    "1.00": "00863B000000005110009000",
    "2.00": "00863B00000000005120009000",
    "3.00": "00863B00000000005130009000",
}
PADDING = {"zero": b"\x00", "space": b"\x20"}
FAULT_KEYS = {"name_bytes_hex", "pull_after", "mute_after", "delay_ms", "corrupt_at",
              "get_response_chunk", "no_atr"}  # fmt: skip


def _atr(p: dict[str, Any], version: str) -> bytes:
    if p.get("atr"):
        atr = bytes.fromhex(p["atr"])
    else:
        historical = bytes.fromhex(
            HISTORICAL_BY_VERSION.get(version, HISTORICAL_BY_VERSION["2.00"])
        )
        atr = build_atr(historical, tuple(p.get("protocols") or (0,)))
    problems = atr_problems(atr)
    if problems:
        raise ValueError(f"profile {p['key']}: ATR {atr.hex(' ')}: {'; '.join(problems)}")
    return atr


def _faults(card_faults: dict[str, Any], given: Faults | None) -> Faults:
    """The profile's faults, with every field `given` sets (not left at its default) on top."""
    unknown = set(card_faults) - FAULT_KEYS
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}")
    merged = Faults(
        pull_after=card_faults.get("pull_after"),
        delay_seconds=card_faults.get("delay_ms", 0) / 1000,
        corrupt_at=card_faults.get("corrupt_at"),
        get_response_chunk=card_faults.get("get_response_chunk"),
        mute_after=card_faults.get("mute_after"),
        no_atr=bool(card_faults.get("no_atr", False)),
    )
    if given is not None:
        for spec in fields(Faults):
            value = getattr(given, spec.name)
            if value != spec.default:
                setattr(merged, spec.name, value)
    return merged


def _card_id(region: str, card_number: str) -> bytes:
    """Tag 01: region (BCD) + D156000005 + 8 chip-specific bytes (stable per card number)."""
    serial = hashlib.sha256(card_number.encode("ascii")).digest()[:8]
    return bcd(region, 3) + RID_SSSE + serial


def _ef05(p: dict[str, Any], version: str) -> dict[int, bytes]:
    return {
        0x01: _card_id(p["region_code"], p["card_number"]),
        0x02: ascii_field(p["card_type"], 1),
        0x03: ascii_field(version, 4),
        0x04: bcd(p["issuer_code"], 6),
        0x05: bcd_date(p["issue_date"]),
        0x06: bcd_date(p["expiry_date"]),
        0x07: ascii_field(p["card_number"], 9),
    }


def _ef06(p: dict[str, Any], version: str, name_fault: str | None) -> dict[int, bytes]:
    pad = PADDING[p.get("name_padding", "zero")]
    name, extension = split_name(p["name"], extension_allowed=version != "1.00", pad=pad)
    if name_fault is not None:
        # A damaged chip: the bytes as given, cut or padded to the record's fixed size.
        name = bytes.fromhex(name_fault)[:NAME_RECORD].ljust(NAME_RECORD, b"\x00")
    if extension is None and version != "1.00" and p.get("name_extension") == "always":
        extension = pad * NAME_EXTENSION  # some cards keep an empty 4E record
    records = {
        0x08: ascii_field(p["citizen_id"], 18),
        0x09: name,
        0x0A: ascii_field(p["sex"], 1),
        0x0B: bcd(p.get("nation", "01"), 1),
        0x0C: bcd(p.get("birthplace", "000000"), 3),
        0x0D: bcd_date(p["birth_date"]),
    }
    if extension is not None:
        records[0x4E] = extension  # last in file order: the extension came with 2.00
    return records


def build_card(card_profile: CardProfile, faults: Faults | None = None) -> SimulatedCard:
    """A fresh simulated card for `card_profile` (its own PIN counter and selection state).

    `faults` adds to the profile's own "faults" block: a field it sets wins."""
    p = card_profile.raw
    transport = Transport(p.get("transport", "plain"))
    version = p.get("spec_version") or "2.00"
    atr = _atr(p, version)
    card_faults = dict(p.get("faults") or {})
    name_fault = card_faults.pop("name_bytes_hex", None)
    all_faults = _faults(card_faults, faults)
    if not card_profile.ssse:
        return SimulatedCard(None, atr=atr, faults=all_faults)
    files = CardFiles(
        {EF05: _ef05(p, version), EF06: _ef06(p, version, name_fault)},
        SSSE_AID,
        fci=p.get("fci", version != "1.00"),
        pin_protected=frozenset({EF06}) if p.get("pin_gated_personal") else frozenset(),
    )
    default_p1 = [0x02] if version == "3.00" else [0x00, 0x02]
    return SimulatedCard(
        files,
        atr=atr,
        pin=p["pin"],
        max_tries=p.get("max_tries", 3),
        tries_left=p.get("pin_tries_left"),
        transport=transport,
        accepted_ef_p1=frozenset(p.get("ef_select_p1", default_p1)),
        tries_probe=p.get("tries_probe", True),
        faults=all_faults,
    )

"""The receipt code: staff can verify a genuine slip; any changed field or key fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from printing.verification import (
    make_code,
    normalise,
    parse_payload,
    qr_payload,
    verify_code,
)

KEY = bytes(range(32))
WHEN = datetime(2026, 11, 24, 10, 30, 5)
CARD = "0f" * 16


def _payload(balance: Decimal = Decimal("12502.89")) -> str:
    code = make_code(KEY, "k-20261124-0001", WHEN, CARD, balance)
    return qr_payload("k-20261124-0001", WHEN, balance, code)


def test_code_is_twelve_base32_letters_in_groups_of_four() -> None:
    code = make_code(KEY, "k-20261124-0001", WHEN, CARD, Decimal("1.00"))
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in "".join(groups))


def test_a_scanned_payload_verifies() -> None:
    claim = parse_payload(_payload())
    assert claim.serial == "k-20261124-0001"
    assert claim.printed_at == WHEN
    assert claim.balance == Decimal("12502.89")
    assert verify_code(KEY, claim, CARD)


@pytest.mark.parametrize(
    "change",
    [
        {"serial": "k-20261124-0002"},
        {"printed_at": WHEN + timedelta(seconds=1)},
        {"balance": Decimal("12502.90")},
        {"code": "A" * 12},
    ],
)
def test_any_changed_field_fails(change: dict[str, object]) -> None:
    claim = replace(parse_payload(_payload()), **change)  # type: ignore[arg-type]
    assert not verify_code(KEY, claim, CARD)


def test_another_card_or_key_fails() -> None:
    claim = parse_payload(_payload())
    assert not verify_code(KEY, claim, "1f" * 16)
    assert not verify_code(b"\x01" * 32, claim, CARD)


def test_typed_codes_are_normalised() -> None:
    assert normalise(" abcd-efgh ijkl ") == "ABCDEFGHIJKL"
    text = _payload().replace("|", "|", 4)
    serial_time_balance, code = text.rsplit("|", 1)
    lower = f"{serial_time_balance}|{code.lower()[:4]}-{code.lower()[4:]}"
    assert verify_code(KEY, parse_payload(lower), CARD)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "SSR2|k|20261124103005|1.00|AAAAAAAAAAAA",
        "SSR1|k|2026-11-24|1.00|AAAAAAAAAAAA",
        "SSR1|k|20261124103005|1.0|AAAAAAAAAAAA",
        "SSR1|k|20261124103005|x|AAAAAAAAAAAA",
        "SSR1|k|20261124103005|1.00|AAAA1",
        "SSR1||20261124103005|1.00|AAAAAAAAAAAA",
    ],
)
def test_malformed_payloads_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="payload"):
        parse_payload(text)

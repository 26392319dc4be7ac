"""Masking of names, citizen IDs and card numbers for screens and receipts (张*三)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.domain import MaskingRules

if TYPE_CHECKING:
    from kiosk.config import PrivacySection

DEFAULT_RULES = MaskingRules()


def rules_for(privacy: PrivacySection) -> MaskingRules:
    """kiosk.toml's [privacy] as the rules every screen, slip and command masks by."""
    return MaskingRules(
        mask_name=privacy.mask_name,
        mask_citizen_id=privacy.mask_citizen_id,
        citizen_id_visible_head=privacy.citizen_id_visible_head,
        citizen_id_visible_tail=privacy.citizen_id_visible_tail,
        card_number_visible_tail=privacy.card_number_visible_tail,
    )


def mask_name(name: str, rules: MaskingRules = DEFAULT_RULES) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明; Latin names keep the initials."""
    if not rules.mask_name or not name:
        return name
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_citizen_id(citizen_id: str, rules: MaskingRules = DEFAULT_RULES) -> str:
    """3201...1234 with the middle starred; the visible head and tail come from kiosk.toml."""
    if not rules.mask_citizen_id:
        return citizen_id
    head, tail = rules.citizen_id_visible_head, rules.citizen_id_visible_tail
    if head + tail >= len(citizen_id):
        return "*" * len(citizen_id)
    return (
        citizen_id[:head]
        + "*" * (len(citizen_id) - head - tail)
        + citizen_id[len(citizen_id) - tail :]
    )


def mask_card_number(card_number: str, rules: MaskingRules = DEFAULT_RULES) -> str:
    tail = rules.card_number_visible_tail
    if tail >= len(card_number):
        return "*" * len(card_number)
    return "*" * (len(card_number) - tail) + card_number[len(card_number) - tail :]

"""Typed store errors: a message for the person at the kiosk and one for the operator.

No SQLAlchemy here, so the UI can import these without loading a database driver.
Neither message ever contains a card number, a name or a citizen ID.
"""

from __future__ import annotations

import enum


class CardRefusal(enum.StrEnum):
    """Why a card does not open the accounts."""

    LOST = "lost"
    REPLACED = "replaced"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # the store has no such card


_MESSAGES: dict[CardRefusal, tuple[str, str]] = {
    CardRefusal.LOST: (
        "这张卡已挂失，不能查询。如卡已找回，请携带身份证到医保（社保）经办机构解除挂失。",
        "This card has been reported lost and cannot be used. If you have found it, take it "
        "and your ID card to the insurance office to cancel the report.",
    ),
    CardRefusal.REPLACED: (
        "这张卡已被新卡替换，请使用您的新卡。",
        "This card has been replaced by a newer card. Please use your new card.",
    ),
    CardRefusal.EXPIRED: (
        "这张卡已过有效期，请携带身份证到社保经办机构换领新卡。",
        "This card has expired. Please take your ID card to the social-security office "
        "for a new card.",
    ),
    CardRefusal.SUSPENDED: (
        "这张卡暂停使用，请到医保（社保）经办机构咨询，或拨打12393。",
        "This card is suspended. Please ask at the insurance office, or call 12393.",
    ),
    CardRefusal.CANCELLED: (
        "这张卡已注销，不能查询。请到社保经办机构咨询。",
        "This card has been cancelled. Please ask at the social-security office.",
    ),
    CardRefusal.UNKNOWN: (
        "没有查到这张卡的医保账户，请到医保经办机构咨询，或拨打12393。",
        "No insurance account was found for this card. Please ask at the insurance office, "
        "or call 12393.",
    ),
}


class StoreError(Exception):
    """A known store problem; `user_message(language)` goes on screen."""

    user_message_zh = "暂时无法查询，请稍后再试。"
    user_message_en = "The account service is not available. Please try again later."

    def __init__(self, operator_message: str = "") -> None:
        self.operator_message = operator_message or type(self).__name__
        super().__init__(self.operator_message)

    def user_message(self, language: str = "zh") -> str:
        return self.user_message_zh if language == "zh" else self.user_message_en


class CardNotActive(StoreError):
    """The card is not the person's current active card (or the store does not know it)."""

    def __init__(self, status: CardRefusal, operator_message: str = "") -> None:
        self.status = status
        super().__init__(operator_message or f"card refused: {status.value}")

    def user_message(self, language: str = "zh") -> str:
        zh, en = _MESSAGES[self.status]
        return zh if language == "zh" else en


class StoreUnavailable(StoreError):
    """The store did not answer within the configured timeout, or refused the connection."""

    user_message_zh = "账户查询暂时不可用，请稍后再试，或到服务窗口办理。"
    user_message_en = (
        "Account information is not available right now. Please try again later, or ask at "
        "the service desk."
    )

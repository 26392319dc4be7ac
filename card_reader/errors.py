"""Typed card errors. Each carries a message for the person at the kiosk (Chinese and
English) and one for the operator's log; neither ever contains personal data."""

from __future__ import annotations


class CardError(Exception):
    """A known card problem. `user_message_zh`/`user_message_en` go on screen."""

    user_message_zh = "读卡出现问题，请取回卡片后重试。"
    user_message_en = "There was a problem reading the card. Please take it out and try again."

    def __init__(self, operator_message: str = "") -> None:
        self.operator_message = operator_message or type(self).__name__
        super().__init__(self.operator_message)

    def user_message(self, language: str = "zh") -> str:
        return self.user_message_zh if language == "zh" else self.user_message_en


class NoReaderError(CardError):
    user_message_zh = "读卡器未连接，请联系工作人员。"
    user_message_en = "The card reader is not connected. Please ask a member of staff."


class NoCardError(CardError):
    user_message_zh = "请插入社会保障卡。"
    user_message_en = "Please insert your social-security card."


class CardRemovedError(CardError):
    user_message_zh = "卡片已被取出。"
    user_message_en = "The card was taken out."


class NotSSSECardError(CardError):
    user_message_zh = "这张卡不是社会保障卡，请插入社会保障卡（医保卡）。"
    user_message_en = "This is not a social-security card. Please insert your social-security card."


class CardDataDamagedError(CardError):
    user_message_zh = "卡内信息无法读取，卡片可能已损坏。请到社保（医保）经办机构检查或换卡。"
    user_message_en = (
        "The card's data cannot be read; the card may be damaged. Please have it checked or "
        "replaced at the social-security (medical insurance) office."
    )


class CardCommunicationError(CardError):
    """The card answered with a status word we cannot act on, or the reader failed."""


class PinBlockedError(CardError):
    user_message_zh = "密码已锁定。请携带身份证到社保（医保）经办机构解锁，或拨打12333。"
    user_message_en = (
        "The PIN is blocked. Please take your ID card to the social-security office to unblock "
        "it, or call 12333."
    )


class ApplicationBlockedError(CardError):
    user_message_zh = "卡片应用已锁定，请到社保（医保）经办机构处理。"
    user_message_en = "The card is locked. Please take it to the social-security office."


class CardNotRespondingError(CardError):
    """A command got no answer within its deadline: a mute card or a hung reader driver."""

    user_message_zh = "卡片没有响应。请取出卡片，稍后重新插入；如仍不行，请到服务窗口办理。"
    user_message_en = (
        "The card is not responding. Please take your card out and insert it again; if it "
        "still fails, please ask at the service desk."
    )


class PinRequiredError(CardError):
    """The card keeps its personal file (EF06) behind the PIN (6982 before VERIFY)."""

    user_message_zh = "这张卡的个人信息需要先输入密码才能读取。"
    user_message_en = "This card's personal data can only be read after the PIN is entered."

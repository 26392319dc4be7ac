"""The words printed on a receipt, in Chinese and English."""

from __future__ import annotations

from kiosk.domain import FlagReason, LedgerKind

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "医保个人账户凭条",
        "subtitle": "Medical insurance account slip",
        "kiosk": "终端",
        "location": "地点",
        "printed_at": "打印时间",
        "serial": "流水号",
        "name": "姓名",
        "citizen_id": "身份证号",
        "card_number": "社保卡号",
        "card_region": "发卡地区",
        "balance": "个人账户余额",
        "quota": "门诊统筹额度（{year}年）",
        "quota_used": "已用",
        "quota_left": "剩余",
        "last_contribution": "最近缴费/划入",
        "to_personal": "{period} 划入个人账户",
        "entries": "最近{count}笔明细",
        "no_entries": "暂无明细",
        "head_line1": "日期　类型",
        "head_amount": "金额",
        "head_line2": "机构",
        "head_balance": "余额",
        "balance_after": "余额",
        "family": "共济：",
        "flagged": "请核对以下扣费",
        "what_to_do": "如非本人消费，请携带社保卡和身份证到医保经办机构，"
        "或拨打 12393（医保）/ 12333（社保）。",
        "hotlines": "医保热线 12393　社保热线 12333",
        "code": "验证码",
        "verify_hint": "工作人员可扫码核验",
        "footer": "本凭条仅供查询参考，请妥善保管。",
    },
    "en": {
        "title": "Medical insurance account slip",
        "subtitle": "医保个人账户凭条",
        "kiosk": "Kiosk",
        "location": "Location",
        "printed_at": "Printed",
        "serial": "Serial",
        "name": "Name",
        "citizen_id": "ID number",
        "card_number": "Card",
        "card_region": "Card issued in",
        "balance": "Personal account balance",
        "quota": "Outpatient pooled quota {year}",
        "quota_used": "Used",
        "quota_left": "Left",
        "last_contribution": "Last contribution",
        "to_personal": "{period} to personal account",
        "entries": "Last {count} entries",
        "no_entries": "No entries yet",
        "head_line1": "Date  Kind",
        "head_amount": "Amount",
        "head_line2": "Where",
        "head_balance": "Balance",
        "balance_after": "Bal.",
        "family": "Family aid: ",
        "flagged": "Please check these charges",
        "what_to_do": "If a charge is not yours, take your card and ID to the insurance "
        "centre, or call 12393 (medical insurance) / 12333 (social security).",
        "hotlines": "Hotlines: 12393 medical insurance, 12333 social security",
        "code": "Check code",
        "verify_hint": "Staff can scan to verify",
        "footer": "For your information only. Please keep it safe.",
    },
}

KINDS: dict[str, dict[LedgerKind, str]] = {
    "zh": {
        LedgerKind.CONTRIBUTION: "缴费划入",
        LedgerKind.EMPLOYER_SHARE: "单位划入",
        LedgerKind.RETIREE_ALLOCATION: "退休划拨",
        LedgerKind.OUTPATIENT: "门诊",
        LedgerKind.PHARMACY: "药店购药",
        LedgerKind.INPATIENT_SELF_PAY: "住院自付",
        LedgerKind.EXAM: "体检",
        LedgerKind.FAMILY_AID_OUT: "共济支出",
        LedgerKind.FAMILY_AID_IN: "共济转入",
        LedgerKind.CARRYOVER: "年度结转",
        LedgerKind.REFUND: "退费",
        LedgerKind.CORRECTION: "冲正",
    },
    "en": {
        LedgerKind.CONTRIBUTION: "Contribution",
        LedgerKind.EMPLOYER_SHARE: "Employer share",
        LedgerKind.RETIREE_ALLOCATION: "Retiree allocation",
        LedgerKind.OUTPATIENT: "Outpatient",
        LedgerKind.PHARMACY: "Pharmacy",
        LedgerKind.INPATIENT_SELF_PAY: "Inpatient self-pay",
        LedgerKind.EXAM: "Health check",
        LedgerKind.FAMILY_AID_OUT: "Family aid out",
        LedgerKind.FAMILY_AID_IN: "Family aid in",
        LedgerKind.CARRYOVER: "Carry-over",
        LedgerKind.REFUND: "Refund",
        LedgerKind.CORRECTION: "Correction",
    },
}

REASONS: dict[str, dict[FlagReason, str]] = {
    "zh": {
        FlagReason.AFTER_CARD_LOST: "挂失后仍有扣费",
        FlagReason.TWO_CITIES: "几小时内在两个城市消费",
        FlagReason.REMOTE_WITHOUT_FILING: "异地消费，且没有有效的异地就医备案",
        FlagReason.DUPLICATE: "同一机构几分钟内扣了两次相同金额",
        FlagReason.PHARMACY_SPIKE: "购药金额远高于平时",
        FlagReason.NIGHT_PHARMACY: "药店夜间扣费",
    },
    "en": {
        FlagReason.AFTER_CARD_LOST: "Charged after the card was reported lost",
        FlagReason.TWO_CITIES: "Charges in two cities within a few hours",
        FlagReason.REMOTE_WITHOUT_FILING: "Charged away from home without a remote-care filing",
        FlagReason.DUPLICATE: "Same amount at the same place twice within minutes",
        FlagReason.PHARMACY_SPIKE: "Pharmacy spending far above your usual",
        FlagReason.NIGHT_PHARMACY: "Pharmacy charge at night",
    },
}


def words(language: str) -> dict[str, str]:
    return LABELS["en" if language == "en" else "zh"]


def kind_word(kind: LedgerKind, language: str) -> str:
    return KINDS["en" if language == "en" else "zh"][kind]


def reason_word(reason: FlagReason, language: str) -> str:
    return REASONS["en" if language == "en" else "zh"][reason]

"""The words of the loss-report and filing-request slips, and the slips built from the
store's answers (kiosk.domain.LossReportSlip / FilingSlip), so printing.slips is handed its
words already in the person's language and imports no catalogue.

The kinds of filing and the filing status are the screen's own words (kiosk.words); what
only a slip says is kept here, in zh and en side by side, so a translator sees both.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain import (
    FilingRequest,
    FilingSlip,
    FilingStatus,
    LossReport,
    LossReportSlip,
    MaskingRules,
    SlipWords,
)
from kiosk.words import filing_status_label, filing_type_label, other_language

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "loss.title": "临时挂失回执",
        "filing.title": "异地就医备案申请回执",
        "loss.number": "挂失编号",
        "filing.number": "申请编号",
        "name": "姓名",
        "citizen_id": "身份证号",
        "loss.when": "挂失时间",
        "filing.when": "申请时间",
        "where": "办理地点",
        "holds_until": "临时挂失有效至 {until}",
        "status": "状态",
        "kind": "备案类型",
        "destination": "就医地",
        "start": "开始日期",
        "end": "结束日期",
        "days": "{days} 天",
        "loss.next.1": "临时挂失期满自动解除。"
        "请在此之前携带身份证到社保经办窗口办理正式挂失和补卡。",
        "loss.next.2": "找到卡片后，可在自助机插卡、输入密码，选择“我找到了卡”解除挂失。",
        "loss.next.3": "咨询电话 12333（社会保障）、12393（医疗保障）。",
        "filing.next.1": "申请已提交，审核通过前为“待审核”状态，请留意短信通知。",
        "filing.next.2": "如需修改或撤销，请到医保经办窗口办理，或致电 12393。",
        "footer": "请妥善保管本回执",
    },
    "en": {
        "loss.title": "Temporary loss report",
        "filing.title": "Remote-care filing request",
        "loss.number": "Report no.",
        "filing.number": "Request no.",
        "name": "Name",
        "citizen_id": "Citizen ID",
        "loss.when": "Reported at",
        "filing.when": "Requested at",
        "where": "Kiosk",
        "holds_until": "This temporary report holds until {until}",
        "status": "Status",
        "kind": "Kind",
        "destination": "Destination",
        "start": "From",
        "end": "Until",
        "days": "{days} days",
        "loss.next.1": "The temporary report lapses by itself then. Before that, take your ID to"
        " the social-security counter to confirm the loss and get a new card.",
        "loss.next.2": "If you find the card: insert it at a kiosk, enter the PIN and choose"
        ' "I found my card".',
        "loss.next.3": "Questions: call 12333 (social security) or 12393 (medical insurance).",
        "filing.next.1": "Your request is pending until the insurance centre approves it. You"
        " will be told by text message.",
        "filing.next.2": "To change or withdraw it, ask at the insurance counter or call 12393.",
        "footer": "Please keep this slip",
    },
}


def slip_text(key: str, language: str) -> str:
    """A slip's words in `language` (zh for a language the kiosk does not speak)."""
    return _WORDS.get(language, _WORDS["zh"])[key]


def _words(slip: str, language: str, **values: str) -> SlipWords:
    said = _WORDS.get(language, _WORDS["zh"])
    steps = tuple(said[k] for k in sorted(said) if k.startswith(f"{slip}.next."))
    return SlipWords(
        title=said[f"{slip}.title"],
        subtitle=slip_text(f"{slip}.title", other_language(language)),
        number=said[f"{slip}.number"],
        name=said["name"],
        citizen_id=said["citizen_id"],
        when=said[f"{slip}.when"],
        where=said["where"],
        holds_until=said["holds_until"],
        status=said["status"],
        status_value=values.get("status", ""),
        kind=said["kind"],
        kind_value=values.get("kind", ""),
        destination=said["destination"],
        start=said["start"],
        end=said["end"],
        days=said["days"],
        next_steps=steps,
        footer=said["footer"],
    )


def loss_report_slip(
    report: LossReport,
    language: str,
    *,
    kiosk_id: str,
    kiosk_location: str,
    printed_at: datetime,
    masking: MaskingRules,
) -> LossReportSlip:
    """The slip for a loss report the store just made (ServicePort.report_lost)."""
    return LossReportSlip(
        report=report,
        citizen_id=report.citizen_id,
        kiosk_id=kiosk_id,
        kiosk_location=kiosk_location,
        printed_at=printed_at,
        words=_words("loss", language),
        masking=masking,
        language=language,
    )


def filing_slip(
    request: FilingRequest,
    language: str,
    *,
    kiosk_id: str,
    kiosk_location: str,
    printed_at: datetime,
    masking: MaskingRules,
) -> FilingSlip:
    """The slip for a filing request the store just took (ServicePort.request_filing)."""
    return FilingSlip(
        request=request,
        kiosk_id=kiosk_id,
        kiosk_location=kiosk_location,
        printed_at=printed_at,
        words=_words(
            "filing",
            language,
            status=filing_status_label(FilingStatus.PENDING, language),
            kind=filing_type_label(request.filing_type, language),
        ),
        masking=masking,
        language=language,
    )

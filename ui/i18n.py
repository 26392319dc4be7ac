"""Every word the kiosk puts on screen, in Simplified Chinese and English.

One catalogue instead of Qt .ts/.qm files: the kiosk switches language per person with one
tap, the strings are few, and a test can prove that every key has both languages and that an
English screen shows no Chinese UI text. `text()` raises on a missing key, so an
untranslated string fails a test instead of reaching the screen.
"""

from __future__ import annotations

from decimal import Decimal

from kiosk.domain import FilingStatus, FilingType, FlagReason, LedgerKind

CATALOGUE: dict[str, tuple[str, str]] = {
    # -- everywhere ------------------------------------------------------------------------
    "app.title": ("社保卡自助查询", "Social-security card self-service"),
    "switch.language": ("English", "中文"),
    "switch.language.name": ("切换为英文", "Switch to Chinese"),
    "switch.elderly.on": ("大字模式", "Large text"),
    "switch.elderly.off": ("标准字体", "Normal text"),
    "button.back": ("返回", "Back"),
    "button.finish": ("结束并退卡", "Finish"),
    "button.previous": ("上一页", "Previous"),
    "button.next": ("下一页", "Next"),
    "button.ok": ("好的", "OK"),
    "page.of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "hotline": (
        "医保服务热线 12393 · 社保服务热线 12333",
        "Medical insurance hotline 12393 · Social security hotline 12333",
    ),
    "empty": ("暂无记录", "Nothing to show"),
    # -- idle warning ------------------------------------------------------------------------
    "idle.title": ("您还在吗？", "Are you still there?"),
    "idle.body": (
        "{seconds} 秒后将结束查询，以保护您的信息。",
        "To protect your information, this session ends in {seconds} seconds.",
    ),
    "idle.more": ("我需要更多时间", "I need more time"),
    # -- attract and reading -----------------------------------------------------------------
    "attract.title": ("请插入社会保障卡", "Please insert your social-security card"),
    "attract.body": (
        "芯片朝上，插入下方读卡口",
        "Chip facing up, into the reader slot below",
    ),
    "attract.illustration": ("插卡示意图", "How to insert the card"),
    "busy.reading_card": ("正在读卡，请勿拔卡…", "Reading your card, please leave it in…"),
    "busy.checking_pin": ("正在验证密码…", "Checking your PIN…"),
    "busy.loading": ("正在查询…", "Looking this up…"),
    "busy.printing": ("正在打印，请稍候…", "Printing, please wait…"),
    "busy.checking_admin_pin": ("正在验证…", "Checking…"),
    # -- PIN -----------------------------------------------------------------------------------
    "pin.title": ("请输入社保卡密码", "Please enter your card PIN"),
    "pin.tries": ("还可以输入 {tries} 次", "{tries} tries left"),
    "pin.wrong": (
        "密码不正确，还可以输入 {tries} 次。连续输错将锁定卡片。",
        "Wrong PIN. {tries} tries left before the card is locked.",
    ),
    "pin.hint": (
        "遮挡键盘输入，保护密码安全",
        "Cover the keypad with your hand while you type",
    ),
    "pin.entered": ("已输入 {count} 位", "{count} digits entered"),
    "pin.clear": ("清除", "Clear"),
    "pin.confirm": ("确认", "OK"),
    "pin.digit": ("数字 {digit}", "Digit {digit}"),
    "pin.cancel": ("取消", "Cancel"),
    # -- overview ------------------------------------------------------------------------------
    "overview.greeting": ("{name}，您好", "Hello, {name}"),
    "overview.balance": ("个人账户余额", "Personal account balance"),
    "overview.quota": (
        "{year}年门诊统筹剩余额度 {left}（已用 {used}）",
        "Outpatient pooled quota left in {year}: {left} (used {used})",
    ),
    "overview.last_contribution": (
        "最近缴费：{period} 划入个人账户 {amount}",
        "Last contribution: {period}, {amount} to your account",
    ),
    "overview.no_contribution": ("暂无缴费记录", "No contributions on record"),
    "overview.flagged": (
        "有 {count} 笔扣费请您核对",
        "{count} charges to check",
    ),
    "overview.filing": (
        "异地就医备案：{region}，有效至 {until}",
        "Remote-care filing: {region}, valid until {until}",
    ),
    "overview.filing_open": ("长期有效", "no end date"),
    "overview.card_region": ("发卡地区：{region}", "Card issued in: {region}"),
    "nav.history": ("消费记录", "Spending history"),
    "nav.contributions": ("缴费记录", "Contributions"),
    "nav.annual": ("年度明细", "This year"),
    "nav.family_aid": ("家庭共济", "Family mutual aid"),
    "nav.filings": ("异地备案", "Remote-care filings"),
    "nav.flagged": ("请核对的扣费", "Charges to check"),
    "nav.print": ("打印凭条", "Print a receipt"),
    # -- history -------------------------------------------------------------------------------
    "history.title": ("消费与入账记录", "Account history"),
    "history.filter.all": ("全部", "All"),
    "history.flag_word": ("请核对", "Please check"),
    "history.flag_what": (
        "如非本人消费，请携带卡和身份证到医保经办机构，或拨打 12393。",
        "If this was not you, take your card and ID to the insurance office, or call 12393.",
    ),
    "history.balance_after": ("余额 {balance}", "balance {balance}"),
    # -- contributions -------------------------------------------------------------------------
    "contributions.title": ("近 12 个月缴费记录", "Contributions, last 12 months"),
    "contributions.row": (
        "缴费基数 {base} · 个人 {employee} · 单位 {employer}",
        "Base {base} · you {employee} · employer {employer}",
    ),
    "contributions.to_account": ("划入个人账户 {amount}", "{amount} to your account"),
    "contributions.arrived": ("{date} 到账", "arrived {date}"),
    "contributions.pending": ("尚未到账", "not arrived yet"),
    # -- annual --------------------------------------------------------------------------------
    "annual.title": ("{year} 年度明细", "{year} statement"),
    "annual.opening": ("年初余额", "Opening balance"),
    "annual.in": ("本年划入", "Paid in"),
    "annual.out": ("本年支出", "Spent"),
    "annual.family": ("家庭共济 转出 {out} / 转入 {into}", "Family aid: out {out} / in {into}"),
    "annual.closing": ("当前余额", "Balance now"),
    "annual.carried": ("上年结转", "Carried over"),
    "annual.chart": ("每月支出", "Spending by month"),
    "annual.chart.name": (
        "每月支出柱状图，最高 {month} 月 {amount}",
        "Bar chart of spending by month; highest in month {month}: {amount}",
    ),
    "month.short": ("{month}月", "{month_en}"),
    # -- family aid ----------------------------------------------------------------------------
    "family.title": ("家庭共济", "Family mutual aid"),
    "family.payer": (
        "您的个人账户为 {name}（{relation}）支付",
        "Your account pays for {name} ({relation})",
    ),
    "family.beneficiary": (
        "{name}（{relation}）的账户为您支付",
        "{name} ({relation}) pays for you",
    ),
    "family.since": ("{since} 起 · 今年 {amount}", "since {since} · this year {amount}"),
    "family.none": (
        "您还没有绑定家庭共济。可到医保经办机构或通过医保 App 办理。",
        "No family members are bound. You can set this up at the insurance office or in the app.",
    ),
    "relation.spouse": ("配偶", "spouse"),
    "relation.child": ("子女", "child"),
    "relation.parent": ("父母", "parent"),
    # -- filings -------------------------------------------------------------------------------
    "filings.title": ("异地就医备案", "Remote-care filings"),
    "filings.row": ("{type} · {region}", "{type} · {region}"),
    "filings.valid": ("{start} 至 {until}", "{start} to {until}"),
    "filings.none": (
        "没有异地就医备案。到外地长期居住或就医前，请先办理备案。",
        "No remote-care filing. Before living or being treated in another city, file one first.",
    ),
    "filing_type.long_term": ("异地长期居住", "Long-term residence"),
    "filing_type.temporary": ("临时外出就医", "Temporary trip"),
    "filing_type.referral": ("转诊转院", "Referral"),
    "filing_status.active": ("有效", "Active"),
    "filing_status.expired": ("已过期", "Expired"),
    "filing_status.revoked": ("已撤销", "Revoked"),
    # -- flagged -------------------------------------------------------------------------------
    "flagged.title": ("请核对以下扣费", "Please check these charges"),
    "flagged.intro": (
        "这些扣费与您平常的情况不同。如果是您本人的消费，无需处理。",
        "These charges differ from your usual pattern. If they were yours, nothing to do.",
    ),
    "flagged.none": ("没有需要核对的扣费。", "No charges need checking."),
    "flag.after_card_lost": (
        "卡片挂失或换卡后仍有扣费",
        "Charged after the card was lost or replaced",
    ),
    "flag.two_cities": ("几小时内在两个城市扣费", "Charges in two cities within hours"),
    "flag.remote_without_filing": (
        "外地扣费，但没有异地备案",
        "Charged in another region without a filing",
    ),
    "flag.duplicate": ("同一机构几分钟内重复扣费", "Same amount at the same place within minutes"),
    "flag.pharmacy_spike": ("药店消费远高于平常", "Pharmacy spending far above usual"),
    "flag.night_pharmacy": ("夜间药店扣费", "Pharmacy charge at night"),
    # -- printing and the end ------------------------------------------------------------------
    "printing.title": ("打印凭条", "Printing your receipt"),
    "printing.problem": ("凭条没有打印出来", "The receipt was not printed"),
    "printing.back": ("返回我的账户", "Back to my account"),
    "take_card.title": ("请取回您的社保卡", "Please take your card"),
    "take_card.printed": (
        "凭条已打印，请一并取走。",
        "Your receipt is printed: please take it too.",
    ),
    "take_card.body": (
        "感谢使用，您的信息已从屏幕清除。",
        "Thank you. Your information is cleared.",
    ),
    "take_card.again": ("请记得取回卡片！", "Don't forget your card!"),
    # -- problems ------------------------------------------------------------------------------
    "problem.title": ("无法查询", "We could not open your account"),
    "problem.where": (
        "如需帮助，请到医保（社保）经办机构，或拨打 12393 / 12333。",
        "For help, visit the insurance (social security) office, or call 12393 / 12333.",
    ),
    "problem.take_card": ("请取回卡片", "Please take your card"),
    "unavailable.title": ("服务暂时不可用", "Service not available"),
    # -- maintenance ---------------------------------------------------------------------------
    "maintenance.pin_title": ("维护模式：请输入管理密码", "Maintenance: enter the admin PIN"),
    "maintenance.pin_wrong": ("管理密码不正确", "Wrong admin PIN"),
    "maintenance.title": ("维护", "Maintenance"),
    "maintenance.reader": ("读卡器：{value}", "Reader: {value}"),
    "maintenance.printer": ("打印机：{value}", "Printer: {value}"),
    "maintenance.store": ("账户库：{value}", "Account store: {value}"),
    "maintenance.paper": ("剩余纸张约 {metres} 米", "Paper left: about {metres} m"),
    "maintenance.paper_low": ("纸张不足，请更换纸卷", "Paper is low: replace the roll"),
    "maintenance.paper_unknown": ("纸张：未知", "Paper: unknown"),
    "maintenance.outbox": ("待上传审计记录：{count}", "Audit rows waiting: {count}"),
    "maintenance.errors": ("最近的问题", "Recent problems"),
    "maintenance.no_errors": ("无", "none"),
    "maintenance.refresh": ("刷新", "Refresh"),
    "maintenance.refilled": ("已换纸卷", "Paper refilled"),
    "maintenance.exit": ("退出自助程序", "Exit the kiosk"),
    "maintenance.close": ("返回首页", "Back to start"),
    "maintenance.corner": ("维护入口（长按五秒）", "Maintenance (hold five seconds)"),
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

KIND_LABELS: dict[LedgerKind, tuple[str, str]] = {
    LedgerKind.CONTRIBUTION: ("个人缴费划入", "Your contribution"),
    LedgerKind.EMPLOYER_SHARE: ("单位划入", "Employer share"),
    LedgerKind.RETIREE_ALLOCATION: ("退休划拨", "Retiree allocation"),
    LedgerKind.OUTPATIENT: ("门诊", "Outpatient"),
    LedgerKind.PHARMACY: ("药店购药", "Pharmacy"),
    LedgerKind.INPATIENT_SELF_PAY: ("住院自付", "Hospital stay, own part"),
    LedgerKind.EXAM: ("体检", "Health check"),
    LedgerKind.FAMILY_AID_OUT: ("家庭共济转出", "Family aid paid"),
    LedgerKind.FAMILY_AID_IN: ("家庭共济转入", "Family aid received"),
    LedgerKind.CARRYOVER: ("年度结转", "Year-end carry-over"),
    LedgerKind.REFUND: ("退费", "Refund"),
    LedgerKind.CORRECTION: ("冲正", "Correction"),
}

# The history filter: the questions people ask, not every ledger kind.
HISTORY_FILTERS: tuple[LedgerKind | None, ...] = (
    None, LedgerKind.OUTPATIENT, LedgerKind.PHARMACY, LedgerKind.INPATIENT_SELF_PAY,
)  # fmt: skip


def text(key: str, language: str, **values: object) -> str:
    zh, en = CATALOGUE[key]
    template = zh if language == "zh" else en
    return template.format(**values) if values else template


def kind_label(kind: LedgerKind, language: str) -> str:
    zh, en = KIND_LABELS[kind]
    return zh if language == "zh" else en


def flag_label(reason: FlagReason, language: str) -> str:
    return text(f"flag.{reason.value}", language)


def filing_type_label(kind: FilingType, language: str) -> str:
    return text(f"filing_type.{kind.value}", language)


def filing_status_label(status: FilingStatus, language: str) -> str:
    return text(f"filing_status.{status.value}", language)


def relation_label(relation: str, language: str) -> str:
    key = f"relation.{relation}"
    return text(key, language) if key in CATALOGUE else relation


def month_label(month: int, language: str) -> str:
    return text("month.short", language, month=month, month_en=MONTHS_EN[month - 1])


def signed_yuan(amount: Decimal) -> str:
    """+¥105.34 / -¥56.09: money in and out of the account, told apart by more than colour."""
    return ("+" if amount > 0 else "") + yuan(amount)


def yuan(amount: Decimal) -> str:
    """¥1,234.50: money as the person reads it (Decimal in, never float)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"

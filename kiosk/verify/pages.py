"""The verification service's pages: plain HTML, UTF-8, readable on a phone, in zh and en.

What a page shows is at most what the slip shows: for a genuine slip its masked name (from
the store), when and where it was printed, and the facts its URL carries, which the store
has just confirmed; for anything else only the verdict, never the claimed content (an
altered URL must not put its own words on an official-looking page). Every value is
escaped. No script, no external resource: the Content-Security-Policy allows none.
"""

from __future__ import annotations

import enum
import html
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from urllib.parse import urlencode

from kiosk.domain import BaseBand, EnrolmentStatus, InsuranceType, yuan
from kiosk.store.printed_documents import Verdict
from kiosk.words.certificate import certificate_words, words
from printing.document_claims import CERTIFICATE, DocumentClaim

E = TypeVar("E", bound=enum.StrEnum)
LANGUAGES = ("zh", "en")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The address carries the slip's facts: never hand it on to another site.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:17px/1.55 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",
"WenQuanYi Zen Hei",sans-serif;background:#eef2f6;color:#1b2430}
header{background:#0b4a8b;color:#fff;padding:14px 18px;display:flex;align-items:center;
justify-content:space-between;gap:12px}
header .service{font-size:15px;opacity:.92}
header a{color:#fff;border:1px solid rgba(255,255,255,.7);border-radius:6px;padding:4px 10px;
text-decoration:none;font-size:15px;white-space:nowrap}
main{max-width:640px;margin:0 auto;padding:18px 14px 30px}
h1{font-size:21px;margin:4px 0 14px}
.verdict{border-radius:10px;padding:16px 18px;margin-bottom:16px;color:#fff}
.verdict strong{display:block;font-size:24px;margin-bottom:4px}
.genuine{background:#1d7a3a}.not-genuine{background:#b3261e}.notice{background:#5b6675}
.card{background:#fff;border-radius:10px;padding:6px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
dl{margin:0}
.row{display:flex;justify-content:space-between;gap:16px;padding:10px 0;
border-bottom:1px solid #e3e8ee}
.row:last-child{border-bottom:0}
dt{color:#55606e;flex:0 0 42%}
dd{margin:0;text-align:right;font-weight:600;overflow-wrap:anywhere}
.lines{font-variant-numeric:tabular-nums;font-weight:500}
.note{font-size:15px;color:#55606e;margin:14px 2px}
footer{font-size:14px;color:#55606e;text-align:center;padding:8px 14px 24px}
"""


def language_of(requested: str | None, accept_language: str) -> str:
    """?lang= first, then the browser's Accept-Language, then zh."""
    if requested in LANGUAGES:
        return str(requested)
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def document_page(
    claim: DocumentClaim, verdict: Verdict, language: str, query: dict[str, str]
) -> str:
    """The page for one slip's address."""
    code = "-".join(claim.code[i : i + 4] for i in range(0, 12, 4))
    if not verdict.genuine:
        title = "verify.not_genuine" if verdict.found else "verify.unknown"
        banner = _verdict("not-genuine", title, f"{title}_detail", language)
        # Only the code (checked to be 12 letters): what the holder quotes at the counter.
        row = _row(words("verify.code", language), code)
        return _page(language, query, banner + f'<section class="card"><dl>{row}</dl></section>')
    banner = _verdict("genuine", "verify.genuine", "verify.genuine_detail", language)
    kind = words(f"verify.kind.{claim.kind}", language)
    printed = f"{verdict.printed_at:%Y-%m-%d %H:%M:%S}" if verdict.printed_at else ""
    rows = [
        (words("verify.what", language), kind),
        (words("verify.name", language), verdict.masked_name),
        (certificate_words(language).citizen_id, claim.value("i")),
    ]
    rows += (
        _certificate_rows(claim, language)
        if claim.kind == CERTIFICATE
        else _receipt_rows(claim, language)
    )
    rows += [
        (words("verify.printed", language), printed),
        (words("verify.kiosk", language), verdict.kiosk_id),
        (certificate_words(language).serial, claim.value("s")),
        (words("verify.code", language), code),
    ]
    body = (
        banner
        + f'<section class="card"><dl>{"".join(_row(k, v) for k, v in rows)}</dl></section>'
        + f'<p class="note">{_e(words("verify.compare", language))}</p>'
    )
    return _page(language, query, body)


def message_page(title_key: str, detail_key: str, language: str) -> str:
    """A page that is only a message: too many requests, store down, no such page."""
    return _page(language, {}, _verdict("notice", title_key, detail_key, language))


def _certificate_rows(claim: DocumentClaim, language: str) -> list[tuple[str, str]]:
    w = certificate_words(language)
    kind = _enum(InsuranceType, claim.value("ty"))
    status = _enum(EnrolmentStatus, claim.value("st"))
    band = _enum(BaseBand, claim.value("b"))
    unit = claim.value("u")
    if unit and claim.value("uc"):
        unit = f"{unit} ({claim.value('uc')})"
    return [
        (w.insurance_type, w.types[kind] if kind else claim.value("ty")),
        (w.enrolment_start, claim.value("from") or "-"),
        (w.status, w.statuses[status] if status else claim.value("st")),
        (
            w.months_this_year.format(year=claim.value("y")),
            w.months_unit.format(months=claim.value("my")),
        ),
        (w.months_total, w.months_unit.format(months=claim.value("mt"))),
        (w.base_band, w.bands[band] if band else claim.value("b")),
        (w.unit, unit or w.no_unit),
    ]


def _receipt_rows(claim: DocumentClaim, language: str) -> list[tuple[str, str]]:
    rows = [(words("verify.balance", language), _money(claim.value("b")))]
    year, _, rest = claim.value("q").partition(":")
    used, _, left = rest.partition(":")
    quota = words("verify.quota", language, year=year, used=_money(used), left=_money(left))
    rows.append(("", quota))
    period, _, amount = claim.value("c").partition(":")
    if period:
        rows.append(
            (
                words("verify.last_contribution", language),
                f"{period[:4]}-{period[4:]} {_money(amount)}",
            )
        )
    entries = [line.split("/") for line in claim.value("h").split(",") if line]
    if entries:
        text = "<br>".join(f"{_e(_money(p[0], sign=True))} / {_e(_money(p[-1]))}" for p in entries)
        rows.append((words("verify.entries", language, count=len(entries)), _Html(text)))
    flagged = [line.split("/") for line in claim.value("f").split(",") if line]
    if flagged:
        text = "<br>".join(f"{_e(_stamp(p[0]))} {_e(_money(p[-1], sign=True))}" for p in flagged)
        rows.append((words("verify.flagged", language), _Html(text)))
    return rows


class _Html(str):
    """Markup built here from escaped parts: not escaped again."""


def _row(label: str, value: str) -> str:
    shown = value if isinstance(value, _Html) else _e(value)
    css = ' class="lines"' if isinstance(value, _Html) else ""
    return f'<div class="row"><dt>{_e(label)}</dt><dd{css}>{shown}</dd></div>'


def _verdict(css: str, title_key: str, detail_key: str, language: str) -> str:
    return (
        f'<section class="verdict {css}" role="status"><strong>{_e(words(title_key, language))}'
        f"</strong>{_e(words(detail_key, language))}</section>"
    )


def _page(language: str, query: dict[str, str], body: str) -> str:
    other = "en" if language == "zh" else "zh"
    toggle = "?" + urlencode({**query, "lang": other})
    title = words("verify.title", language)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if language == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{_e(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header><div><div class="service">{_e(words("verify.service", language))}</div></div>
<a href="{_e(toggle)}" hreflang="{other}">{_e(words("verify.switch", language))}</a></header>
<main>
<h1>{_e(title)}</h1>
{body}
</main>
<footer>{_e(words("verify.hotline", language))}</footer>
</body>
</html>
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _enum(kind: type[E], value: str) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


def _money(text: str, sign: bool = False) -> str:
    try:
        return yuan(Decimal(text), sign=sign)
    except (InvalidOperation, TypeError):
        return text


def _stamp(text: str) -> str:
    if len(text) == 12 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:8]} {text[8:10]}:{text[10:]}"
    return text

"""Numbers, money, dates and times as people say them, for the speech engine to read.

The screen writes ¥12,502.89 and 2026-11-24; read aloud those would come out as symbols and
digit soup. Chinese is worded through cn2an (the integer part; 两 where people say it), so
the engine is handed "一万两千五百零二元八角九分" and "二零二六年十一月二十四日"; English as
"12,502 yuan 89 fen" and "24 November 2026", which espeak-ng reads well as they are.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

# Digit runs this long are codes (a hotline, a report number), read one digit at a time.
CODE_DIGITS = 5
_CODE = re.compile(rf"\d{{{CODE_DIGITS},}}")
_ZH_DIGITS = "零一二三四五六七八九"
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# 二 is said 两 before 百/千/万/亿 unless it counts tens (二十二万 stays).
_LIANG = re.compile(r"(?<!十)二(?=[百千万亿])")
_CENT = Decimal("0.01")


def _cn2an(value: int | str, mode: str) -> str:
    import cn2an  # 0.2 s to import: only when the first Chinese number is worded

    return str(cn2an.an2cn(value, mode))


def zh_number(value: int) -> str:
    """12502 -> 一万两千五百零二; 0 -> 零; negative numbers with 负."""
    words = _cn2an(abs(value), "low")
    words = _LIANG.sub("两", words)
    return f"负{words}" if value < 0 else words


def money_words(amount: Decimal, language: str) -> str:
    """The amount's size as said aloud (the sign is the caller's words: 支出 / 入账):
    zh 一万两千五百零二元八角九分, en 12,502 yuan 89 fen."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money is a Decimal, not {type(amount).__name__}")
    cents = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if language != "zh":
        parts = [f"{whole:,} yuan"] if whole or not cents else []
        if cents % 100:
            parts.append(f"{cents % 100} fen")
        return " ".join(parts)
    words = f"{zh_number(whole)}元" if whole or not cents else ""
    if jiao:
        words += f"{_ZH_DIGITS[jiao]}角"
    if fen:
        # 五元零九分: a zero jiao between yuan and fen is said; 九分 alone is not 零九分.
        words += f"{'零' if whole and not jiao else ''}{_ZH_DIGITS[fen]}分"
    return words


def date_words(value: date, language: str, to: str = "day") -> str:
    """2026-11-24 -> 二零二六年十一月二十四日 / 24 November 2026 (to="month": the month only)."""
    if language != "zh":
        month = _EN_MONTHS[value.month - 1]
        return f"{month} {value.year}" if to == "month" else f"{value.day} {month} {value.year}"
    words = f"{year_words(value.year, language)}年{zh_number(value.month)}月"
    return words if to == "month" else f"{words}{zh_number(value.day)}日"


def year_words(year: int, language: str) -> str:
    """2026 -> 二零二六 (a year is said digit by digit in Chinese) / 2026."""
    return digits_apart(str(year), language) if language == "zh" else str(year)


def time_words(value: datetime, language: str) -> str:
    """10:30 -> 十点三十分 / 10:30 (espeak-ng says "ten thirty"); on the hour 十点 / 10 o'clock."""
    if language != "zh":
        return f"{value.hour} o'clock" if not value.minute else f"{value:%H:%M}"
    hour = "两" if value.hour == 2 else zh_number(value.hour)
    if not value.minute:
        return f"{hour}点"
    minute = zh_number(value.minute)
    return f"{hour}点{'零' if value.minute < 10 else ''}{minute}分"


def digits_apart(digits: str, language: str) -> str:
    """A code read digit by digit: 12393 -> 一二三九三 / 1 2 3 9 3."""
    if language == "zh":
        return "".join(_ZH_DIGITS[int(d)] for d in digits)
    return " ".join(digits)


def codes_apart(text: str, language: str) -> str:
    """Every run of five or more digits in `text` (hotlines, report numbers) read digit by
    digit, so "12393" is a number to dial, not "twelve thousand three hundred ...". Shorter
    numbers (3 tries, 30 days) are left for the engine, which reads them well."""
    return _CODE.sub(lambda match: digits_apart(match.group(), language), text)

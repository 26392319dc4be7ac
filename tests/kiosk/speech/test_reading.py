"""Money, dates, times and codes worded as people say them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kiosk.speech.reading import codes_apart, date_words, money_words, time_words, zh_number


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("12502.89", "一万两千五百零二元八角九分", "12,502 yuan 89 fen"),
        ("0.09", "九分", "9 fen"),
        ("5.09", "五元零九分", "5 yuan 9 fen"),
        ("5.80", "五元八角", "5 yuan 80 fen"),
        ("100.00", "一百元", "100 yuan"),
        ("0", "零元", "0 yuan"),
        ("-86.50", "八十六元五角", "86 yuan 50 fen"),  # the sign is the caller's words
        ("220000", "二十二万元", "220,000 yuan"),
        ("1200.30", "一千两百元三角", "1,200 yuan 30 fen"),
    ],
)
def test_money_is_read_as_people_say_it(amount: str, zh: str, en: str) -> None:
    assert money_words(Decimal(amount), "zh") == zh
    assert money_words(Decimal(amount), "en") == en


def test_money_must_be_a_decimal() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        money_words(12.5, "zh")  # type: ignore[arg-type]


def test_liang_only_where_people_say_it() -> None:
    assert zh_number(2) == "二"
    assert zh_number(22) == "二十二"
    assert zh_number(2000000) == "两百万"
    assert zh_number(22000) == "两万两千"


def test_dates_and_times_are_read_as_dates_and_times() -> None:
    day = date(2026, 11, 24)
    assert date_words(day, "zh") == "二零二六年十一月二十四日"
    assert date_words(day, "zh", "month") == "二零二六年十一月"
    assert date_words(day, "en") == "24 November 2026"
    assert date_words(day, "en", "month") == "November 2026"
    assert time_words(datetime(2026, 11, 24, 10, 30), "zh") == "十点三十分"
    assert time_words(datetime(2026, 11, 24, 2, 5), "zh") == "两点零五分"
    assert time_words(datetime(2026, 11, 24, 14, 0), "zh") == "十四点"
    assert time_words(datetime(2026, 11, 24, 14, 0), "en") == "14 o'clock"


def test_codes_are_read_digit_by_digit_and_small_numbers_left_alone() -> None:
    assert codes_apart("请拨打12393，还可以输入3次", "zh") == "请拨打一二三九三，还可以输入3次"
    assert codes_apart("call 12333 within 30 days", "en") == "call 1 2 3 3 3 within 30 days"

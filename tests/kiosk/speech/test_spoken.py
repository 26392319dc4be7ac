"""What every screen says: from the speech catalogue, with the screen's key facts, and
never a PIN digit, a citizen ID or a card number."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache

import pytest

from kiosk.domain import FilingStatus, FilingType, RemoteFiling
from kiosk.services import AccountService
from kiosk.session.view import Busy, Problem, ProblemKind, State, View
from kiosk.speech.reading import codes_apart, digits_apart, money_words
from kiosk.speech.render import VOICES
from kiosk.speech.rows import spoken_row
from kiosk.speech.spoken import spoken_busy, spoken_idle_warning, spoken_text
from kiosk.speech.words import _messages, keys, words
from tests.kiosk.session.harness import Kiosk
from tests.kiosk.speech.walk import Walk, walk
from tests.session_kit import PINS, account_service

LANGUAGES = ("zh", "en")


@pytest.fixture(scope="module")
def day(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Walk:
    service = account_service(store_url, tmp_path_factory.mktemp("walk") / "outbox.sqlite3")
    try:
        return walk(service)
    finally:
        service.close()


def unavailable(language: str) -> View:
    problem = Problem(ProblemKind.STORE_UNAVAILABLE, "账户查询暂时不可用。", "Not available now.")
    return View(State.SERVICE_UNAVAILABLE, language, False, problem=problem)


def every_view(day: Walk) -> list[View]:
    views = [replace(view, language=language) for view in day.views for language in LANGUAGES]
    return views + [unavailable(language) for language in LANGUAGES]


@cache
def catalogue_pattern(language: str) -> re.Pattern[str]:
    """Any run of the catalogue's sentences (fields filled with anything) and the words the
    screen itself shows verbatim (a problem's message, passed in by the test)."""
    parts = []
    field = "[^。！？]+?" if language == "zh" else ".+?"  # a field is within one sentence
    for template in _messages(language).values():
        pieces = re.split(r"\{\w+\}", codes_apart(template, language))
        parts.append(field.join(re.escape(piece) for piece in pieces))
    return re.compile("(?:" + "|".join(parts) + ")")


def made_of_catalogue(spoken: str, view: View) -> bool:
    language = view.language
    rest = spoken
    if view.problem is not None:  # the screen's own words, said as shown
        message = codes_apart(view.problem.message(language), language)
        assert message in rest
        rest = rest.replace(message, "")
    sentence = catalogue_pattern(language).pattern
    separator = "" if language == "zh" else " ?"
    return re.fullmatch(f"(?:{sentence}{separator})+", rest) is not None


def test_the_walk_reaches_every_screen(day: Walk) -> None:
    reached = {view.state for view in every_view(day)}
    assert reached == set(State)


def test_every_screen_says_something_from_the_catalogue_in_both_languages(day: Walk) -> None:
    said: dict[tuple[State, str], int] = {}
    for view in every_view(day):
        spoken = spoken_text(view)
        if view.summary is None and view.state in (State.OVERVIEW, State.ANNUAL):
            continue  # a screen's first view before its data arrives
        assert spoken, (view.state, view.language)
        assert made_of_catalogue(spoken, view), (view.state, spoken)
        said[view.state, view.language] = said.get((view.state, view.language), 0) + 1
    assert {state for state, _ in said} == set(State)


def test_both_languages_have_the_same_keys_and_fields() -> None:
    assert keys("zh") == keys("en")
    for key in keys("zh"):
        fields = [set(re.findall(r"\{(\w+)\}", _messages(lang)[key])) for lang in LANGUAGES]
        # English leaves the name out (its voice cannot read Chinese characters)
        assert fields[1] <= fields[0], key


def test_the_pin_pad_says_its_instruction_and_the_tries_left(day: Walk) -> None:
    pads = [view for view in day.views if view.state is State.PIN_ENTRY]
    first, wrong = pads[0], next(view for view in pads if view.pin_wrong)
    assert spoken_text(first) == "".join(
        [words("pin.title", "zh"), words("pin.tries", "zh", tries=3), words("pin.hint", "zh")]
    )
    assert words("pin.wrong", "zh", tries=2) in spoken_text(wrong)
    assert "2 tries left" in spoken_text(replace(wrong, language="en"))


def test_the_start_screen_invites_the_card(day: Walk) -> None:
    idle = day.views[0]
    assert idle.state is State.IDLE
    assert spoken_text(idle).startswith("请插入社会保障卡")
    assert spoken_text(idle) == words("idle.invite", "zh")


def test_the_overview_says_the_balance_quota_and_last_contribution(day: Walk) -> None:
    view = next(v for v in day.views if v.state is State.OVERVIEW and v.summary is not None)
    summary = view.summary
    assert summary is not None
    spoken = spoken_text(view)
    assert words("overview.balance", "zh", balance=money_words(summary.balance, "zh")) in spoken
    assert money_words(summary.quota.left, "zh") in spoken
    assert summary.last_contribution is not None
    assert money_words(summary.last_contribution.to_personal_account, "zh") in spoken
    english = spoken_text(replace(view, language="en"))
    assert f"Your personal account balance is {money_words(summary.balance, 'en')}." in english
    assert "¥" not in spoken + english


def test_a_known_balance_is_said_in_words(day: Walk) -> None:
    shown = next(v for v in day.views if v.state is State.OVERVIEW and v.summary is not None)
    assert shown.summary is not None
    view = replace(shown, summary=replace(shown.summary, balance=Decimal("12502.89")))
    assert "个人账户余额一万两千五百零二元八角九分。" in spoken_text(view)
    assert "balance is 12,502 yuan 89 fen." in spoken_text(replace(view, language="en"))


def test_history_rows_are_said_whole_and_one_at_a_time(day: Walk) -> None:
    view = next(v for v in day.views if v.state is State.HISTORY and v.history is not None)
    assert view.history is not None
    entry = view.history.entries[0]
    row = spoken_row(entry, "zh")
    assert money_words(entry.balance_after, "zh") in row
    assert ("支出" if entry.amount < 0 else "入账") + money_words(entry.amount, "zh") in row
    assert row in spoken_text(view)
    page = words("list.page", "zh", page=view.history.page, pages=view.history.pages)
    assert page in spoken_text(view)


def test_codes_are_said_digit_by_digit() -> None:
    spoken = spoken_text(unavailable("zh"))
    assert digits_apart("12393", "zh") in spoken
    assert "12393" not in spoken


def test_problems_take_card_busy_and_idle_warning(day: Walk) -> None:
    problem = next(v for v in day.views if v.state is State.CARD_PROBLEM)
    assert problem.problem is not None
    assert codes_apart(problem.problem.message("zh"), "zh") in spoken_text(problem)
    take = next(v for v in day.views if v.state is State.TAKE_CARD)
    assert spoken_text(take).startswith(words("take_card.title", "zh"))
    reminded = replace(take, take_card_reminders=1)
    assert spoken_text(reminded).startswith(words("take_card.again", "zh"))
    assert spoken_busy(Busy.CHECKING_PIN, "en") == "Checking your PIN. Please wait."
    assert "20" in spoken_idle_warning(20, "zh")


def test_maintenance_says_nothing_of_its_health(day: Walk) -> None:
    view = next(v for v in day.views if v.state is State.MAINTENANCE and v.maintenance)
    assert view.maintenance is not None
    assert spoken_text(view) == words("maintenance.title", "zh")
    assert view.maintenance.reader not in spoken_text(view)


def test_an_open_ended_filing_is_said_so() -> None:
    start = date(2026, 1, 5)
    filing = RemoteFiling(
        FilingType.LONG_TERM, "460200", "三亚市", start, None, FilingStatus.ACTIVE
    )
    assert "长期有效" in spoken_row(filing, "zh")
    assert "no end date" in spoken_row(filing, "en")


def spoken_forms(digits: str) -> list[str]:
    return [digits, digits_apart(digits, "zh"), digits_apart(digits, "en")]


def test_no_pin_digit_citizen_id_or_card_number_is_ever_spoken(day: Walk) -> None:
    assert PINS["li-kun"] in day.typed
    secrets = {secret for secret in day.secrets if secret}
    assert secrets
    forbidden = [form for digits in day.typed for form in spoken_forms(digits)]
    for secret in secrets:
        forbidden.append(secret)
        forbidden += [form for run in re.findall(r"\d{6,}", secret) for form in spoken_forms(run)]
    for view in every_view(day):
        spoken = spoken_text(view)
        rows = [
            spoken_row(entry, view.language)
            for entry in (view.history.entries if view.history else ())
        ]
        for text in [spoken, *rows]:
            for form in forbidden:
                assert form not in text, (view.state, view.language)


def test_a_name_is_said_only_as_the_screen_shows_it(day: Walk) -> None:
    view = next(v for v in day.views if v.state is State.OVERVIEW and v.summary is not None)
    assert view.summary is not None
    full = view.summary.person_name
    spoken = spoken_text(view)
    assert view.display_name != full
    assert full not in spoken
    assert view.display_name.replace("*", "某") in spoken
    assert "*" not in spoken


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_kiosk_without_a_card_says_no_personal_fact(
    accounts: AccountService, language: str
) -> None:
    kiosk = Kiosk(accounts)
    kiosk.session.set_language(language)
    assert spoken_text(kiosk.view) == words("idle.invite", language)


def test_words_from_outside_the_catalogue_are_caught(day: Walk) -> None:
    idle = day.views[0]
    assert made_of_catalogue(spoken_text(idle), idle)
    assert not made_of_catalogue(spoken_text(idle) + "您的密码是一二三四五六。", idle)


def test_a_list_can_be_said_without_its_rows_for_a_ui_that_reads_the_focused_row(
    day: Walk,
) -> None:
    view = next(v for v in day.views if v.state is State.HISTORY and v.history is not None)
    assert view.history is not None
    entries = view.history.entries
    short = spoken_text(view, rows=False)
    assert short.startswith(words("history.title", "zh"))
    assert words("list.count", "zh", count=len(entries)) in short
    assert all(spoken_row(entry, "zh") not in short for entry in entries)
    assert made_of_catalogue(short, view)
    assert len(short) < len(spoken_text(view)) / 3
    idle = day.views[0]
    assert spoken_text(idle, rows=False) == spoken_text(idle)  # not a list: the same words


def test_every_chinese_text_is_read_in_mandarin_not_spelled_in_english(day: Walk) -> None:
    """espeak-ng -x shows the phonemes; "(en)" marks a switch to English, which Debian's
    "cmn" voice makes for every Chinese character (hence the voice kiosk.speech uses)."""
    texts = {spoken_text(view) for view in day.views} - {""}
    for text in texts:
        done = subprocess.run(
            ["espeak-ng", "-q", "-x", "-v", VOICES["zh"], "--stdin"],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0
        phonemes = done.stdout.decode("utf-8")
        assert phonemes.strip()
        assert "(en)" not in phonemes, text


def test_large_texts_two_overview_pages_are_each_said_as_shown(day: Walk) -> None:
    shown = next(v for v in day.views if v.state is State.OVERVIEW and v.summary is not None)
    assert shown.summary is not None
    last = shown.summary.last_contribution
    assert last is not None
    contribution = money_words(last.to_personal_account, "zh")
    balance = money_words(shown.summary.balance, "zh")
    first = spoken_text(replace(shown, elderly=True))
    assert words("overview.balance", "zh", balance=balance) in first
    assert contribution not in first  # on the second page, said there
    assert first.endswith(words("overview.choices.first", "zh"))
    more = spoken_text(replace(shown, elderly=True, overview_more=True))
    assert more.startswith(words("overview.more", "zh"))
    assert contribution in more
    assert balance not in more
    assert more.endswith(words("overview.choices.more", "zh"))
    # Normal text has one page: the second page's flag changes nothing.
    assert spoken_text(replace(shown, overview_more=True)) == spoken_text(shown)

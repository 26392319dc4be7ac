"""One catalogue of words: complete in zh and en, the same words on screen and slip, every
failure kind worded, one way to write money and dates, and cheap to load."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from card_reader.errors import CardErrorKind, NotSSSECardError, PinRequiredError
from kiosk.domain import (
    FlaggedCharge,
    FlagReason,
    LedgerEntry,
    LedgerKind,
    QuotaStatus,
    ReceiptData,
    date_text,
    yuan,
)
from kiosk.session.view import ProblemKind
from kiosk.session_problems import CardTimeout, problem_for, problem_of
from kiosk.store.errors import CardNotActive, CardRefusal, StoreUnavailable
from kiosk.words import catalogue, flag_label, has, kind_label, receipt_words, text
from kiosk.words.failures import failure_key, failure_text
from printing.problems import PrinterProblem, PrinterProblemKind
from printing.receipt import render
from ui.screens.history import entry_row

CJK = re.compile(r"[\u4e00-\u9fff]")
LANGUAGES = ("zh", "en")


def po(language: str) -> Catalog:
    with catalogue.po_path(language).open("rb") as source:
        return read_po(source)


def entries(language: str) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in po(language) if m.id}


def fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def flat(words: str) -> str:
    return re.sub(r"\s+", "", words)


# -- the catalogue -------------------------------------------------------------------------


def test_every_entry_has_words_in_both_languages() -> None:
    zh, en = entries("zh"), entries("en")
    assert zh.keys() == en.keys()
    assert len(zh) > 150
    for key in zh:
        assert zh[key].strip(), key
        assert en[key].strip(), key
        # An English screen shows no Chinese UI words (the switch back to Chinese says 中文).
        assert not CJK.search(en[key]) or key == "switch.language", key


def test_both_languages_fill_the_same_fields() -> None:
    zh, en = entries("zh"), entries("en")
    for key in zh:
        assert fields(zh[key]) == fields(en[key]), key


def test_the_po_files_are_ready_for_translators_tools() -> None:
    for language in LANGUAGES:
        catalog = po(language)
        assert str(catalog.locale) == language
        for message in catalog:
            if not message.id:
                continue
            assert not message.fuzzy, message.id
            # Babel infers the flag from the msgid, a key here: the file must carry it.
            brace = "python-brace-format" in _written_flags(language, str(message.id))
            assert brace == bool(fields(str(message.string))), message.id


def _written_flags(language: str, key: str) -> set[str]:
    lines = catalogue.po_path(language).read_text(encoding="utf-8").splitlines()
    at = lines.index(f'msgid "{key}"')
    flags = lines[at - 1] if lines[at - 1].startswith("#,") else ""
    return {flag.strip() for flag in flags.removeprefix("#,").split(",") if flag.strip()}


def test_the_kiosk_reads_exactly_what_the_po_says() -> None:
    for language in LANGUAGES:
        compiled = catalogue.read_mo(catalogue.compile_po(catalogue.po_path(language)))
        assert compiled == entries(language)
        assert dict(catalogue.messages(language)) == entries(language)


def test_a_missing_key_fails_loudly() -> None:
    with pytest.raises(KeyError):
        text("no.such.key", "zh")


def test_fields_are_filled_and_an_unknown_language_reads_chinese() -> None:
    assert text("page.of", "en", page=2, pages=5) == "Page 2 of 5"
    assert text("page.of", "zh", page=2, pages=5) == "第 2 / 5 页"
    assert text("app.title", "fr") == text("app.title", "zh")


@pytest.fixture
def locale_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    copy = tmp_path / "locale"
    shutil.copytree(catalogue.LOCALE, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(catalogue, "LOCALE", copy)
    catalogue.messages.cache_clear()
    yield copy
    catalogue.messages.cache_clear()


def test_the_first_use_compiles_the_po_and_an_edited_po_is_compiled_again(
    locale_copy: Path,
) -> None:
    po_file = locale_copy / "en" / "LC_MESSAGES" / "kiosk.po"
    mo_file = po_file.with_suffix(".mo")
    assert not mo_file.exists()
    assert catalogue.messages("en")["button.back"] == "Back"
    assert mo_file.exists()
    edited = po_file.read_text(encoding="utf-8").replace('msgstr "Back"', 'msgstr "Go back"')
    po_file.write_text(edited, encoding="utf-8")
    catalogue.messages.cache_clear()
    assert catalogue.messages("en")["button.back"] == "Go back"


def test_a_read_only_install_compiles_in_memory(
    locale_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Path, data: bytes, mode: int | None = None) -> None:
        raise PermissionError(13, "Read-only file system", str(path))

    monkeypatch.setattr(catalogue, "write_atomically", read_only)
    assert catalogue.messages("zh")["button.back"] == "返回"
    assert not (locale_copy / "zh" / "LC_MESSAGES" / "kiosk.mo").exists()


def test_a_compiled_catalogue_loads_without_babel_and_the_help_loads_no_words() -> None:
    catalogue.compile_all()
    probe = (
        "import sys, kiosk.words as w; w.text('app.title', 'zh'); w.text('app.title', 'en');"
        "print('babel' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"
    help_run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ui.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "kiosk.words" not in help_run.stderr
    assert "babel" not in help_run.stderr


# -- the same words on screen and slip ------------------------------------------------------

NOW = datetime(2026, 11, 24, 10, 30, 5)


def _entry(number: int, kind: LedgerKind, flags: tuple[FlagReason, ...] = ()) -> LedgerEntry:
    return LedgerEntry(
        entry_id=number,
        posted_at=datetime(2026, 11, 1 + number, 9, 15),
        kind=kind,
        amount=Decimal("-12.30"),
        balance_after=Decimal("1000.00"),
        institution_name="示范社区卫生服务中心",
        flags=flags,
    )


def _every_kind_and_reason(language: str) -> ReceiptData:
    kinds = tuple(_entry(i, kind) for i, kind in enumerate(LedgerKind))
    flagged = tuple(
        FlaggedCharge(_entry(i, LedgerKind.PHARMACY, (reason,)), (reason,))
        for i, reason in enumerate(FlagReason)
    )
    return ReceiptData(
        kiosk_id="kiosk-07",
        kiosk_location="",
        printed_at=NOW,
        serial="kiosk-07-20261124-0001",
        person_name="张伟",
        citizen_id="320102198001011234",
        card_number="A32010001",
        balance=Decimal("1000.00"),
        quota=QuotaStatus(2026, Decimal("2000.00"), Decimal("100.00")),
        last_contribution=None,
        entries=kinds,
        flagged=flagged,
        card_hash="0" * 64,
        words=receipt_words(language),
        language=language,
    )


def _screen_texts(qtbot: QtBot, entry: LedgerEntry, language: str) -> list[str]:
    row = entry_row(entry, language)
    qtbot.addWidget(row)
    return [widget.text() for widget in row.findChildren(QLabel)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_ledger_kind_reads_the_same_on_screen_and_slip(qtbot: QtBot, language: str) -> None:
    data = _every_kind_and_reason(language)
    slip = flat(subprocess_pdftotext(render(data, 58).pdf))
    for entry in data.entries:
        on_screen = _screen_texts(qtbot, entry, language)[0].split("  ", 1)[1]
        assert on_screen == kind_label(entry.kind, language) == data.words.kinds[entry.kind]
        assert flat(f"{date_text(entry.posted_at)}{on_screen}") in slip, entry.kind


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_flag_reason_reads_the_same_on_screen_and_slip(qtbot: QtBot, language: str) -> None:
    data = _every_kind_and_reason(language)
    slip = flat(subprocess_pdftotext(render(data, 80).pdf))
    for charge in data.flagged:
        (reason,) = charge.reasons
        on_screen = _screen_texts(qtbot, charge.entry, language)
        words = flag_label(reason, language)
        assert words in on_screen  # the warning label beside the 请核对 badge
        assert words == data.words.reasons[reason]
        assert flat(words) in slip, reason


def subprocess_pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_slip_is_worded_in_the_persons_language() -> None:
    zh, en = receipt_words("zh"), receipt_words("en")
    assert zh.balance == text("overview.balance", "zh")  # one entry for screen and slip
    assert zh.subtitle == en.title
    assert en.subtitle == zh.title
    assert zh.reason_separator == "；"
    for value in vars(en).values():
        if isinstance(value, str) and value is not en.subtitle:
            assert not CJK.search(value), value


# -- failures, by kind ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ProblemKind))
def test_every_problem_screen_has_words(kind: ProblemKind) -> None:
    problem = problem_of(kind)
    assert problem.kind is kind
    assert CJK.search(problem.message("zh"))
    assert problem.message("en").strip()
    assert not CJK.search(problem.message("en"))


def test_every_card_store_and_printer_failure_kind_has_words_of_its_own() -> None:
    errors: list[Exception] = [PrinterProblem(kind) for kind in PrinterProblemKind]
    errors += [CardNotActive(refusal) for refusal in CardRefusal]
    errors += [StoreUnavailable()]
    keys = [failure_key(error) for error in errors]
    for kind in CardErrorKind:
        assert has(f"problem.{kind}"), kind
    assert all(has(key) for key in keys)
    assert len(set(keys)) == len(keys)  # none falls back on another's words


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (CardTimeout(), ProblemKind.READ_TIMEOUT, "读卡时间过长"),
        (NotSSSECardError(), ProblemKind.NOT_SSSE, "不是社会保障卡"),
        (PinRequiredError(), ProblemKind.READ_FAILED, "需要先输入密码"),
        (CardNotActive(CardRefusal.LOST), ProblemKind.LOST, "已挂失"),
        (CardNotActive(CardRefusal.UNKNOWN), ProblemKind.UNKNOWN_CARD, "没有查到"),
        (StoreUnavailable("timeout"), ProblemKind.STORE_UNAVAILABLE, "暂时不可用"),
        (PrinterProblem(PrinterProblemKind.MEDIA_EMPTY), ProblemKind.PRINTER, "缺纸"),
        (PrinterProblem(PrinterProblemKind.OTHER), ProblemKind.PRINTER, "打印机出现问题"),
        (RuntimeError("bug"), ProblemKind.UNEXPECTED, "意外问题"),
    ],
)
def test_a_failure_gets_its_screen_and_its_words(
    error: Exception, kind: ProblemKind, words: str
) -> None:
    problem = problem_for(error)
    assert problem.kind is kind
    assert words in problem.message("zh")
    assert problem.message("en") == failure_text(error, "en")


# -- money and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "sign", "symbol", "written"),
    [
        (Decimal("1234.5"), False, True, "¥1,234.50"),
        (Decimal("12502.89"), False, True, "¥12,502.89"),
        (Decimal("0.00"), False, True, "¥0.00"),
        (Decimal("-56.09"), False, True, "-¥56.09"),
        (Decimal("105.34"), True, True, "+¥105.34"),
        (Decimal("-56.09"), True, True, "-¥56.09"),
        (Decimal("0.00"), True, True, "¥0.00"),
        (Decimal("268.40"), True, False, "+268.40"),
        (Decimal("-1390.56"), True, False, "-1,390.56"),
        (Decimal("3156.16"), False, False, "3,156.16"),
        (Decimal("1234567.891"), False, True, "¥1,234,567.89"),
    ],
)
def test_money_is_written_one_way(amount: Decimal, sign: bool, symbol: bool, written: str) -> None:
    assert yuan(amount, sign, symbol=symbol) == written


def test_money_is_a_decimal_never_a_float() -> None:
    with pytest.raises(TypeError):
        yuan(12.5)  # type: ignore[arg-type]


def test_dates_are_written_one_way_in_both_languages() -> None:
    moment = datetime(2026, 3, 4, 5, 6, 7)
    assert date_text(moment) == "2026-03-04"
    assert date_text(date(2026, 3, 1), "month") == "2026-03"
    assert date_text(moment, "minute") == "2026-03-04 05:06"
    assert date_text(moment, "second") == "2026-03-04 05:06:07"

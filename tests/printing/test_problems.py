"""Printer problems speak plainly to the person and precisely to the operator."""

from __future__ import annotations

import pytest

from kiosk.words.failures import failure_text
from printing.problems import (
    PrinterProblem,
    PrinterProblemKind,
    PrinterStatus,
    problems_from_reasons,
)


@pytest.mark.parametrize("kind", list(PrinterProblemKind))
def test_every_kind_has_plain_messages_in_both_languages(kind: PrinterProblemKind) -> None:
    problem = PrinterProblem(kind)
    zh, en = failure_text(problem, "zh"), failure_text(problem, "en")
    assert "不受影响" in zh
    assert "not affected" in en
    assert "工作人员" in zh or "稍后" in zh
    assert problem.operator_message
    assert problem.kind is kind


def test_paper_out_message_is_the_agreed_one() -> None:
    problem = PrinterProblem(PrinterProblemKind.MEDIA_EMPTY, "queue x: media-empty-error")
    assert failure_text(problem, "zh") == "打印机缺纸，请联系工作人员。您的查询结果不受影响。"
    assert failure_text(problem, "en") == (
        "The printer is out of paper. Please ask a member of staff. "
        "Your account information is not affected."
    )
    assert problem.operator_message == "queue x: media-empty-error"


@pytest.mark.parametrize(
    ("reasons", "kinds"),
    [
        (["media-empty-error", "paused"], (PrinterProblemKind.MEDIA_EMPTY,)),
        (["media-needed"], (PrinterProblemKind.MEDIA_EMPTY,)),
        (["media-jam-error"], (PrinterProblemKind.MEDIA_JAM,)),
        (["door-open-error", "cover-open-report"], (PrinterProblemKind.DOOR_OPEN,)),
        (["offline-report"], (PrinterProblemKind.OFFLINE,)),
        (["paused"], (PrinterProblemKind.QUEUE_STOPPED,)),
        (["media-low-warning", "media-empty-warning"], ()),
        (["none"], ()),
        (
            ["media-jam-error", "media-empty-error"],
            (PrinterProblemKind.MEDIA_JAM, PrinterProblemKind.MEDIA_EMPTY),
        ),
    ],
)
def test_cups_reasons_map_to_kinds(reasons: list[str], kinds: tuple[PrinterProblemKind]) -> None:
    assert problems_from_reasons(reasons) == kinds


def test_a_status_becomes_its_first_problem() -> None:
    status = PrinterStatus(False, (PrinterProblemKind.MEDIA_JAM,), "queue q: media-jam-error")
    problem = status.problem()
    assert problem.kind is PrinterProblemKind.MEDIA_JAM
    assert "media-jam-error" in problem.operator_message
    assert PrinterStatus(False).problem().kind is PrinterProblemKind.OTHER

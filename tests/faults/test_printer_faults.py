"""The receipt printer out of paper, jammed, or its queue stopped, through a real cupsd.

The person is told in plain words that the slip did not print and that their account is not
affected, goes back to their account and on with the session; the failed print is audited.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from kiosk.session.view import ProblemKind, State
from kiosk.words.failures import failure_text
from printing.problems import PrinterProblem, PrinterProblemKind
from realparts.cups import CupsServer
from tests.faults.conftest import FaultKioskMaker

pytestmark = pytest.mark.integration


@pytest.fixture
def stopped_queue(cups_server: CupsServer) -> Iterator[str]:
    """The working file queue, stopped by an operator (`cupsdisable`)."""
    queue = cups_server.file_queue
    subprocess.run(["cupsdisable", queue], env=cups_server.env, check=True, capture_output=True)
    yield queue
    cups_server.reset_queue(queue)


@pytest.mark.parametrize(
    ("queue_attr", "kind"),
    [
        ("empty_queue", PrinterProblemKind.MEDIA_EMPTY),
        ("jam_queue", PrinterProblemKind.MEDIA_JAM),
        ("stopped", PrinterProblemKind.QUEUE_STOPPED),
    ],
    ids=["out-of-paper", "jammed", "queue-stopped"],
)
def test_printer_fault_is_explained_and_the_session_goes_on(
    make_fault_kiosk: FaultKioskMaker,
    cups_server: CupsServer,
    request: pytest.FixtureRequest,
    queue_attr: str,
    kind: PrinterProblemKind,
) -> None:
    if queue_attr == "stopped":
        queue = request.getfixturevalue("stopped_queue")
    else:
        queue = getattr(cups_server, queue_attr)
        request.addfinalizer(lambda: cups_server.reset_queue(queue))
    kiosk = make_fault_kiosk(printer_toml=f'kind = "cups"\ncups_queue = "{queue}"')
    kiosk.at_overview()
    kiosk.tap_text("nav.print")
    kiosk.qtbot.waitUntil(lambda: kiosk.session.view.problem is not None, timeout=25_000)
    assert kiosk.session.view.state is State.PRINTING
    kiosk.assert_problem_shown(ProblemKind.PRINTER)
    assert failure_text(PrinterProblem(kind), "zh") in kiosk.visible_texts()
    # What the operator sees on the maintenance screen (and in the heartbeat).
    assert kind in kiosk.parts.receipts.printer.status().problems
    kiosk.tap_text("printing.back")
    kiosk.wait_for(State.OVERVIEW)
    kiosk.tap_text("nav.history")
    kiosk.wait_for(State.HISTORY)
    kiosk.tap_text("button.finish")
    kiosk.wait_for(State.TAKE_CARD)
    assert not kiosk.session.view.printed
    kiosk.assert_no_audit_lost()
    assert ("print", "failed_printer") in kiosk.audited
    kiosk.assert_ready_for_next_person()

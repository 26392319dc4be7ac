"""`kiosk demo --headless`: scripted sessions, offscreen, a PNG of every screen they pass.

Each step is shot in Chinese and English, normal and large-text mode. The kiosk rig runs
stepped (work only when the script settles) on a fake monotonic clock, so every screen (even
"Reading your card...") is caught on purpose, not by luck. Receipts go to OUT/receipts as
the spool printer writes them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt

from card_reader.simulator import Faults, SimulatedCard, profile
from kiosk.app import ensure_demo_store
from kiosk.config import KioskConfig
from kiosk.session.view import State
from kiosk.speech.render import write_speech
from kiosk.store.demo import DEMO_SERVICE_PASSWORD
from printing.dispatch import Printer
from printing.problems import PrinterProblemKind
from realparts.clock import FakeClock
from realparts.printer import FaultyPrinter
from ui.rig import KioskRig
from ui.screens.loss_report import LossIdScreen
from ui.widgets.basics import RING_STOP
from ui.window import KioskWindow

log = logging.getLogger(__name__)
Inspect = Callable[[KioskWindow, str], None]  # a test's look at each shot
VARIANTS = (("zh", False), ("en", False), ("zh", True), ("en", True))
SIZE = (1280, 800)
ACCOUNT_SCREENS = (State.HISTORY, State.CONTRIBUTIONS, State.ANNUAL, State.FAMILY_AID,
                   State.FILINGS, State.FLAGGED)  # fmt: skip


class DemoWalk(KioskRig):
    """The kiosk rig, stepped on a fake clock; `shoot` writes the four variants of a screen."""

    def __init__(
        self,
        config: KioskConfig,
        out: Path,
        size: tuple[int, int] = SIZE,
        inspect: Inspect | None = None,
        *,
        speech: bool = False,
    ) -> None:
        self.clock: FakeClock = FakeClock()
        # Dates on the screens and slips are today's; only the timeouts run on the fake clock.
        super().__init__(config, clock=self.clock, now=datetime.now, stepped=True, size=size)
        self.out = out
        self.written: list[Path] = []
        self.inspect = inspect
        self.size = size
        self.too_big: list[str] = []  # screens whose content needs more than the window
        self.speech = speech  # a WAV of each shot's spoken words beside its PNG
        self._counter = 0

    def shoot(
        self, name: str, again: Callable[[], None] | None = None, *, mid_job: bool = False
    ) -> None:
        """Shoot every variant; `again` re-creates a state a tap on the switches would end;
        `mid_job` keeps a pending card or printer job pending (reading, printing)."""
        self._counter += 1
        for language, elderly in VARIANTS:
            self.session.set_language(language)
            self.session.set_elderly(elderly)
            if again is not None:
                again()
            if mid_job:
                self.app.processEvents()
            else:
                self.settle()
            mode = "elderly" if elderly else "normal"
            path = self.out / f"{self._counter:02d}-{name}-{language}-{mode}.png"
            grown = self.window.size()
            if (grown.width(), grown.height()) != self.size:  # Qt grew it to fit the content
                self.too_big.append(f"{path.name}: grew to {grown.width()}x{grown.height()}")
                self.window.resize(*self.size)
            self.window.grab().save(str(path))
            if self.inspect is not None:
                self.inspect(self.window, path.name)
            self.written.append(path)
            if self.speech:
                wav = write_speech(self.session.view, path)
                if wav is not None:
                    self.written.append(wav)
        self.session.set_language("zh")
        self.session.set_elderly(False)
        self.settle()

    def insert(self, card: SimulatedCard | str, faults: Faults | None = None) -> SimulatedCard:
        inserted = super().insert(card, faults)
        held = self.session.read_held_for()  # the demo's failing cards trigger the back-off
        if held:
            self.clock.advance(held)
            self.session.tick()
        return inserted

    def pin(self, digits: str) -> None:
        self.session.submit_pin(bytearray(digits.encode("ascii")))
        self.settle()

    def remove(self) -> None:
        super().remove()
        self.settle()

    def use_printer(self, printer: Printer) -> Printer:
        receipt_printer = self.parts.receipts.printer
        previous, receipt_printer.printer = receipt_printer.printer, printer
        return previous


def _everyday(walk: DemoWalk) -> None:
    walk.shoot("attract")
    walk.insert("zhang-wei")
    walk.shoot("reading", mid_job=True)
    walk.settle()
    walk.shoot("pin")
    walk.pin("123456")
    walk.shoot("overview")

    def ring_on_contributions() -> None:  # the tactile keypad's ring, two steps in
        walk.settle()
        for _ in range(2):
            walk.window.keypad.key(Qt.Key.Key_Right)

    walk.shoot("overview-keypad-ring", ring_on_contributions)

    def more_services() -> None:  # large text's second page (normal text shows it all)
        walk.settle()
        walk.session.overview_more(True)

    walk.shoot("overview-more", more_services)
    walk.session.overview_more(False)

    def speech_panel_open() -> None:
        walk.settle()
        walk.window.speech_button.click()

    walk.shoot("speech-panel", speech_panel_open)
    walk.window.speech_panel.hide()
    for state in ACCOUNT_SCREENS:
        walk.session.show(state)
        walk.settle()
        walk.shoot(state.value)
    walk.session.show(State.HISTORY)
    walk.settle()

    def ring_on_a_row() -> None:  # the keypad's ring on the first row: said as it lands
        walk.settle()
        keypad = walk.window.keypad
        for _ in keypad.stops():
            if keypad.ringed is not None and keypad.ringed.property(RING_STOP):
                break
            keypad.key(Qt.Key.Key_Down)

    walk.shoot("history-keypad-ring", ring_on_a_row)
    walk.session.history_page(2)
    walk.settle()
    walk.shoot("history-page-2")
    walk.session.show(State.OVERVIEW)
    walk.settle()
    walk.session.overview_more(True)  # where large text has the certificate's button
    walk.session.print_certificate()
    walk.settle()
    walk.shoot("overview-certificate-printed")
    walk.session.overview_more(False)
    walk.session.print_receipt()
    walk.shoot("printing", mid_job=True)
    walk.settle()
    walk.shoot("take-card-printed")
    walk.remove()


def _other_people(walk: DemoWalk) -> None:
    for key in ("wang-zhe", "li-kun", "long-name"):
        walk.insert(key)
        walk.settle()
        walk.pin(profile(key).pin)
        walk.shoot(f"overview-{key}")
        walk.session.show(State.HISTORY)
        walk.settle()
        walk.shoot(f"history-{key}")
        walk.session.print_receipt()
        walk.settle()
        walk.remove()


def _wrong_and_blocked(walk: DemoWalk) -> None:
    walk.insert("zhang-wei")
    walk.settle()
    walk.pin("000000")
    walk.shoot("pin-wrong")
    walk.remove()
    for key in ("blocked-pin", "expired", "not-ssse", "damaged-name", "reversed-card"):
        walk.insert(key)
        walk.settle()
        walk.shoot(f"card-problem-{key}")
        walk.remove()
    walk.insert("damaged-name")  # a second bad read within minutes: now 'damaged'
    walk.settle()
    walk.shoot("card-problem-damaged-name-again")
    walk.remove()
    walk.insert("lost-card")
    walk.settle()
    walk.pin(profile("lost-card").pin)
    walk.shoot("card-problem-lost-card")
    walk.remove()


def _pin_change(walk: DemoWalk) -> None:
    walk.insert("li-kun")
    walk.settle()
    walk.pin(profile("li-kun").pin)
    walk.session.start_pin_change()
    walk.shoot("pin-change-old")

    def typed(*pins: str) -> Callable[[], None]:
        """The steps again from the first: a language switch re-renders the same step."""

        def again() -> None:
            walk.session.start_pin_change()
            for digits in pins:
                walk.session.submit_pin_change(bytearray(digits.encode("ascii")))
                walk.settle()

        return again

    old = profile("li-kun").pin
    walk.shoot("pin-change-new-refused", typed(old, "888888"))
    walk.shoot("pin-change-repeat", typed(old, "731964"))
    typed("000000", "731964", "731964")()  # one wrong old PIN: shot once, not per variant
    walk.shoot("pin-change-old-wrong")
    typed(old, "731964", "731964")()
    walk.shoot("pin-changed")
    walk.remove()


def _loss_report(walk: DemoWalk) -> None:
    """Report wang-zhe's card lost without it, see the card refused, then lift the report."""
    walk.session.start_loss_report()
    citizen_id = profile("wang-zhe").citizen_id

    def typed(keys: str) -> Callable[[], None]:
        def again() -> None:
            walk.settle()
            screen = walk.window.screens[State.LOSS_ID]
            if isinstance(screen, LossIdScreen) and screen.pad is not None:
                for key in keys:
                    screen.pad.press(key)

        return again

    walk.shoot("loss-id", typed(citizen_id[:10]))
    walk.shoot("loss-id-wrong-check", typed(citizen_id[:17] + "0"))
    walk.session.loss_citizen_id(citizen_id)
    walk.settle()
    walk.shoot("loss-password")
    walk.session.loss_password(bytearray(b"000000"))
    walk.settle()
    walk.shoot("loss-password-wrong")
    walk.session.loss_password(bytearray(DEMO_SERVICE_PASSWORD.encode("ascii")))
    walk.settle()
    walk.shoot("loss-reported")
    walk.session.print_loss_slip()
    walk.settle()
    walk.insert("wang-zhe")
    walk.settle()
    walk.shoot("card-problem-reported-lost")
    walk.session.lift_loss()
    walk.settle()
    walk.pin(profile("wang-zhe").pin)
    walk.shoot("overview-loss-lifted")
    walk.remove()


def _filing_request(walk: DemoWalk) -> None:
    walk.insert("zhang-wei")
    walk.settle()
    walk.pin("123456")
    walk.session.show(State.FILINGS)
    walk.settle()
    walk.session.start_filing_request()
    walk.settle()
    walk.shoot("filing-request-kind")
    walk.session.filing_choose("temporary")
    walk.shoot("filing-request-province")
    draft = walk.session.view.filing_draft
    assert draft is not None
    province = next(p for p in draft.destinations if p.name != "江苏省")
    walk.session.filing_choose(province.name)
    walk.shoot("filing-request-city")
    walk.session.filing_choose(province.cities[0].code)
    walk.shoot("filing-request-start")
    walk.session.filing_choose("7")
    walk.shoot("filing-request-length")
    walk.session.filing_choose("90")
    walk.shoot("filing-request-confirm")
    walk.session.submit_filing_request()
    walk.settle()
    walk.shoot("filing-requested")
    walk.session.print_filing_slip()
    walk.settle()
    walk.session.show(State.FILINGS)
    walk.settle()
    walk.shoot("filings-with-pending")
    walk.remove()


def _pulled_idle_and_paper(walk: DemoWalk) -> None:
    walk.insert("zhang-wei")  # pulled while it is being read: the start screen says so
    walk.remove()
    walk.shoot("pulled-while-reading", walk.session.tick)
    walk.insert("zhang-wei")
    walk.settle()
    walk.pin("123456")
    walk.remove()
    walk.shoot("pulled-mid-session")
    walk.insert("zhang-wei")
    walk.settle()
    walk.pin("123456")

    def idle_for_a_minute() -> None:
        walk.clock.advance(walk.session.settings.idle_seconds + 3)
        walk.session.tick()

    walk.shoot("idle-warning", idle_for_a_minute)
    walk.clock.advance(walk.session.settings.idle_warning_seconds)
    walk.session.tick()
    walk.shoot("idle-timed-out")
    walk.remove()
    walk.insert("zhang-wei")
    walk.settle()
    walk.pin("123456")
    spool = walk.use_printer(FaultyPrinter(PrinterProblemKind.MEDIA_EMPTY))
    walk.session.print_receipt()
    walk.settle()
    walk.shoot("printer-out-of-paper")
    walk.use_printer(spool)
    walk.remove()


def _maintenance(walk: DemoWalk) -> None:
    walk.session.open_maintenance()
    walk.shoot("maintenance-pin")
    walk.session.submit_admin_pin(bytearray(b"246810"))
    walk.settle()
    walk.shoot("maintenance")
    walk.session.leave_maintenance()
    walk.settle()


WALKS: tuple[Callable[[DemoWalk], None], ...] = (
    _everyday, _other_people, _wrong_and_blocked, _pin_change, _loss_report, _filing_request,
    _pulled_idle_and_paper, _maintenance,
)  # fmt: skip


def walk_all(
    config: KioskConfig, out: Path, inspect: Inspect | None = None, *, speech: bool = False
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    # The walk reports a card lost and files a request: it runs on a demo store of its own,
    # seeded afresh, so every walk shows the same screens and the kiosk's store is untouched.
    store = out / "demo-store.sqlite3"
    store.unlink(missing_ok=True)
    config = dataclasses.replace(
        config,
        printer=dataclasses.replace(config.printer, kind="spool", spool_dir=out / "receipts"),
        store=dataclasses.replace(config.store, url=f"sqlite:///{store}"),
    )
    ensure_demo_store(config, datetime.now())
    walk = DemoWalk(config, out, SIZE, inspect, speech=speech)
    try:
        for step in WALKS:
            step(walk)
    finally:
        walk.close()
    for line in walk.too_big:
        log.warning("screen does not fit %dx%d: %s", *walk.size, line)
    receipts = sorted((out / "receipts").glob("*.pdf"))
    return walk.written + receipts

"""The kiosk window: renders the session's View, and forwards taps and time to the session.

It owns no business state. On every view it picks the screen for the state, wipes every
other screen (so a person's data is nowhere in the widget tree once the session forgot
them), puts the frame round it (ui/frame.py), and shows the idle countdown or the wait
banner on top.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.session import Session
from kiosk.session.view import State, View
from kiosk.speech.engine import NullSpeaker, SpeechOutput
from kiosk.speech.spoken import spoken_text
from ui.frame import Frame
from ui.i18n import text
from ui.keypad import Keypad
from ui.screens.annual import AnnualScreen
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen
from ui.screens.card_problem import CardProblemScreen
from ui.screens.contributions import ContributionsScreen
from ui.screens.family_aid import FamilyAidScreen
from ui.screens.filing_request import FilingFormScreen, FilingRequestedScreen
from ui.screens.filings import FilingsScreen
from ui.screens.flagged import FlaggedScreen
from ui.screens.history import HistoryScreen, rows_that_fit
from ui.screens.loss_report import LossIdScreen, LossPasswordScreen, LossReportedScreen
from ui.screens.maintenance import MaintenanceScreen
from ui.screens.maintenance_pin import MaintenancePinScreen
from ui.screens.overview import OverviewScreen
from ui.screens.pin_change import PinChangedScreen, PinChangeScreen
from ui.screens.pin_entry import PinScreen
from ui.screens.printing import PrintingScreen
from ui.screens.reading import ReadingScreen
from ui.screens.take_card import TakeCardScreen
from ui.screens.unavailable import UnavailableScreen
from ui.speech_controls import SpeechControls
from ui.theme import Theme
from ui.widgets.basics import button, label
from ui.widgets.overlays import BusyBanner, IdleWarning
from ui.widgets.speech_panel import SpeechPanel

TICK_MS = 250
BUSY_BANNER_DELAY_MS = 300
MAINTENANCE_HOLD_MS = 5000
# Screens that show their own progress; elsewhere a wait gets the banner.
_OWN_PROGRESS = {State.READING, State.PRINTING}


class KioskWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        scrambled_pin_pad: bool = False,
        speaker: SpeechOutput | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        # Off unless kiosk.toml or the person turns it on; it keeps each screen's words so
        # that turning it on says the screen the person is on.
        self.speaker: SpeechOutput = speaker if speaker is not None else NullSpeaker()
        self.speech = SpeechControls(self.speaker, self._speech_changed)
        self.setWindowTitle("社保卡自助查询 Social-security card kiosk")
        root = QWidget()
        root.setObjectName("window")
        self.setCentralWidget(root)
        column = QVBoxLayout(root)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self._top = QHBoxLayout()
        column.addLayout(self._top)
        self.frame = Frame(session.settings.location)
        self.time_left = self.frame.time_left
        column.addWidget(self.frame.where)
        column.addLayout(self.frame.steps_row)
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)
        column.addWidget(self.frame.foot)
        self.screens = _screens(session, scrambled_pin_pad)
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        for screen in self.screens.values():
            screen.key_tone = self.speaker.tone  # the PIN pads' one tone for every digit
        self._build_top_bar()
        self.idle_warning = IdleWarning(root, session.more_time)
        self.busy_banner = BusyBanner(root)
        self.speech_panel = SpeechPanel(root, self.speech)
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_BANNER_DELAY_MS)
        self._busy_delay.timeout.connect(self._show_busy)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(session.tick)
        self._ticker.timeout.connect(self._show_time_left)
        self._ticker.start()
        self._rendered: View | None = None
        # Showing a screen may resize the window, and a resize renders: never inside a
        # render, or the inner one wipes what the outer one is still showing (which then
        # shows as a window of its own).
        self._rendering = False
        self._render_again = False
        self._theme: Theme | None = None
        self.view: View | None = None
        self.exit_allowed = False
        root.installEventFilter(self)
        self.keypad = Keypad(session, self, self.speech, self._announce)
        session.subscribe(self.show_view)

    def _build_top_bar(self) -> None:
        """The hidden maintenance corner, the screen's heading, and the switches every
        screen keeps: speech, repeat, language, large text."""
        session = self.session
        self.speech_button = button("", self._open_speech_panel, "secondary")
        self.language_switch = button("", self._switch_language, "secondary")
        self.elderly_switch = button("", self._switch_elderly, "secondary")
        # Over the heading's first letters, not beside it: in large English every pixel of the
        # top bar is the heading's.
        self.maintenance_corner = QPushButton("", self.centralWidget())
        self.maintenance_corner.setFlat(True)
        self.maintenance_corner.setStyleSheet("background: transparent; border: none;")
        self.maintenance_corner.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(MAINTENANCE_HOLD_MS)
        self._hold.timeout.connect(session.open_maintenance)
        self.maintenance_corner.pressed.connect(self._hold.start)
        self.maintenance_corner.released.connect(self._hold.stop)
        # A long heading wraps (English, large text) rather than widen the window.
        self.heading = label("", role="heading")
        self.heading.setObjectName("heading")
        self._top.addWidget(self.heading, 1)
        self._top.addWidget(self.speech_button)
        self._top.addWidget(self.language_switch)
        self._top.addWidget(self.elderly_switch)
        self.maintenance_corner.raise_()  # above the heading; the overlays come later, above it

    # -- rendering ---------------------------------------------------------------------

    def show_view(self, view: View) -> None:
        self.view = view
        if self._rendering:  # a screen showing grew the window: render again once it is done
            self._render_again = True
            return
        self._rendering = True
        try:
            self._render(view)
        finally:
            self._rendering = False
        if self._render_again:
            self._render_again = False
            self.show_view(self.view)

    def _render(self, view: View) -> None:
        theme = Theme.for_mode(view.elderly, height=self.height())
        if theme != self._theme:
            self._theme = theme
            self.setStyleSheet(theme.stylesheet())
            self._rendered = None
        key = self._render_key(view)
        if key != self._rendered:
            self._rendered = key
            current = self.screens[view.state]
            for screen in self.screens.values():
                if screen is not current:
                    screen.wipe()
            current.show_view(view, theme)
            self.keypad.screen_changed()
            self.stack.setCurrentWidget(current)
            heading = current.heading or self._header(view)
            self.heading.setText(heading)
            self.heading.setAccessibleName(heading)
            self._speak(view)
        self._show_time_left()  # a countdown is no new screen, but the time left moved
        shown = self.screens[view.state]
        self.frame.show_view(view, self.session.card_in, heading_is_service=not shown.heading)
        self._render_top(view, theme)
        self._render_overlays(view, theme)

    @staticmethod
    def _render_key(view: View) -> View:
        """The parts of a view that change the screen itself (not the overlays)."""
        busy = view.busy if view.state in _OWN_PROGRESS else None
        return replace(
            view,
            idle_warning_seconds=None,
            busy=busy,
            take_card_reminders=min(view.take_card_reminders, 1),
        )

    @staticmethod
    def _header(view: View) -> str:
        """A screen without a heading of its own shows the service's name."""
        return text("frame.service", view.language)

    def _speak(self, view: View) -> None:
        """Say the screen that just appeared (never a PIN digit: kiosk.speech.spoken)."""
        if view.state is State.IDLE:
            self.speaker.forget()  # the person's words leave with the person
            self.speech_panel.hide()
        self.speaker.say(spoken_text(view), view.language)

    def _show_time_left(self) -> None:
        if self.view is not None:
            self.frame.show_time_left(self.session.seconds_left(), self.view.language)

    def _announce(self, name: str) -> None:
        """The keypad's ring moved: say the button it is on."""
        if self.view is not None and name:
            self.speaker.say(name, self.view.language)

    def _speech_changed(self) -> None:
        self.session.touch()
        self.speech_panel.refresh()

    def _open_speech_panel(self) -> None:
        self.session.touch()
        if self.view is not None and self._theme is not None:
            self.speech_panel.open(self.view.language, self._theme)

    def _render_top(self, view: View, theme: Theme) -> None:
        language = view.language
        self.speech_button.setText(text("speech.button", language))
        self.speech_button.setAccessibleName(text("speech.button.name", language))
        self.language_switch.setText(text("switch.language", language))
        self.language_switch.setAccessibleName(text("switch.language.name", language))
        elderly_key = "switch.elderly.off" if view.elderly else "switch.elderly.on"
        self.elderly_switch.setText(text(elderly_key, language))
        self.elderly_switch.setAccessibleName(text(elderly_key, language))
        self.maintenance_corner.setGeometry(0, 0, theme.target_px, theme.target_px)
        for switch in (self.speech_button, self.language_switch, self.elderly_switch):
            switch.setMinimumWidth(theme.target_px)  # a short word is still a full target
        self.maintenance_corner.setEnabled(view.state is State.IDLE)
        self.maintenance_corner.setAccessibleName(text("maintenance.corner", language))
        self._top.setContentsMargins(theme.margin_px, theme.spacing_px // 2, theme.margin_px, 0)
        self.frame.set_margins(theme.margin_px, theme.spacing_px)

    def _render_overlays(self, view: View, theme: Theme) -> None:
        if view.idle_warning_seconds is not None:
            self.idle_warning.show_countdown(view.idle_warning_seconds, view.language, theme)
        else:
            self.idle_warning.hide()
        if view.busy is not None and view.state not in _OWN_PROGRESS:
            if not self._busy_delay.isActive() and not self.busy_banner.isVisible():
                self._busy_delay.start()
        else:
            self._busy_delay.stop()
            self.busy_banner.hide()

    def _show_busy(self) -> None:
        view, theme = self.view, self._theme
        if view is not None and view.busy is not None and theme is not None:
            self.busy_banner.show_words(text(f"busy.{view.busy.value}", view.language), theme)

    # -- what the person does ------------------------------------------------------------

    def _switch_language(self) -> None:
        if self.view is not None:
            self.session.set_language("en" if self.view.language == "zh" else "zh")

    def _switch_elderly(self) -> None:
        if self.view is not None:
            self.session.set_elderly(not self.view.elderly)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self.height()
        themes = (Theme.for_mode(e, height=height) for e in (False, True))
        normal, large = (rows_that_fit(height, theme) for theme in themes)
        self.session.fit_history_rows(normal, large)
        if self.view is not None:  # the sizes follow the window's height
            self.show_view(self.view)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.session.touch()
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A tactile keypad drives the session (ui/keypad.py); nothing else a keyboard sends
        # may close or switch anything.
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.keypad.key(Qt.Key(event.key()), shift)
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exit_allowed:
            self._ticker.stop()
            self.speaker.close()
            for screen in self.screens.values():
                screen.wipe()
            event.accept()
        else:
            event.ignore()


def _screens(session: Session, scrambled_pin_pad: bool) -> dict[State, Screen]:
    """One screen for every state of the session."""
    return {
        State.IDLE: AttractScreen(session),
        State.READING: ReadingScreen(session),
        State.PIN_ENTRY: PinScreen(session, scrambled_pin_pad),
        State.OVERVIEW: OverviewScreen(session),
        State.HISTORY: HistoryScreen(session),
        State.CONTRIBUTIONS: ContributionsScreen(session),
        State.ANNUAL: AnnualScreen(session),
        State.FAMILY_AID: FamilyAidScreen(session),
        State.FILINGS: FilingsScreen(session),
        State.FLAGGED: FlaggedScreen(session),
        State.PRINTING: PrintingScreen(session),
        State.TAKE_CARD: TakeCardScreen(session),
        State.CARD_PROBLEM: CardProblemScreen(session),
        State.SERVICE_UNAVAILABLE: UnavailableScreen(session),
        State.MAINTENANCE_PIN: MaintenancePinScreen(session),
        State.MAINTENANCE: MaintenanceScreen(session),
        State.CHANGE_PIN: PinChangeScreen(session, scrambled_pin_pad),
        State.PIN_CHANGED: PinChangedScreen(session),
        State.LOSS_ID: LossIdScreen(session),
        State.LOSS_PASSWORD: LossPasswordScreen(session),
        State.LOSS_REPORTED: LossReportedScreen(session),
        State.FILING_FORM: FilingFormScreen(session),
        State.FILING_REQUESTED: FilingRequestedScreen(session),
    }

"""From card in to the balance: the read shaped around the person.

The PIN pad appears after SELECT and the tries probe (2 APDUs); the card file, the personal
file and the store's word on the card follow in one worker job while the person types. The
worker runs jobs in order, so a VERIFY always comes after that job, and never reaches a card
the store has turned away. EF06 on a PIN-gated card is read after the VERIFY.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from card_reader.errors import (
    CardDataDamagedError,
    CardMuteError,
    PinBlockedError,
    PinRequiredError,
)
from card_reader.identity import (
    CardFacts,
    CardProbe,
    PinResult,
    PinStatus,
    birth_date_from_citizen_id,
)
from kiosk.domain import AccountSummary
from kiosk.lanes import Lane
from kiosk.log import register_secret
from kiosk.masking import mask_name
from kiosk.session.core import CardEntry, SessionCore
from kiosk.session.ports import CardPort, OpenCard, ServicePort
from kiosk.session.view import Busy, State
from kiosk.session_problems import CardTimeout
from kiosk.store.errors import CardNotActive, CardRefusal

log = logging.getLogger(__name__)


class CardReading:
    def __init__(self, core: SessionCore, cards: CardPort, services: ServicePort | None) -> None:
        self.core = core
        self.cards = cards
        self.services = services  # lifts a loss report ("I found my card")
        self.read_due: float | None = None  # a card held back by the failing-card back-off
        self.read_started = 0.0

    def card_inserted(self, reader: str) -> None:
        core = self.core
        core.card = CardEntry(reader)
        core.wipe(State.READING, busy=Busy.READING_CARD)
        wait = core.backoff.seconds_to_wait()
        if wait > 0:  # a run of failing cards: this one is read later, and that is audited
            log.warning("card read held back %.0f s after repeated failing cards", wait)
            core.audit(f"held_{wait:.0f}s", "backoff")
            self.read_due = core.monotonic() + wait
        else:
            self.start_read()

    def card_mute(self, reader: str) -> None:
        """A card in the reader that gave no ATR: most often the wrong way round. The person
        is told how to insert it; a slip like that does not count as a failing card."""
        core = self.core
        core.card = entry = CardEntry(reader)
        core.failed(CardMuteError("card present, no answer to reset"))
        entry.failed = False

    def held_for(self) -> float:
        if self.read_due is None:
            return 0.0
        return max(0.0, self.read_due - self.core.monotonic())

    def tick(self, now: float) -> None:
        """READING's timeout: the held-back read starts, or a read that took too long ends."""
        if self.read_due is not None:
            if now >= self.read_due:
                self.start_read()
        elif now - self.read_started > self.core.settings.card_read_seconds:
            self.core.failed(CardTimeout())

    def start_read(self) -> None:
        entry = self.core.card
        assert entry is not None
        self.read_due = None
        self.read_started = self.core.monotonic()
        self.core.run(lambda: self._probe(entry), self._probed, lane=Lane.CARD)

    def _probe(self, entry: CardEntry) -> tuple[OpenCard, CardProbe]:
        entry.card = self.cards.open(entry.reader)
        return entry.card, entry.card.probe()

    def _probed(self, result: tuple[OpenCard, CardProbe]) -> None:
        entry = self.core.card
        assert entry is not None  # a removal bumps the generation and drops this
        card, probe = result
        if probe.pin_blocked:
            self.core.failed(PinBlockedError("PIN blocked before entry"))
            return
        self.core.last_touch = self.core.monotonic()
        self.core.go(State.PIN_ENTRY, pin_tries_left=probe.tries_left)
        self.core.run(lambda: self._read_rest(entry, card), lambda _: None, lane=Lane.CARD)

    def _read_rest(self, entry: CardEntry, card: OpenCard) -> None:
        """EF05 and EF06 (unless the card keeps it behind the PIN), then the store's word on
        the card (lost, replaced, ...). A damaged card or a refusal ends the job, and its
        screen replaces the PIN pad."""
        facts = _facts_if_open(card)
        if facts is None:
            return  # a card that opens even its card file only after the PIN
        self._check_usable(entry, facts)
        self._prove(entry, facts, card.read_holder_if_open())
        try:
            self.core.accounts.card_status(facts.card_number)
        except CardNotActive as refused:
            if entry.lifting and refused.status is CardRefusal.REPORTED_LOST:
                return  # the PIN decides, then the report is lifted
            entry.refusal = refused  # so a VERIFY already queued is never sent
            raise

    def lift_loss(self) -> None:
        """ "I found my card" on its lost-card screen: read it again, ask for the PIN, and
        lift the temporary report once the PIN is right."""
        core = self.core
        entry = core.card
        refusal = entry.refusal if entry is not None else None
        found = refusal is not None and refusal.status is CardRefusal.REPORTED_LOST
        if entry is None or not found or self.services is None:
            return
        entry.refusal, entry.lifting, entry.failed = None, True, False
        core.wipe(State.READING, busy=Busy.READING_CARD)
        self.start_read()

    def _check_usable(self, entry: CardEntry, facts: CardFacts) -> None:
        entry.number, entry.region = facts.card_number, facts.region_code
        if facts.expired(self.core.now().date()):
            raise CardNotActive(CardRefusal.EXPIRED, "card past its expiry date")
        if entry.refusal is not None:
            raise entry.refusal

    def _prove(self, entry: CardEntry, facts: CardFacts, citizen_id: str | None) -> None:
        """Tell the store what the chip proved (on the worker's card lane)."""
        if citizen_id:
            register_secret(citizen_id)  # logs redact it until the session is wiped
            entry.birth_date = _birth_date(citizen_id)
            self.core.accounts.prove(facts.card_number, citizen_id)

    def submit_pin(self, pin: bytearray) -> None:
        """Verify `pin` on the card; the bytearray is zeroed by the VERIFY step."""
        core = self.core
        entry = core.card
        card = entry.card if entry else None
        if core.view.busy or card is None or entry is None:
            pin[:] = bytes(len(pin))
            return
        core.publish(replace(core.view, busy=Busy.CHECKING_PIN, pin_wrong=False))

        def verify_and_load() -> tuple[PinResult, AccountSummary | None]:
            try:
                facts = _facts_if_open(card)  # already read while the PIN was typed
                if facts is not None:
                    self._check_usable(entry, facts)
            except Exception:
                pin[:] = bytes(len(pin))
                raise
            result = card.verify_pin(pin)
            if not result.ok:
                return result, None
            if facts is None:  # the card file too opens only now
                facts = card.read_facts()
                self._check_usable(entry, facts)
            self._prove(entry, facts, card.read_holder_if_open())  # a PIN-gated EF06 opens now
            if entry.lifting and self.services is not None:
                self.services.lift_loss_report(facts.card_number)
            return result, core.accounts.summary(facts.card_number, facts.region_code)

        core.run(verify_and_load, self._pin_checked, lane=Lane.CARD)

    def _pin_checked(self, outcome: tuple[PinResult, AccountSummary | None]) -> None:
        core = self.core
        result, summary = outcome
        if result.status is PinStatus.BLOCKED:
            core.failed(PinBlockedError("PIN blocked by a wrong entry"))
        elif result.status is PinStatus.WRONG:
            core.audit("pin_wrong", "pin")
            if core.card is not None:
                core.card.failed = True
            core.go(State.PIN_ENTRY, pin_tries_left=result.tries_left, pin_wrong=True)
        else:
            core.backoff.record_success()
            name = ""
            if summary is not None:  # logs redact this name until the session is wiped
                register_secret(summary.person_name)
                name = mask_name(summary.person_name, core.settings.masking)
            lifted = core.card is not None and core.card.lifting
            if core.card is not None:
                core.card.failed = core.card.lifting = False
            if lifted:
                core.audit("lifted", "loss_report")
            core.go(
                State.OVERVIEW,
                summary=summary,
                display_name=name,
                pin_tries_left=None,
                loss_lifted=lifted,
            )


def _birth_date(citizen_id: str) -> date | None:
    """The birth date in a checked citizen ID (None if it holds no calendar date)."""
    try:
        return birth_date_from_citizen_id(citizen_id)
    except CardDataDamagedError:
        return None


def _facts_if_open(card: OpenCard) -> CardFacts | None:
    """The card file (EF05), or None on a card that keeps even that behind the PIN."""
    try:
        return card.read_facts()
    except PinRequiredError:
        return None

"""Audit rows and heartbeats: written to the store, or kept in the outbox while it is down."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from datetime import datetime

from sqlalchemy import Connection, Engine, Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from kiosk.log import redact
from kiosk.store.models import TABLES
from kiosk.store.outbox import AuditOutbox, AuditRecord

log = logging.getLogger(__name__)

_AUDIT = TABLES["audit_event"]
_HEARTBEAT = TABLES["kiosk_heartbeat"]
# audit_event.card_hash is String(32): 32 hex digits, 128 bits of the HMAC. What keeps a
# pseudonym from being reversed is the 256-bit key, not the length: without the key no
# card number can be tested at all, and with it the full 256 bits would not help either
# (the card numbers are few). 128 bits only have to keep two cards apart: among all 2.6e9
# possible card numbers a collision has a chance of about 1e-20.
CARD_HASH_HEX = 32


def card_hash(card_number: str, key: bytes) -> str:
    """The card's pseudonym in this installation: HMAC-SHA-256 of the card number under
    the installation's pseudonym key (kiosk/pseudonym_key.py), as 32 hex digits. It
    correlates one card's rows; without the key a list of all card numbers maps nothing."""
    if not key:
        raise ValueError("a card pseudonym needs the installation's key")
    digest = hmac.new(key, card_number.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:CARD_HASH_HEX]


def new_record(
    kiosk_id: str,
    action: str,
    outcome: str,
    card_number: str | None,
    at: datetime,
    *,
    key: bytes = b"",
) -> AuditRecord:
    """An audit row; a card is kept only as its pseudonym under `key` (a card number
    without a key is a ValueError, never a row with a weaker hash)."""
    return AuditRecord(
        event_key=uuid.uuid4().hex,
        at=at.replace(microsecond=0),
        kiosk_id=kiosk_id,
        action=action[:32],
        outcome=outcome[:32],
        card_hash=card_hash(card_number, key) if card_number else None,
    )


def _insert_ignoring_duplicates(connection: Connection, records: list[AuditRecord]) -> None:
    rows = [
        {
            "event_key": r.event_key,
            "at": r.at,
            "kiosk_id": r.kiosk_id,
            "action": r.action,
            "outcome": r.outcome,
            "card_hash": r.card_hash,
        }
        for r in records
    ]
    statement: Executable
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(_AUDIT).on_conflict_do_nothing(index_elements=["event_key"])
    else:
        statement = sqlite.insert(_AUDIT).on_conflict_do_nothing(index_elements=["event_key"])
    connection.execute(statement, rows)


class AuditWriter:
    """Writes audit rows straight to the store; the outbox catches what the store missed.

    With `functions` (a kiosk role on the fleet store) rows go through kiosk_api.record,
    which keys the card by the server's HMAC; the outbox then never holds anything taken
    from a card number (a row written late loses its card, not its privacy)."""

    def __init__(self, engine: Engine, outbox: AuditOutbox) -> None:
        self.engine = engine
        self.outbox = outbox
        self.functions = False

    def _store(
        self, connection: Connection, records: list[AuditRecord], card_number: str | None = None
    ) -> None:
        if not self.functions:
            _insert_ignoring_duplicates(connection, records)
            return
        from kiosk.store import fleet_api

        for r in records:
            fleet_api.record(
                connection,
                r.action,
                outcome=r.outcome,
                card_number=card_number,
                kiosk_at=r.at,
                event_key=r.event_key,
            )

    def write(
        self, record: AuditRecord, store_reachable: bool = True, card_number: str | None = None
    ) -> bool:
        """True when the row reached the store; otherwise it waits in the outbox."""
        if not store_reachable:
            self.outbox.put(record)
            return False
        try:
            with self.engine.begin() as connection:
                self._store(connection, [record], card_number)
        except SQLAlchemyError as error:
            log.warning("audit row kept in the outbox: %s", type(error).__name__)
            self.outbox.put(record)
            return False
        if self.outbox.pending_count():
            self.flush()
        return True

    def flush(self, batch: int = 500) -> int:
        """Move outbox rows to the store; returns how many were written."""
        written = 0
        while records := self.outbox.oldest(batch):
            try:
                with self.engine.begin() as connection:
                    self._store(connection, records)
            except SQLAlchemyError as error:
                log.warning("audit outbox not flushed yet: %s", type(error).__name__)
                break
            self.outbox.remove([r.event_key for r in records])
            written += len(records)
        if written:
            log.info("flushed %d audit row(s) from the outbox", written)
        return written

    def heartbeat(
        self,
        kiosk_id: str,
        at: datetime,
        reader_state: str,
        printer_state: str,
        paper_left_mm: int | None,
        *,
        last_error: str = "",
        version: str = "",
        alerts: str = "",
    ) -> None:
        values = {
            "kiosk_id": kiosk_id,
            "last_seen": at.replace(microsecond=0),
            "reader_state": reader_state[:32],
            "printer_state": printer_state[:32],
            "paper_left_mm": paper_left_mm,
            # Redacted again here: the fleet table is read by more people than the kiosk log.
            "last_error": redact(last_error.splitlines()[0] if last_error else "")[:200],
            "version": version[:32],
            "alerts": redact(alerts)[:200],
        }
        statement: Executable
        with self.engine.begin() as connection:
            if self.functions:  # the server keys the row by session_user
                from kiosk.store import fleet_api

                del values["kiosk_id"], values["last_seen"]
                fleet_api.heartbeat(connection, values)
                return
            if connection.dialect.name == "postgresql":
                pg = postgresql.insert(_HEARTBEAT).values(values)
                statement = pg.on_conflict_do_update(index_elements=["kiosk_id"], set_=values)
            else:
                lite = sqlite.insert(_HEARTBEAT).values(values)
                statement = lite.on_conflict_do_update(index_elements=["kiosk_id"], set_=values)
            connection.execute(statement)

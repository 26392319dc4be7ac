"""The printer's way into the store: every certificate and receipt recorded as it prints.

`DocumentRecorder` writes the printed_document row (kiosk.store.printed_documents) in one
short transaction with the store's deadline: through kiosk_api on the fleet store, with
the installation's document keys on SQLite. `receipt_verify_url` records a receipt and
gives the QR address; a receipt the store cannot take still prints, with the offline code
only (the person came for their balance, not for a verifiable slip), and says so in the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.document_keys import DocumentKeys
from kiosk.domain import ReceiptData
from kiosk.masking import mask_name
from kiosk.store.errors import CardNotActive, StoreUnavailable
from printing.document_claims import RECEIPT, DocumentClaim, document_url, facts_text, receipt_facts
from printing.verification import make_code, normalise

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kiosk.config import KioskConfig
    from kiosk.store.printed_documents import Printed

__all__ = ["DocumentRecorder", "receipt_verify_url"]

log = logging.getLogger(__name__)


class DocumentRecorder:
    """Records printed documents for one kiosk; the engine is made on first use."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        data_dir: Path,
        kiosk_id: str,
        *,
        timeout_seconds: float = 3.0,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._make_engine = engine
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self.keys = DocumentKeys.under(data_dir)
        self.kiosk_id = kiosk_id
        self.timeout_seconds = timeout_seconds
        self.clock = clock

    @classmethod
    def from_config(cls, config: KioskConfig) -> DocumentRecorder:
        def engine() -> Engine:
            from kiosk.store.engine import make_engine

            return make_engine(config.store_url(), config.store.timeout_seconds)

        return cls(
            engine,
            config.data_dir,
            config.kiosk.id,
            timeout_seconds=config.store.timeout_seconds,
        )

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine

    def record(
        self, printed: Printed, card_number: str, citizen_id: str, *, open_card: bool = False
    ) -> int:
        """The key id that signs `printed` (the same slip again: the same row). CardNotActive
        when the gate refuses the card, StoreUnavailable when the store cannot be reached in
        time, ValueError for a malformed document or a code another document holds.
        `open_card`: ask the card's status first (an operator's command has no session)."""
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        from kiosk.store import printed_documents
        from kiosk.store.engine import deadline

        engine = self.engine
        try:
            with deadline(self.timeout_seconds):
                if open_card and engine.dialect.name == "postgresql":
                    from kiosk.store import fleet_api

                    with engine.connect() as connection:
                        fleet_api.card_status(connection, card_number)
                        connection.commit()
                with engine.connect() as connection:
                    try:
                        key_id = printed_documents.record(
                            connection,
                            self.keys,
                            printed,
                            card_number=card_number,
                            citizen_id=citizen_id,
                            kiosk_id=self.kiosk_id,
                            now=self.clock(),
                        )
                    except CardNotActive:
                        connection.commit()  # the server's audit row of the refusal stands
                        raise
                    connection.commit()
                    return key_id
        except IntegrityError:  # as the embedded store says it (printed_documents.record)
            raise ValueError("that code is another document's") from None
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
            raise StoreUnavailable(
                f"document not recorded: {type(error).__name__}: {detail}"
            ) from None
        except OSError as error:  # the SQLite store's key folder: a full disk, say
            raise StoreUnavailable(f"document key unavailable: {error.strerror or error}") from None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def receipt_verify_url(
    data: ReceiptData, key: bytes, recorder: DocumentRecorder | None, base_url: str
) -> str:
    """Record the receipt and return its QR address; "" (offline code only) when it cannot."""
    if recorder is None or not base_url:
        return ""
    from kiosk.store.printed_documents import Printed  # SQLAlchemy: not before the first slip

    code = normalise(make_code(key, data.serial, data.printed_at, data.card_hash, data.balance))
    try:
        facts = receipt_facts(data)
        printed = Printed(
            code=code,
            kind=RECEIPT,
            printed_at=data.printed_at,
            masked_name=mask_name(data.person_name, data.masking),
            facts=facts_text(facts),
        )
        key_id = recorder.record(printed, data.card_number, data.citizen_id)
    except (StoreUnavailable, CardNotActive, ValueError) as error:
        log.warning(
            "receipt %s prints without online verification: %s",
            data.serial,
            getattr(error, "operator_message", "") or type(error).__name__,
        )
        return ""
    return document_url(base_url, DocumentClaim(RECEIPT, code, key_id, facts))

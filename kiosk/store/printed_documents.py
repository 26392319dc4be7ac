"""Printed documents in the store: a slip's digest recorded when it prints, checked later.

The digest is HMAC-SHA-256 over one message: `sscard-document-v1`, the code, the kind, the
print time, the kiosk, the masked name and the facts (printing.document_claims), one per
line. On PostgreSQL the kiosk hands those to `kiosk_api.record_document` and the server
keys them with a key only it holds (migration 0006); the verification service asks
`verify_api.check_document`. On SQLite the same operations run here, keyed by the
installation's document keys under data_dir (kiosk/document_keys.py). Either way a key has
an id, the row keeps it, and a newer key never voids the slips an older one signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select, text

from kiosk.document_keys import DocumentKeys
from kiosk.store.bundle import parse
from kiosk.store.errors import CardNotActive, CardRefusal
from kiosk.store.models import TABLES

DIGEST_PREFIX = "sscard-document-v1"
CODE_PATTERN = "^[A-Z2-7]{12}$"
MAX_FACTS = 4000
MAX_NAME = 64
KINDS = ("certificate", "receipt")
KIOSK_FUNCTIONS = ("record_document", "certificate_data")
INTERNAL_FUNCTIONS = ("document_digest",)
RECORD_SQL = (
    "SELECT kiosk_api.record_document(CAST(:card AS text), CAST(:citizen AS text),"
    " CAST(:code AS text), CAST(:kind AS text), CAST(:printed_at AS timestamp),"
    " CAST(:name AS text), CAST(:facts AS text))::text"
)
CHECK_SQL = (
    "SELECT verify_api.check_document(CAST(:code AS text), CAST(:key_id AS int),"
    " CAST(:facts AS text))::text"
)
_document = TABLES["printed_document"]
_card, _person = TABLES["card"], TABLES["person"]
_REFUSALS = {
    "lost": CardRefusal.LOST,
    "replaced": CardRefusal.REPLACED,
    "suspended": CardRefusal.SUSPENDED,
    "cancelled": CardRefusal.CANCELLED,
}


@dataclass(frozen=True)
class Verdict:
    """A check's answer. Who, when and where are told only for a genuine document."""

    found: bool
    genuine: bool = False
    kind: str = ""
    printed_at: datetime | None = None
    kiosk_id: str = ""
    masked_name: str = ""
    key_id: int = 0


@dataclass(frozen=True)
class Printed:
    """One document as it is recorded."""

    code: str
    kind: str
    printed_at: datetime
    masked_name: str
    facts: str  # printing.document_claims.facts_text


def message(document: Printed, kiosk_id: str) -> bytes:
    """What the digest covers, as kiosk_api.document_digest writes it on PostgreSQL."""
    lines = (
        DIGEST_PREFIX,
        document.code,
        document.kind,
        f"{document.printed_at:%Y-%m-%d %H:%M:%S}",
        kiosk_id,
        document.masked_name,
        document.facts,
    )
    return "\n".join(lines).encode("utf-8")


def digest(key: bytes, document: Printed, kiosk_id: str) -> str:
    return hmac.new(key, message(document, kiosk_id), hashlib.sha256).hexdigest()


def validate(document: Printed) -> None:
    """ValueError for what kiosk_api.record_document refuses too."""
    if not re.fullmatch(CODE_PATTERN, document.code) or document.kind not in KINDS:
        raise ValueError("a document needs a code of 12 base32 letters and a known kind")
    if len(document.masked_name) > MAX_NAME or len(document.facts) > MAX_FACTS:
        raise ValueError("a document's masked name or facts are too long")


def record(
    connection: Connection,
    keys: DocumentKeys | None,
    document: Printed,
    *,
    card_number: str,
    citizen_id: str | None,
    kiosk_id: str,
    now: datetime,
) -> int:
    """Record `document`, printed for the card; returns the key id that signs it.

    CardNotActive when the card does not open the accounts for that citizen ID (the gate's
    refusals on both stores). The caller commits.
    """
    validate(document)
    printed_at = document.printed_at.replace(microsecond=0)
    if connection.dialect.name == "postgresql":
        answer = connection.execute(
            text(RECORD_SQL),
            {"card": card_number, "citizen": citizen_id, "code": document.code,
             "kind": document.kind, "printed_at": printed_at, "name": document.masked_name,
             "facts": document.facts},
        ).scalar_one()  # fmt: skip
        found = json.loads(answer)
        if "refused" in found:
            parse(found)  # raises the refusal as every screen does
        return int(found["key_id"])
    if keys is None:
        raise ValueError("the SQLite store records documents with the installation's keys")
    _gate(connection, card_number, citizen_id, now)
    document = replace(document, printed_at=printed_at)
    taken = connection.execute(select(_document).where(_document.c.code == document.code)).first()
    if taken is not None:  # the same slip again (a retry after the paper ran out)
        old_key = keys.key(taken.key_id)
        same = old_key is not None and hmac.compare_digest(
            digest(old_key, document, kiosk_id), taken.digest
        )
        if same and taken.kiosk_id == kiosk_id:
            return int(taken.key_id)
        raise ValueError("that code is another document's")
    key_id, key = keys.current()
    connection.execute(
        _document.insert().values(
            code=document.code,
            key_id=key_id,
            kind=document.kind,
            printed_at=printed_at,
            recorded_at=now.replace(microsecond=0),
            kiosk_id=kiosk_id,
            masked_name=document.masked_name,
            digest=digest(key, document, kiosk_id),
        )
    )
    return key_id


def check(
    connection: Connection, keys: DocumentKeys | None, code: str, key_id: int, facts: str
) -> Verdict:
    """Whether `facts` are what was printed under `code` with key `key_id`."""
    if connection.dialect.name == "postgresql":
        answer = connection.execute(
            text(CHECK_SQL), {"code": code, "key_id": key_id, "facts": facts}
        ).scalar_one()
        return _verdict(json.loads(answer, parse_float=Decimal))
    if keys is None:
        raise ValueError("the SQLite store checks documents with the installation's keys")
    if len(facts) > MAX_FACTS:
        return Verdict(found=False)
    row = connection.execute(select(_document).where(_document.c.code == code.upper())).first()
    if row is None:
        return Verdict(found=False)
    key = keys.key(row.key_id)
    printed = Printed(row.code, row.kind, row.printed_at, row.masked_name, facts)
    expected = digest(key, printed, row.kiosk_id) if key is not None else ""
    if row.key_id != key_id or not expected or not hmac.compare_digest(expected, row.digest):
        return Verdict(found=True)
    return Verdict(True, True, row.kind, row.printed_at, row.kiosk_id, row.masked_name, row.key_id)


def rotate_key(connection: Connection, keys: DocumentKeys | None) -> int:
    """A new newest document key (the store's owner on PostgreSQL); its id."""
    if connection.dialect.name == "postgresql":
        crypto = connection.exec_driver_sql(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'"
        ).scalar_one()
        return int(
            connection.exec_driver_sql(
                "INSERT INTO kiosk_api.document_key (key_id, key)"  # noqa: S608 (no input)
                f' SELECT coalesce(max(key_id), 0) + 1, "{crypto}".gen_random_bytes(32)'
                " FROM kiosk_api.document_key RETURNING key_id"
            ).scalar_one()
        )
    if keys is None:
        raise ValueError("the SQLite store's document keys live under data_dir")
    return keys.rotate()


def _gate(connection: Connection, card_number: str, citizen_id: str | None, now: datetime) -> None:
    """The fleet gate's card checks, for the embedded store: the same refusals."""
    row = connection.execute(
        select(_card.c.status, _card.c.expires_on, _person.c.citizen_id)
        .join(_person, _person.c.id == _card.c.person_id)
        .where(_card.c.card_number == card_number)
    ).first()
    if row is None:
        raise CardNotActive(CardRefusal.UNKNOWN)
    if citizen_id is None or row.citizen_id.strip().upper() != citizen_id.strip().upper():
        raise CardNotActive(CardRefusal.MISMATCH)
    if row.status != "active":
        raise CardNotActive(_REFUSALS.get(row.status, CardRefusal.CANCELLED))
    if row.expires_on < now.date():
        raise CardNotActive(CardRefusal.EXPIRED)


def _verdict(found: dict[str, Any]) -> Verdict:
    if not found.get("found"):
        return Verdict(found=False)
    if not found.get("genuine"):
        return Verdict(found=True)
    return Verdict(
        found=True,
        genuine=True,
        kind=str(found["kind"]),
        printed_at=datetime.fromisoformat(str(found["printed_at"])),
        kiosk_id=str(found["kiosk_id"]),
        masked_name=str(found["masked_name"]),
        key_id=int(found["key_id"]),
    )

"""Loss reports made without the card (临时挂失), and lifting them (解挂), on both stores.

The embedded store runs the rules here in one transaction; the fleet store runs the same
rules in kiosk_api (migration 0007), in three calls of one transaction each (challenge,
answer, outcome) so that a kiosk role that rolls a call back never learns a verdict whose
try was not counted. Both count wrong tries by the citizen ID's pseudonym, whether or not
anyone enrolled it: five in a row lock it for LOCK_HOURS; every try writes an audit row
that carries only that pseudonym.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from kiosk.domain import LossReport
from kiosk.masking import mask_name
from kiosk.store import service_password as passwords
from kiosk.store.errors import (
    CardNotActive,
    CardRefusal,
    LossReportRefused,
    ServicePasswordLocked,
    ServicePasswordRefused,
    StoreUnavailable,
)
from kiosk.store.models import TABLES

MAX_FAILURES = 5
LOCK_HOURS = 24
MAX_REPORT_DAYS = 30  # kiosk.config's bound on services.loss_report_days
TEMPORARY, CONFIRMED, LIFTED = "temporary", "confirmed", "lifted"
_CITIZEN_ID = re.compile(r"[0-9]{17}[0-9X]")

_TRY = TABLES["service_password_try"]
_REPORT = TABLES["loss_report"]
_PERSON = TABLES["person"]
_CARD = TABLES["card"]
_AUDIT = TABLES["audit_event"]
_CARD_STATUS_REFUSALS = {
    "lost": CardRefusal.LOST,
    "replaced": CardRefusal.REPLACED,
    "suspended": CardRefusal.SUSPENDED,
}


# -- the embedded store ---------------------------------------------------------------------


def report_lost(
    connection: Connection,
    *,
    citizen_id: str,
    password: bytearray,
    key: bytes,
    kiosk_id: str,
    now: datetime,
    days: int,
) -> LossReport:
    """Check the password against the store and make (or answer the standing) report."""
    check_citizen_id(citizen_id)
    _check_days(days)
    ref = passwords.citizen_ref(key, citizen_id)
    tries = connection.execute(select(_TRY).where(_TRY.c.citizen_ref == ref)).first()
    if tries is not None and tries.locked_until is not None and tries.locked_until > now:
        audit(connection, kiosk_id, "service_password", "refused_locked", ref, now=now)
        raise ServicePasswordLocked(tries.locked_until)
    person = _person(connection, citizen_id)
    stored = passwords.stored_for(connection, person.id) if person is not None else None
    nonce = secrets.token_bytes(16)
    if stored is None:
        # The same scrypt work as for an enrolled ID, so the time does not tell either.
        challenge = passwords.Challenge(
            nonce, passwords.unenrolled_salt(key, citizen_id), passwords.SCRYPT_N,
            passwords.SCRYPT_R, passwords.SCRYPT_P,
        )  # fmt: skip
        passwords.proof(password, challenge)
        right = False
    else:
        challenge = replace(stored[0], nonce=nonce)
        right = passwords.proof_matches(stored[1], nonce, passwords.proof(password, challenge))
    failures = 0 if tries is None or tries.locked_until is not None else tries.failures
    locked_until = None
    if not right:
        failures += 1
        if failures >= MAX_FAILURES:
            locked_until, failures = now + timedelta(hours=LOCK_HOURS), 0
    values = {"failures": 0 if right else failures, "locked_until": locked_until, "last_at": now}
    if tries is None:
        connection.execute(insert(_TRY).values(citizen_ref=ref, **values))
    else:
        connection.execute(update(_TRY).where(_TRY.c.citizen_ref == ref).values(**values))
    outcome = "ok" if right else "refused_locked" if locked_until else "refused_password"
    audit(connection, kiosk_id, "service_password", outcome, ref, now=now)
    if locked_until is not None:
        raise ServicePasswordLocked(locked_until)
    if not right or person is None:
        raise ServicePasswordRefused(MAX_FAILURES - failures)
    return _make_report(connection, person, kiosk_id=kiosk_id, now=now, days=days, key=key)


def lift(
    connection: Connection, *, card_number: str, citizen_id: str, kiosk_id: str, now: datetime,
    key: bytes,
) -> None:  # fmt: skip
    """Lift the card's report in force: the card and its citizen ID must belong together
    (the PIN was verified on the card), and the card be otherwise active."""
    row = connection.execute(
        select(_CARD.c.status, _CARD.c.expires_on, _PERSON.c.citizen_id)
        .join(_PERSON, _PERSON.c.id == _CARD.c.person_id)
        .where(_CARD.c.card_number == card_number)
    ).first()
    ref = _card_ref(key, card_number)
    refusal: CardRefusal | None = None
    if row is None:
        refusal = CardRefusal.UNKNOWN
    elif row.citizen_id.strip().upper() != citizen_id.strip().upper():
        refusal = CardRefusal.MISMATCH
    elif row.status != "active":
        refusal = _CARD_STATUS_REFUSALS.get(row.status, CardRefusal.CANCELLED)
    elif row.expires_on < now.date():
        refusal = CardRefusal.EXPIRED
    if refusal is not None:
        audit(connection, kiosk_id, "lift_loss_report", f"refused_{refusal.value}", ref, now=now)
        raise CardNotActive(refusal)
    lifted = connection.execute(
        update(_REPORT)
        .where(
            _REPORT.c.card_number == card_number,
            _REPORT.c.status == TEMPORARY,
            _REPORT.c.expires_at > now,
        )
        .values(status=LIFTED, closed_at=now)
    ).rowcount
    audit(
        connection, kiosk_id, "lift_loss_report", "ok" if lifted else "not_reported", ref, now=now
    )
    if not lifted:
        raise LossReportRefused("not_reported")


def check_citizen_id(citizen_id: str) -> None:
    """ValueError unless 17 digits and a check character (as kiosk_api checks it)."""
    if not _CITIZEN_ID.fullmatch(citizen_id.strip().upper()):
        raise ValueError("a citizen ID is 17 digits and a check character (0-9 or X)")


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_REPORT_DAYS:
        raise ValueError(f"a temporary report holds 1 to {MAX_REPORT_DAYS} days")


def _person(connection: Connection, citizen_id: str) -> Any:
    normal = citizen_id.strip().upper()
    return connection.execute(
        select(_PERSON.c.id, _PERSON.c.name).where(
            _PERSON.c.citizen_id.in_([normal, normal.lower()])
        )
    ).first()


def _make_report(
    connection: Connection, person: Any, *, kiosk_id: str, now: datetime, days: int, key: bytes
) -> LossReport:
    card = connection.execute(
        select(_CARD.c.card_number)
        .where(_CARD.c.person_id == person.id, _CARD.c.status == "active")
        .order_by(_CARD.c.issued_on.desc(), _CARD.c.card_number.desc())
        .limit(1)
    ).scalar()
    if card is None:
        audit(connection, kiosk_id, "loss_report", "refused_no_card", None, now=now)
        raise LossReportRefused("no_card")
    standing = connection.execute(
        select(_REPORT)
        .where(
            _REPORT.c.card_number == card,
            _REPORT.c.status == TEMPORARY,
            _REPORT.c.expires_at > now,
        )
        .order_by(_REPORT.c.id.desc())
        .limit(1)
    ).first()
    if standing is None:
        values = {
            "card_number": card, "person_id": person.id, "kiosk_id": kiosk_id,
            "reported_at": now, "expires_at": now + timedelta(days=days), "status": TEMPORARY,
        }  # fmt: skip
        number = connection.execute(
            insert(_REPORT).values(**values).returning(_REPORT.c.id)
        ).scalar_one()
        report = LossReport(int(number), now, values["expires_at"], mask_name(person.name))
    else:
        report = LossReport(
            standing.id, standing.reported_at, standing.expires_at, mask_name(person.name)
        )
    audit(connection, kiosk_id, "loss_report", "ok", _card_ref(key, card), now=now)
    return report


def _card_ref(key: bytes, card_number: str) -> str:
    from kiosk.store.audit import card_hash

    return card_hash(card_number, key)


def audit(
    connection: Connection, kiosk_id: str, action: str, outcome: str, ref: str | None, *,
    now: datetime,
) -> None:  # fmt: skip
    """An audit row on the embedded store, as kiosk_api writes its own: `ref` is the card's
    or the citizen ID's pseudonym under the installation's key, never the value itself."""
    # card_hash holds 32 hex digits: the embedded store's pseudonyms (kiosk.store.audit).
    connection.execute(
        insert(_AUDIT).values(
            at=now.replace(microsecond=0), kiosk_id=kiosk_id, action=action, outcome=outcome,
            card_hash=ref[:32] if ref else None, event_key=uuid.uuid4().hex,
        )
    )  # fmt: skip


# -- the fleet store ------------------------------------------------------------------------

CHALLENGE_SQL = "SELECT kiosk_api.loss_report_challenge(CAST(:citizen AS text))::text"
ANSWER_SQL = "SELECT kiosk_api.loss_report_answer(CAST(:nonce AS text), CAST(:proof AS text))"
OUTCOME_SQL = "SELECT kiosk_api.loss_report_outcome(CAST(:nonce AS text), CAST(:days AS int))::text"
LIFT_SQL = "SELECT kiosk_api.lift_loss_report(CAST(:card AS text), CAST(:citizen AS text))"


def report_lost_on_fleet(
    connection: Connection, *, citizen_id: str, password: bytearray, days: int
) -> LossReport:
    """The three calls, each its own transaction (the connection is in autocommit)."""
    check_citizen_id(citizen_id)
    _check_days(days)
    found = _document(connection.execute(text(CHALLENGE_SQL), {"citizen": citizen_id}).scalar())
    _raise_refusal(found)
    challenge = passwords.Challenge(
        bytes.fromhex(found["nonce"]), bytes.fromhex(found["salt"]), int(found["n"]),
        int(found["r"]), int(found["p"]),
    )  # fmt: skip
    sent = passwords.proof(password, challenge).hex()
    nonce = found["nonce"]
    if connection.execute(text(ANSWER_SQL), {"nonce": nonce, "proof": sent}).scalar() != "answered":
        raise LossReportRefused("expired")
    outcome = _document(
        connection.execute(text(OUTCOME_SQL), {"nonce": nonce, "days": days}).scalar()
    )
    _raise_refusal(outcome)
    return LossReport(
        report_no=int(outcome["report_no"]),
        reported_at=datetime.fromisoformat(outcome["reported_at"]),
        expires_at=datetime.fromisoformat(outcome["expires_at"]),
        masked_name=str(outcome["name"]),
    )


def lift_on_fleet(connection: Connection, *, card_number: str, citizen_id: str) -> None:
    answer = connection.execute(text(LIFT_SQL), {"card": card_number, "citizen": citizen_id})
    found = str(answer.scalar())
    if found == "lifted":
        return
    if found == "not_reported":
        raise LossReportRefused("not_reported")
    if found == "ceiling":
        raise StoreUnavailable("the store refuses this kiosk: over its cards-per-hour ceiling")
    refusal = {r.value: r for r in CardRefusal}.get(found, CardRefusal.UNKNOWN)
    if found == "unopened":
        # No committed card_status opened this card: the session skipped a step.
        raise StoreUnavailable("lift refused: the card was not opened by card_status first")
    raise CardNotActive(refusal)


def _document(value: Any) -> Mapping[str, Any]:
    found = json.loads(str(value))
    if not isinstance(found, dict):
        raise StoreUnavailable("the store's answer is not a loss-report document")
    return found


def _raise_refusal(found: Mapping[str, Any]) -> None:
    refused = found.get("refused")
    if refused is None:
        return
    if refused == "ceiling":
        raise StoreUnavailable("the store refuses this kiosk: over its cards-per-hour ceiling")
    if refused == "locked":
        raise ServicePasswordLocked(datetime.fromisoformat(str(found["until"])))
    if refused == "password":
        raise ServicePasswordRefused(int(found["tries_left"]))
    raise LossReportRefused(str(refused))

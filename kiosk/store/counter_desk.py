"""What the counter staff do to service passwords and loss reports (`kiosk counter`), as the
store's owner: on PostgreSQL through the owner/operator URL, never a kiosk role.

Confirming a temporary report at the counter makes it a formal one: the card's status
becomes 'lost' from the moment it was reported, so it never lapses, every kiosk refuses it
as lost, and the after-lost rule flags the charges from then on (kiosk/store/flags.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, text, update

from kiosk.masking import mask_citizen_id, mask_name
from kiosk.store import service_password as passwords
from kiosk.store.loss_reports import CONFIRMED, TEMPORARY
from kiosk.store.models import TABLES

_PERSON = TABLES["person"]
_CARD = TABLES["card"]
_REPORT = TABLES["loss_report"]


class CounterError(ValueError):
    """What the counter asked cannot be done; the message says why (no personal data)."""


@dataclass(frozen=True)
class ReportLine:
    """One loss report as `kiosk counter loss-reports` lists it: masked values only."""

    report_no: int
    state: str  # in_force / lapsed / confirmed / lifted
    reported_at: datetime
    expires_at: datetime
    kiosk_id: str
    name: str  # masked
    citizen_id: str  # masked
    card_number_tail: str  # the last four digits


def set_service_password(
    connection: Connection, citizen_id: str, password: bytearray, now: datetime, key: bytes
) -> None:
    """Keep a new password for the person with `citizen_id`; their tries start again.
    `key` is the embedded store's pseudonym key (unused on PostgreSQL: the server keys)."""
    passwords.check_format(password)
    normal = citizen_id.strip().upper()
    person = connection.execute(
        select(_PERSON.c.id).where(_PERSON.c.citizen_id.in_([normal, normal.lower()]))
    ).scalar()
    if person is None:
        raise CounterError("the store has no person with this citizen ID")
    passwords.set_password(connection, person, password, now)
    if connection.dialect.name == "postgresql":
        ref = connection.execute(
            text("SELECT kiosk_api.citizen_ref_of(:citizen)"), {"citizen": normal}
        ).scalar_one()
    else:
        ref = passwords.citizen_ref(key, normal)
    passwords.clear_tries(connection, str(ref))


def confirm_loss(connection: Connection, report_no: int, now: datetime) -> None:
    """Make a temporary report in force a formal one (the card is lost from its time)."""
    report = connection.execute(select(_REPORT).where(_REPORT.c.id == report_no)).first()
    if report is None:
        raise CounterError(f"no loss report {report_no}")
    if report.status != TEMPORARY:
        raise CounterError(f"loss report {report_no} is {report.status} already")
    if report.expires_at <= now:
        raise CounterError(
            f"loss report {report_no} lapsed at {report.expires_at:%Y-%m-%d %H:%M}: the card"
            " is active again; report it lost anew"
        )
    connection.execute(
        update(_REPORT).where(_REPORT.c.id == report_no).values(status=CONFIRMED, closed_at=now)
    )
    connection.execute(
        update(_CARD)
        .where(_CARD.c.card_number == report.card_number)
        .values(status="lost", status_changed_at=report.reported_at)
    )


def loss_report_lines(connection: Connection, now: datetime, limit: int = 100) -> list[ReportLine]:
    """The newest `limit` loss reports, with masked values only."""
    rows = connection.execute(
        select(_REPORT, _PERSON.c.name, _PERSON.c.citizen_id)
        .join(_PERSON, _PERSON.c.id == _REPORT.c.person_id)
        .order_by(_REPORT.c.id.desc())
        .limit(limit)
    )
    return [
        ReportLine(
            report_no=row.id,
            state=_state(row.status, row.expires_at, now),
            reported_at=row.reported_at,
            expires_at=row.expires_at,
            kiosk_id=row.kiosk_id,
            name=mask_name(row.name),
            citizen_id=mask_citizen_id(row.citizen_id),
            card_number_tail=row.card_number[-4:],
        )
        for row in rows
    ]


def _state(status: str, expires_at: datetime, now: datetime) -> str:
    if status == TEMPORARY:
        return "in_force" if expires_at > now else "lapsed"
    return status

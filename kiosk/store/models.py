"""SQLAlchemy 2 models of the medical-insurance accounts (domain.md).

The ledger is the big table (20 rows a person a year): on SQLite it is a WITHOUT ROWID
table whose primary key (person_id, entry_no) keeps one person's rows together in time
order, so a history page is one short range scan. entry_no grows with posted_at.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.store.types import Money, timestamp

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ZERO = Decimal("0.00")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """A prefecture-level city (行政区划代码, e.g. 320100 南京市)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(16))


class Institution(Base):
    """A designated medical institution or pharmacy (定点医药机构)."""

    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # hospital / clinic / pharmacy
    level: Mapped[int] = mapped_column(SmallInteger)  # 1-3 for hospitals, 0 otherwise
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))


class Person(Base):
    """An insured person (参保人)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    citizen_id: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(1))  # GB/T 2261: 1 male, 2 female
    birth_date: Mapped[date] = mapped_column(Date)
    insurance_type: Mapped[str] = mapped_column(String(16))  # employee / resident / retiree
    home_region: Mapped[str] = mapped_column(ForeignKey("region.code"))


class Card(Base):
    """A social-security card; a person has one current card and maybe older ones."""

    __tablename__ = "card"

    card_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # see kiosk.domain.CardStatus
    status_changed_at: Mapped[datetime | None] = mapped_column(timestamp())
    replaced_by: Mapped[str | None] = mapped_column(String(20))


class Account(Base):
    """The personal account (个人账户); balance equals the last ledger balance_after."""

    __tablename__ = "account"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    balance: Mapped[Decimal] = mapped_column(Money())
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(timestamp())


class LedgerEntry(Base):
    """One movement of the personal account; visits also carry what the pool paid."""

    __tablename__ = "ledger_entry"
    __table_args__ = ({"sqlite_with_rowid": False},)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    entry_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    posted_at: Mapped[datetime] = mapped_column(timestamp())
    kind: Mapped[str] = mapped_column(String(24))  # see kiosk.domain.LedgerKind
    amount: Mapped[Decimal] = mapped_column(Money())  # signed: in > 0, out < 0
    balance_after: Mapped[Decimal] = mapped_column(Money())
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    pooled_amount: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    quota_used: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reference: Mapped[str | None] = mapped_column(String(32))


class OutpatientQuota(Base):
    """The yearly outpatient pooled quota (门诊统筹支付限额), reset on 1 January."""

    __tablename__ = "outpatient_quota"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    quota_limit: Mapped[Decimal] = mapped_column(Money())
    used: Mapped[Decimal] = mapped_column(Money())


class Contribution(Base):
    """A month's contribution (缴费), or a retiree's monthly allocation (划拨)."""

    __tablename__ = "contribution"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    base: Mapped[Decimal] = mapped_column(Money())
    employee: Mapped[Decimal] = mapped_column(Money())
    employer: Mapped[Decimal] = mapped_column(Money())
    to_personal_account: Mapped[Decimal] = mapped_column(Money())
    arrived_at: Mapped[datetime | None] = mapped_column(timestamp())


class FamilyBinding(Base):
    """Family mutual aid (家庭共济): the payer's account may pay for the beneficiary."""

    __tablename__ = "family_binding"

    payer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    relation: Mapped[str] = mapped_column(String(16))  # the beneficiary is the payer's ...
    since: Mapped[date] = mapped_column(Date)
    __table_args__ = (Index("ix_family_binding_beneficiary_id", "beneficiary_id"),)


class RemoteFiling(Base):
    """A remote-care filing (异地就医备案)."""

    __tablename__ = "remote_filing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    filing_type: Mapped[str] = mapped_column(String(16))  # long_term / temporary / referral
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # active / expired / revoked


class AuditEvent(Base):
    """One kiosk query: no PII, the card number only as a keyed hash."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(timestamp())
    kiosk_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    card_hash: Mapped[str | None] = mapped_column(String(32))
    # The outbox's own id for the row, so a flush that is retried never writes it twice.
    event_key: Mapped[str] = mapped_column(String(40), unique=True)
    # On the fleet store: the server's HMAC-SHA-256 of the card number (kiosk_api, migration
    # 0004; a kiosk never sees the key), and the time the kiosk claimed for a row it saw.
    card_ref: Mapped[str | None] = mapped_column(String(64))
    kiosk_at: Mapped[datetime | None] = mapped_column(timestamp())

    # The ceiling counts one kiosk's rows of the last hour: one index range per kiosk.
    __table_args__ = (Index("ix_audit_event_kiosk_id_at", "kiosk_id", "at"),)


class KioskHeartbeat(Base):
    """The last sign of life of each kiosk, for the fleet's operators."""

    __tablename__ = "kiosk_heartbeat"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(timestamp())
    reader_state: Mapped[str] = mapped_column(String(32))
    printer_state: Mapped[str] = mapped_column(String(32))
    paper_left_mm: Mapped[int | None] = mapped_column(Integer)
    # The kiosk's latest warning or error in operator words (redacted: never personal data).
    last_error: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # What the kiosk's own watch raises (a stalled part, a card left behind, ...); '' if none.
    alerts: Mapped[str] = mapped_column(String(200), default="", server_default="")


# -- the insurance certificate and printed documents (migration 0006) -----------------------


class EmployerUnit(Base):
    """A contributing unit (参保单位): the employer a certificate names."""

    __tablename__ = "employer_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))


class Enrolment(Base):
    """A person's enrolment (参保登记): since when, in what standing, with which unit.

    `months_before_records` are the contribution months the person had before the months
    this store's contribution table holds (an older system's, or 视同缴费 deemed months):
    the certificate's total is those plus the months on record.
    """

    __tablename__ = "enrolment"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    started_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # see kiosk.domain.EnrolmentStatus
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("employer_unit.id"))
    months_before_records: Mapped[int] = mapped_column(Integer, default=0)


class AverageWage(Base):
    """The region's average monthly wage of a year: what the contribution base is banded by."""

    __tablename__ = "average_wage"

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    monthly: Mapped[Decimal] = mapped_column(Money())


class PrintedDocument(Base):
    """A certificate or receipt as printed: no figures, only their keyed digest.

    `digest` is HMAC-SHA-256 (hex) under the document key `key_id` over the code, kind,
    print time, kiosk, masked name and every printed fact (kiosk.store.printed_documents);
    on PostgreSQL the key never leaves the server. Anyone holding the slip can have it
    checked; nobody can read a figure back out of the row.
    """

    __tablename__ = "printed_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    key_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # certificate / receipt
    printed_at: Mapped[datetime] = mapped_column(timestamp())  # as the slip says
    recorded_at: Mapped[datetime] = mapped_column(timestamp())  # the store's clock
    kiosk_id: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


TABLES = Base.metadata.tables


# -- issue 17: the service password, loss reports without the card, filing requests --------


class ServicePassword(Base):
    """The account's service password (服务密码), set at the counter: never the password,
    only scrypt's salt and parameters and the SHA-256 of the scrypt key (kiosk/store/
    service_password.py), so a store that leaks costs a thief scrypt work per guess."""

    __tablename__ = "service_password"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))  # hex
    n: Mapped[int] = mapped_column(Integer)
    r: Mapped[int] = mapped_column(Integer)
    p: Mapped[int] = mapped_column(Integer)
    stored_key: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the scrypt key
    set_at: Mapped[datetime] = mapped_column(timestamp())


class ServicePasswordTry(Base):
    """Wrong tries and the lock, keyed by the citizen ID's pseudonym rather than the person,
    so an ID nobody enrolled counts and locks exactly as an enrolled one does."""

    __tablename__ = "service_password_try"

    citizen_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(timestamp())
    last_at: Mapped[datetime] = mapped_column(timestamp())


class LossReport(Base):
    """A loss report (挂失) made at a kiosk without the card: 'temporary' until it lapses
    (expires_at), is 'confirmed' at the counter (the card becomes lost) or 'lifted'."""

    __tablename__ = "loss_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_number: Mapped[str] = mapped_column(ForeignKey("card.card_number"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(timestamp())
    expires_at: Mapped[datetime] = mapped_column(timestamp())
    status: Mapped[str] = mapped_column(String(16))  # temporary / confirmed / lifted
    closed_at: Mapped[datetime | None] = mapped_column(timestamp())  # confirmed or lifted


class FilingRequest(Base):
    """A remote-care filing asked for at a kiosk: its remote_filing row reads 'pending'."""

    __tablename__ = "filing_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    remote_filing_id: Mapped[int] = mapped_column(ForeignKey("remote_filing.id"), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(timestamp())
    days: Mapped[int] = mapped_column(Integer)

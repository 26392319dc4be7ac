"""The store's read statements, built once (SQLAlchemy caches their compiled form).

Every statement is keyed by person and uses the ledger's primary key (person_id,
entry_no) or another primary key: see the EXPLAIN plans in docs/benchmarks.md.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from kiosk.store import models
from kiosk.store.models import TABLES
from kiosk.store.types import timestamp

card = TABLES["card"]
person = TABLES["person"]
account = TABLES["account"]
quota = TABLES["outpatient_quota"]
ledger = TABLES["ledger_entry"]
institution = TABLES["institution"]
region = TABLES["region"]
contribution = TABLES["contribution"]
binding = TABLES["family_binding"]
filing = TABLES["remote_filing"]

_other_card = card.alias("other_card")
_report = TABLES["loss_report"]
_REPORT_END = case((_report.c.status == "lifted", _report.c.closed_at), else_=_report.c.expires_at)
_LATEST_REPORT = (
    select(_report.c.reported_at)
    .where(
        _report.c.person_id == card.c.person_id,
        # Not IN: kiosk/store/compiled.py compiles no expanding parameters.
        or_(_report.c.status == "temporary", _report.c.status == "lifted"),
    )
    .order_by(_report.c.reported_at.desc(), _report.c.id.desc())
    .limit(1)
)

# The card, its person, the account and this year's quota, and when the person's latest
# lost/replaced card was reported (for the after-lost rule): one round trip.
RESOLVE = (
    select(
        card.c.status,
        card.c.expires_on,
        card.c.issued_on,
        person.c.id.label("person_id"),
        person.c.name,
        person.c.citizen_id,
        person.c.insurance_type,
        person.c.home_region,
        account.c.balance,
        quota.c.quota_limit,
        quota.c.used.label("quota_used"),
        select(func.max(_other_card.c.status_changed_at))
        .where(
            _other_card.c.person_id == card.c.person_id,
            or_(_other_card.c.status == "lost", _other_card.c.status == "replaced"),
        )
        .scalar_subquery()
        .label("last_lost_at"),
        # The person's latest loss report made without the card (issue 17), for the same
        # rule: charges from its report until it was lifted or lapsed. The fleet store's
        # screens add the same two values (migration 0007).
        _LATEST_REPORT.with_only_columns(_report.c.reported_at)
        .scalar_subquery()
        .label("last_report_at"),
        _LATEST_REPORT.with_only_columns(_REPORT_END).scalar_subquery().label("last_report_end"),
    )
    .select_from(card)
    .join(person, person.c.id == card.c.person_id)
    .outerjoin(account, account.c.person_id == person.c.id)
    .outerjoin(quota, and_(quota.c.person_id == person.c.id, quota.c.year == bindparam("year")))
    .where(card.c.card_number == bindparam("card_number"))
)

LAST_CONTRIBUTION = (
    select(contribution)
    .where(contribution.c.person_id == bindparam("person_id"))
    .order_by(contribution.c.period.desc())
    .limit(1)
)

CONTRIBUTIONS = (
    select(contribution)
    .where(
        contribution.c.person_id == bindparam("person_id"),
        contribution.c.period >= bindparam("since"),
    )
    .order_by(contribution.c.period.desc())
)

FILINGS = (
    select(filing, region.c.name.label("region_name"))
    .join(region, region.c.code == filing.c.region_code)
    .where(filing.c.person_id == bindparam("person_id"))
    .order_by(filing.c.valid_from.desc(), filing.c.id.desc())
)

_counterpart = person.alias("counterpart")
# Both directions, each on its own key (payer_id leads the primary key; beneficiary_id has
# an index), rather than one OR that a planner may answer with a scan.
BINDINGS = union_all(
    select(
        literal("payer").label("direction"),
        binding.c.relation,
        binding.c.since,
        binding.c.beneficiary_id.label("counterpart_id"),
        _counterpart.c.name.label("counterpart_name"),
    )
    .join(_counterpart, _counterpart.c.id == binding.c.beneficiary_id)
    .where(binding.c.payer_id == bindparam("person_id")),
    select(
        literal("beneficiary").label("direction"),
        binding.c.relation,
        binding.c.since,
        binding.c.payer_id.label("counterpart_id"),
        _counterpart.c.name.label("counterpart_name"),
    )
    .join(_counterpart, _counterpart.c.id == binding.c.payer_id)
    .where(binding.c.beneficiary_id == bindparam("person_id")),
)

_entry_columns = (
    ledger.c.entry_no,
    ledger.c.posted_at,
    ledger.c.kind,
    ledger.c.amount,
    ledger.c.balance_after,
    ledger.c.pooled_amount,
    ledger.c.quota_used,
    ledger.c.counterpart_id,
    ledger.c.reference,
    ledger.c.institution_id,
    institution.c.name.label("institution_name"),
    institution.c.kind.label("institution_kind"),
    institution.c.region_code,
)
_counterpart_name = aliased(models.Person, name="ledger_counterpart")


def _entries() -> Select[tuple[object, ...]]:
    return (
        select(*_entry_columns, _counterpart_name.name.label("counterpart_name"))
        .select_from(ledger)
        .outerjoin(institution, institution.c.id == ledger.c.institution_id)
        .outerjoin(_counterpart_name, _counterpart_name.id == ledger.c.counterpart_id)
        .where(ledger.c.person_id == bindparam("person_id"))
    )


def _history(kind: bool, since: bool) -> Select[tuple[object, ...]]:
    statement = _entries().add_columns(func.count().over().label("total"))
    if kind:
        statement = statement.where(ledger.c.kind == bindparam("kind"))
    if since:
        statement = statement.where(ledger.c.posted_at >= bindparam("since"))
    return (
        statement.order_by(ledger.c.entry_no.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


# One statement per filter combination, so each keeps its own cached plan.
HISTORY = {(k, s): _history(k, s) for k in (False, True) for s in (False, True)}

HISTORY_COUNT = {
    # Labelled as the fleet functions key it (an unlabelled count has no key to read by).
    (k, s): select(func.count().label("count_1"))
    .select_from(ledger)
    .where(
        ledger.c.person_id == bindparam("person_id"),
        *([ledger.c.kind == bindparam("kind")] if k else []),
        *([ledger.c.posted_at >= bindparam("since")] if s else []),
    )
    for k in (False, True)
    for s in (False, True)
}

# Everything since a moment, oldest first: flags, family-aid totals, annual statements.
ENTRIES_SINCE = (
    _entries().where(ledger.c.posted_at >= bindparam("since")).order_by(ledger.c.entry_no)
)

# ENTRIES_SINCE's columns the flags and the family totals read, without the joined names:
# the overview shows neither entries nor names, and a third of its time went to them. The
# fleet store's overview answers it from its entries_since rows (kiosk.store.bundle).
CHARGES_SINCE = (
    select(
        ledger.c.entry_no,
        ledger.c.posted_at,
        ledger.c.kind,
        ledger.c.amount,
        ledger.c.pooled_amount,
        ledger.c.counterpart_id,
        ledger.c.institution_id,
        institution.c.kind.label("institution_kind"),
        institution.c.region_code,
    )
    .select_from(ledger)
    .outerjoin(institution, institution.c.id == ledger.c.institution_id)
    .where(ledger.c.person_id == bindparam("person_id"), ledger.c.posted_at >= bindparam("since"))
    .order_by(ledger.c.entry_no)
)

YEAR_ENTRIES = (
    select(
        ledger.c.entry_no,
        ledger.c.posted_at,
        ledger.c.kind,
        ledger.c.amount,
        ledger.c.balance_after,
    )
    .where(
        ledger.c.person_id == bindparam("person_id"),
        ledger.c.posted_at >= bindparam("start"),
        ledger.c.posted_at < bindparam("end"),
    )
    .order_by(ledger.c.entry_no)
)

BALANCE_BEFORE = (
    select(ledger.c.balance_after)
    .where(
        ledger.c.person_id == bindparam("person_id"),
        ledger.c.posted_at < bindparam("start"),
    )
    .order_by(ledger.c.entry_no.desc())
    .limit(1)
)


REGION_NAME = select(region.c.name).where(region.c.code == bindparam("code"))

# A temporary loss report in force on the card (issue 17): the embedded store refuses the
# card as the fleet store's gate does (kiosk_api refuses before any screen is read).
REPORTED_UNTIL = select(func.max(_report.c.expires_at)).where(
    _report.c.card_number == bindparam("card_number"),
    _report.c.status == "temporary",
    _report.c.expires_at > bindparam("now", type_=timestamp()),
)

# Resolve and the report check in one statement where the kiosk reads tables (the embedded
# store; a statement costs more than either lookup on SQLite): RESOLVE with REPORTED_UNTIL.
RESOLVE_WITH_REPORT = RESOLVE.add_columns(REPORTED_UNTIL.scalar_subquery().label("reported_until"))

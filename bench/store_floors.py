"""The store section's floors: one hand-written query per screen, on the driver directly.

Each returns what its screen shows, in one statement, keyed by the card number AND the
citizen ID as the kiosk's functions are (the card's status by its number alone, as the
kiosk asks it before the PIN): the overview (balance, quota, last contribution,
the year's entries its flags are drawn from, filings, family bindings), the history page
(the look-back's rows: the first page of 20 and what its flags are drawn from, with the
total and the filings), and the annual statement's sums by kind with the opening balance. They
leave out what only the product does: the ceiling, the audit row, the commit, and turning
rows into the screen's objects. SQLite builds the same documents with its JSON functions
and keeps money in cents, as the store does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

SQLITE_OVERVIEW = """
SELECT c.status, c.expires_on, p.id, p.name, p.insurance_type, a.balance,
       q.quota_limit, q.used,
       (SELECT json_object('period', x.period, 'employee', x.employee, 'employer', x.employer,
                           'to_account', x.to_personal_account, 'arrived_at', x.arrived_at)
          FROM contribution x WHERE x.person_id = p.id ORDER BY x.period DESC LIMIT 1),
       (SELECT json_group_array(json_array(l.entry_no, l.posted_at, l.kind, l.amount,
                                           l.balance_after, l.pooled_amount, l.quota_used,
                                           l.reference, i.name, i.kind, i.region_code))
          FROM (SELECT * FROM ledger_entry WHERE person_id = p.id AND posted_at >= ?
                 ORDER BY entry_no) l
          LEFT JOIN institution i ON i.id = l.institution_id),
       (SELECT json_group_array(json_array(f.filing_type, f.region_code, f.valid_from,
                                           f.valid_until, f.status))
          FROM remote_filing f WHERE f.person_id = p.id),
       (SELECT json_group_array(json_array(b.relation, b.since, b.payer_id, b.beneficiary_id))
          FROM (SELECT * FROM family_binding WHERE payer_id = p.id
                UNION ALL SELECT * FROM family_binding WHERE beneficiary_id = p.id) b)
  FROM card c JOIN person p ON p.id = c.person_id
  LEFT JOIN account a ON a.person_id = p.id
  LEFT JOIN outpatient_quota q ON q.person_id = p.id AND q.year = ?
 WHERE c.card_number = ? AND p.citizen_id = ?
"""

POSTGRES_OVERVIEW = """
SELECT c.status, c.expires_on, p.id, p.name, p.insurance_type, a.balance,
       q.quota_limit, q.used,
       (SELECT row_to_json(x) FROM (
            SELECT period, employee, employer, to_personal_account, arrived_at
              FROM contribution WHERE person_id = p.id ORDER BY period DESC LIMIT 1) x),
       (SELECT json_agg(json_build_array(l.entry_no, l.posted_at, l.kind, l.amount,
                                         l.balance_after, l.pooled_amount, l.quota_used,
                                         l.reference, i.name, i.kind, i.region_code)
                        ORDER BY l.entry_no)
          FROM ledger_entry l LEFT JOIN institution i ON i.id = l.institution_id
         WHERE l.person_id = p.id AND l.posted_at >= %s),
       (SELECT json_agg(json_build_array(f.filing_type, f.region_code, f.valid_from,
                                         f.valid_until, f.status))
          FROM remote_filing f WHERE f.person_id = p.id),
       (SELECT json_agg(json_build_array(b.relation, b.since, b.payer_id, b.beneficiary_id))
          FROM (SELECT * FROM family_binding WHERE payer_id = p.id
                UNION ALL SELECT * FROM family_binding WHERE beneficiary_id = p.id) b)
  FROM card c JOIN person p ON p.id = c.person_id
  LEFT JOIN account a ON a.person_id = p.id
  LEFT JOIN outpatient_quota q ON q.person_id = p.id AND q.year = %s
 WHERE c.card_number = %s AND p.citizen_id = %s
"""

# The look-back's rows, newest first (the first page is the newest 20 of them, and the
# flags are drawn from all of them), the total the page counts, and the filings.
_HISTORY = """
SELECT l.entry_no, l.posted_at, l.kind, l.amount, l.balance_after, l.pooled_amount,
       l.quota_used, l.reference, i.name, i.kind, i.region_code,
       (SELECT count(*) FROM ledger_entry n WHERE n.person_id = p.id),
       (SELECT {1}(json_array(f.filing_type, f.region_code, f.valid_from, f.valid_until,
                               f.status)) FROM remote_filing f WHERE f.person_id = p.id)
  FROM card c JOIN person p ON p.id = c.person_id
  JOIN ledger_entry l ON l.person_id = p.id AND l.posted_at >= {0}
  LEFT JOIN institution i ON i.id = l.institution_id
 WHERE c.card_number = {0} AND p.citizen_id = {0}
 ORDER BY l.entry_no DESC
"""

_ANNUAL = """
SELECT l.kind, sum(l.amount), count(*),
       (SELECT b.balance_after FROM ledger_entry b
         WHERE b.person_id = p.id AND b.posted_at < {0}
         ORDER BY b.entry_no DESC LIMIT 1)
  FROM card c JOIN person p ON p.id = c.person_id
  JOIN ledger_entry l ON l.person_id = p.id AND l.posted_at >= {0} AND l.posted_at < {0}
 WHERE c.card_number = {0} AND p.citizen_id = {0}
 GROUP BY p.id, l.kind
"""

Floor = Callable[[str, str], object]

_CARD_STATUS = "SELECT c.status, c.expires_on FROM card c WHERE c.card_number = {0}"


def _stamp(moment: datetime, sqlite: bool) -> Any:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if sqlite else moment


def floors(raw: Any, dialect: str, now: datetime) -> dict[str, Floor]:
    """screen name -> call(card_number, citizen_id) running its hand-written query on `raw`
    (a sqlite3 or psycopg connection; psycopg prepares each after its first use)."""
    sqlite = dialect == "sqlite"
    mark = "?" if sqlite else "%s"
    since = _stamp(now - timedelta(days=365), sqlite)
    start = _stamp(datetime(now.year, 1, 1), sqlite)
    stop = _stamp(datetime(now.year + 1, 1, 1), sqlite)
    overview = SQLITE_OVERVIEW if sqlite else POSTGRES_OVERVIEW
    history = _HISTORY.format(mark, "json_group_array" if sqlite else "json_agg")
    if not sqlite:
        history = history.replace("json_array(", "json_build_array(")
    annual = _ANNUAL.format(mark)
    card_status = _CARD_STATUS.format(mark)

    def run(sql: str, values: tuple[Any, ...]) -> list[Any]:
        if sqlite:
            return list(raw.execute(sql, values).fetchall())
        with raw.cursor() as cursor:
            cursor.execute(sql, values, prepare=True)
            return list(cursor.fetchall())

    return {
        "card_status": lambda card, citizen: run(card_status, (card,)),
        "overview": lambda card, citizen: run(overview, (since, now.year, card, citizen)),
        "history_page": lambda card, citizen: run(history, (since, card, citizen)),
        "annual_statement": lambda card, citizen: run(annual, (start, start, stop, card, citizen)),
    }

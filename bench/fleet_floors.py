"""The fleet section's floors: one hand-written query per call of a session, on the same
PostgreSQL, for people of the same fleet, one at a time over its unix socket.

The overview, the history page and the card's status are the store section's floors
(bench/store_floors.py); contributions, the receipt's data and the print's audit row are
here. Measured before the fleet's steps, on the same store at the same scale: what the
database itself needs for each call, without PgBouncer, TCP, the functions' gate, the other
kiosks or the load processes sharing the two cores.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bench.stats import summarise
from bench.store_floors import floors as store_floors
from realparts.postgres import PostgresCluster

SAMPLE, QUICK_SAMPLE = 400, 100
RECEIPT_ENTRIES = 10  # as the fleet's receipt_data call asks (bench/fleet_kiosks.py)

_CONTRIBUTIONS = """
SELECT k.period, k.employee, k.employer, k.to_personal_account, k.arrived_at
  FROM card c JOIN person p ON p.id = c.person_id
  JOIN contribution k ON k.person_id = p.id AND k.period >= %s
 WHERE c.card_number = %s AND p.citizen_id = %s
 ORDER BY k.period DESC
"""

_RECEIPT_DATA = """
SELECT p.name, a.balance, q.quota_limit, q.used,
       (SELECT row_to_json(x) FROM (
            SELECT period, to_personal_account FROM contribution
             WHERE person_id = p.id ORDER BY period DESC LIMIT 1) x),
       (SELECT json_agg(json_build_array(l.entry_no, l.posted_at, l.kind, l.amount,
                                         l.balance_after, i.name, i.region_code))
          FROM (SELECT * FROM ledger_entry WHERE person_id = p.id
                 ORDER BY entry_no DESC LIMIT %s) l
          LEFT JOIN institution i ON i.id = l.institution_id),
       (SELECT count(*) FROM ledger_entry n WHERE n.person_id = p.id),
       (SELECT json_agg(json_build_array(l.kind, l.amount, l.pooled_amount, l.posted_at))
          FROM ledger_entry l WHERE l.person_id = p.id AND l.posted_at >= %s),
       (SELECT json_agg(json_build_array(f.filing_type, f.region_code, f.valid_until,
                                         f.status))
          FROM remote_filing f WHERE f.person_id = p.id)
  FROM card c JOIN person p ON p.id = c.person_id
  LEFT JOIN account a ON a.person_id = p.id
  LEFT JOIN outpatient_quota q ON q.person_id = p.id AND q.year = %s
 WHERE c.card_number = %s AND p.citizen_id = %s
"""

_RECORD = """
INSERT INTO audit_event (at, kiosk_id, action, outcome, card_ref, kiosk_at, event_key)
VALUES (clock_timestamp()::timestamp, 'bench-floor', 'print', 'ok', md5(%s), %s, %s)
ON CONFLICT (event_key) DO NOTHING
"""


def _calls(raw: Any, now: datetime) -> dict[str, Callable[[str, str], object]]:
    def run(sql: str, values: tuple[Any, ...]) -> object:
        with raw.cursor() as cursor:
            cursor.execute(sql, values, prepare=True)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    since_month = date(now.year - 1, now.month, 1)
    since = now - timedelta(days=365)
    shared = store_floors(raw, "postgresql", now)
    return {
        "card_status": shared["card_status"],
        "overview": shared["overview"],
        "history_page": shared["history_page"],
        "contributions": lambda card, citizen: run(_CONTRIBUTIONS, (since_month, card, citizen)),
        "receipt_data": lambda card, citizen: run(
            _RECEIPT_DATA, (RECEIPT_ENTRIES, since, now.year, card, citizen)
        ),
        "record": lambda card, citizen: run(_RECORD, (card, now, uuid.uuid4().hex)),
    }


def measure(
    cluster: PostgresCluster, people: tuple[tuple[str, str], ...], now: datetime, quick: bool
) -> dict[str, dict[str, float]]:
    """Each call's summary (ms) over a sample of `people`: one pass to warm, one measured."""
    import psycopg

    chosen = people[: QUICK_SAMPLE if quick else SAMPLE]
    with psycopg.connect(
        host=str(cluster.base), user="postgres", dbname="postgres", autocommit=True
    ) as raw:
        raw.execute("SET synchronous_commit = off")  # as the kiosk roles commit
        calls = _calls(raw, now)
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for measured in (False, True):
            for card, citizen in chosen:
                for name, call in calls.items():
                    started = time.perf_counter()
                    call(card, citizen)
                    if measured:
                        samples[name].append((time.perf_counter() - started) * 1000)
    return {name: summarise(values) for name, values in samples.items()}

"""The SQL that generates a city's ledger from the per-person plan (kiosk/store/scale.py).

One INSERT ... SELECT per batch of persons, crossing the plan with months and slots; both
SQLite and PostgreSQL compute the same rows (the same hash, the same money arithmetic).
"""

from __future__ import annotations

MAX_VISIT_CENTS = 30000  # a visit costs the personal account at most 300 yuan
SLOTS = 8  # per month: carry-over, visit, income, employer share, visit, duplicate, aid out/in
# Visit probability (percent) for the two visit slots of a month, by insurance type code.
VISIT_RATE = {0: (32, 26), 1: (45, 38), 2: (30, 22)}


def _h(key: int | str, seed: int) -> str:
    """A cheap deterministic hash of (person, month, slot) in SQL that both dialects compute
    alike: one LCG step over a mix of the three (values stay far below 2**63)."""
    return (
        f"(((p.person_id * 40503 + mo.m * 2654 + {key} * 97 + {seed}) % 2147483647)"
        " * 1103515245 + 12345) % 2147483648"
    )


def ledger_sql(dialect: str, seed: int, first: int, last: int) -> str:
    """INSERT ... SELECT generating the ledger of persons first..last."""
    hv = f"({_h('(CASE WHEN sl.s = 5 THEN 4 ELSE sl.s END)', seed)})"
    exists = f"(({hv} / 65536) % 100)"
    roll = f"(({hv} / 8) % 100)"
    cost = f"(({hv} / 1024) % {MAX_VISIT_CENTS - 2000} + 2000)"
    remote = f"(({hv} / 2) % 1000 < 3)"
    region = (
        f"CASE WHEN p.filing_region >= 0 AND ({hv} / 4) % 2 = 0 THEN p.filing_region"
        f" WHEN {remote} THEN (p.region + 1 + {hv} % 29) % 30 ELSE p.region END"
    )
    pharmacy = f"(p.type_code < 2 AND {roll} < 45)"
    outpatient = f"(p.type_code = 2 OR ({roll} >= 45 AND {roll} < 88))"
    exam = f"(p.type_code < 2 AND {roll} >= 88 AND {roll} < 93)"
    slot_in_region = (
        f"CASE WHEN {pharmacy} THEN 25 + ({hv} / 16) % 15"
        f" WHEN {exam} THEN 10 + ({hv} / 16) % 15"
        f" WHEN {outpatient} THEN ({hv} / 16) % 25 ELSE ({hv} / 16) % 10 END"
    )
    visit_kind = (
        f"CASE WHEN {pharmacy} THEN 'pharmacy' WHEN {outpatient} THEN 'outpatient'"
        f" WHEN {exam} THEN 'exam' ELSE 'inpatient_self_pay' END"
    )
    is_visit = "sl.s IN (1, 4, 5)"
    visit_rate = (
        "CASE p.type_code"
        + "".join(
            f" WHEN {code} THEN (CASE WHEN sl.s = 1 THEN {a} ELSE {b} END)"
            for code, (a, b) in VISIT_RATE.items()
        )
        + " END"
    )
    night = f"({pharmacy} AND p.person_id % 211 = 0 AND mo.m = mo.last_m AND sl.s = 1)"
    seconds = (
        "CASE sl.s WHEN 0 THEN 0"
        f" WHEN 1 THEN (CASE WHEN {night} THEN 9 * 86400 + 84600"
        f" ELSE ({hv} / 4096) % 14 * 86400 + 28800 + ({hv} / 256) % 43200 END)"
        " WHEN 2 THEN 14 * 86400 + 7800 WHEN 3 THEN 14 * 86400 + 8100"
        f" WHEN 4 THEN (15 + ({hv} / 4096) % 12) * 86400 + 28800 + ({hv} / 256) % 43200"
        f" WHEN 5 THEN (15 + ({hv} / 4096) % 12) * 86400 + 28800 + ({hv} / 256) % 43200 + 180"
        " WHEN 6 THEN 27 * 86400 + 75600 ELSE 27 * 86400 + 75900 END"
    )
    own = (
        f"CASE WHEN p.type_code = 2 THEN 0 WHEN {outpatient} THEN {cost} - {cost} / 2"
        f" ELSE {cost} END"
    )
    amount = (
        "CASE sl.s WHEN 0 THEN 0 WHEN 2 THEN p.income_cents WHEN 3 THEN p.employer_cents"
        f" WHEN 6 THEN -p.aid_out_cents WHEN 7 THEN p.aid_in_cents ELSE -({own}) END"
    )
    pooled = (
        f"CASE WHEN NOT ({is_visit}) THEN 0 WHEN {outpatient} THEN {cost} / 2"
        f" WHEN {pharmacy} OR {exam} THEN 0 ELSE {cost} * 5 END"
    )
    quota = f"CASE WHEN ({is_visit}) AND {outpatient} THEN {cost} / 2 ELSE 0 END"
    kind = (
        "CASE sl.s WHEN 0 THEN 'carryover'"
        " WHEN 2 THEN (CASE WHEN p.type_code = 1 THEN 'retiree_allocation' ELSE 'contribution' END)"
        " WHEN 3 THEN 'employer_share' WHEN 6 THEN 'family_aid_out' WHEN 7 THEN 'family_aid_in'"
        f" ELSE {visit_kind} END"
    )
    keep = (
        "CASE sl.s WHEN 0 THEN (mo.m = 0 OR mo.month = 1)"
        f" WHEN 1 THEN {exists} < {visit_rate} AND mo.month_start + {seconds} < mo.now_epoch"
        " WHEN 2 THEN p.type_code < 2 WHEN 3 THEN p.employer_cents > 0"
        f" WHEN 4 THEN {exists} < {visit_rate} AND mo.month_start + {seconds} < mo.now_epoch"
        f" WHEN 5 THEN {exists} < {visit_rate} AND p.person_id % 499 = 0 AND mo.m = mo.last_m - 1"
        " WHEN 6 THEN p.aid_out_cents > 0 AND mo.month = 7"
        " ELSE p.aid_in_cents > 0 AND mo.month = 7 END"
    )
    counterpart = "CASE WHEN sl.s = 6 THEN p.aid_to WHEN sl.s = 7 THEN p.aid_from END"
    institution = f"CASE WHEN {is_visit} THEN ({region}) * 40 + ({slot_in_region}) + 1 END"
    # The running balance; the FROM order (person, month, slot) lets SQLite skip the sort.
    balance_after = (
        f"p.opening_cents + sum({amount}) OVER (PARTITION BY p.person_id"
        " ORDER BY mo.m, sl.s ROWS UNBOUNDED PRECEDING)"
    )
    if dialect == "sqlite":
        posted = f"datetime(mo.month_start + {seconds}, 'unixepoch')"
        money = "{}"
        reference = f"CASE WHEN {is_visit} THEN printf('V%08d%04d%d', p.person_id, mo.m, sl.s) END"
    else:
        posted = f"to_timestamp(mo.month_start + {seconds}) AT TIME ZONE 'UTC'"
        money = "(({})::numeric / 100)"
        reference = (
            f"CASE WHEN {is_visit} THEN 'V' || lpad(p.person_id::text, 8, '0')"
            " || lpad(mo.m::text, 4, '0') || sl.s::text END"
        )
    return f"""
INSERT INTO ledger_entry (person_id, entry_no, posted_at, kind, amount, balance_after,
    institution_id, pooled_amount, quota_used, counterpart_id, reference)
SELECT p.person_id, mo.m * {SLOTS} + sl.s + 1, {posted}, {kind},
    {money.format(amount)},
    {money.format(balance_after)},
    {institution}, {money.format(pooled)}, {money.format(quota)}, {counterpart}, {reference}
FROM seed_plan p, seed_month mo, seed_slot sl
WHERE p.person_id BETWEEN {first} AND {last} AND ({keep})
ORDER BY p.person_id, mo.m, sl.s
"""  # noqa: S608 (numbers and fixed SQL only)

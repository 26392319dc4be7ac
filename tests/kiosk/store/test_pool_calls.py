"""kiosk.store.pool_calls: how a kiosk on the shared pool names and proves itself per call."""

from __future__ import annotations

import pytest

from kiosk.store.engine import make_engine
from kiosk.store.fleet_api import CARD_STATUS_SQL, RECORD_SQL
from kiosk.store.pool_calls import PoolIdentity, key_digest, pool_key, pooled_call

KIOSK = PoolIdentity("kiosk_0042", pool_key("kiosk_0042", "correct horse"))


def test_the_key_is_the_kiosks_own_and_says_nothing_of_its_password() -> None:
    assert len(KIOSK.key) == 64
    assert KIOSK.key == pool_key("kiosk_0042", "correct horse")  # derived, not stored
    assert KIOSK.key != pool_key("kiosk_0043", "correct horse")  # one password, two kiosks
    assert KIOSK.key != pool_key("kiosk_0042", "correct horsf")
    assert "correct" not in KIOSK.key
    assert len(key_digest(KIOSK.key)) == 32
    assert KIOSK.key not in repr(KIOSK)  # never in a log line or a traceback


def test_named_and_positional_calls_lead_with_the_kiosk_and_its_key() -> None:
    sql, values = pooled_call(
        "SELECT kiosk_api.card_status(%(card)s)", {"card": "A32010001"}, KIOSK
    )
    assert sql == (
        "SELECT kiosk_pool.card_status(%(kiosk_pool_role)s, %(kiosk_pool_key)s, %(card)s)"
    )
    assert values == {"card": "A32010001", "kiosk_pool_role": "kiosk_0042",
                      "kiosk_pool_key": KIOSK.key}  # fmt: skip
    sql, values = pooled_call(
        "SELECT kiosk_api.overview(CAST(%s AS text), CAST(%s AS text))::text", ("c", "z"), KIOSK
    )
    assert sql == "SELECT kiosk_pool.overview(%s, %s, CAST(%s AS text), CAST(%s AS text))::text"
    assert values == ("kiosk_0042", KIOSK.key, "c", "z")
    assert pooled_call("SELECT kiosk_api.filing_destinations()", (), KIOSK) == (
        "SELECT kiosk_pool.filing_destinations(%s, %s)",
        ("kiosk_0042", KIOSK.key),
    )
    for sql in (CARD_STATUS_SQL, RECORD_SQL):  # what the kiosk sends
        assert pooled_call(sql, {}, KIOSK)[0].startswith("SELECT kiosk_pool.")


def test_a_statement_it_cannot_pool_safely_is_refused_not_sent() -> None:
    assert pooled_call("SELECT 1", {"a": 1}, KIOSK) == ("SELECT 1", {"a": 1})
    with pytest.raises(ValueError, match="one kiosk_api call"):
        pooled_call("SELECT kiosk_api.a(%s), kiosk_api.b(%s)", (1, 2), KIOSK)
    with pytest.raises(ValueError, match="first"):
        pooled_call("SELECT %s, kiosk_api.a(%s)", (1, 2), KIOSK)


def test_the_url_option_needs_a_role_and_password_and_goes_no_further() -> None:
    with pytest.raises(ValueError, match="role and password") as refused:
        make_engine("postgresql://kiosk_0042@db.example/sscard?kiosk_pool=shared")
    assert "db.example" not in str(refused.value)
    with pytest.raises(ValueError, match="must be 'shared'"):
        make_engine("postgresql://k:secret@db.example/sscard?kiosk_pool=yes")
    engine = make_engine("postgresql://k:secret@db.example/sscard?kiosk_pool=shared")
    assert "kiosk_pool" not in engine.url.query  # libpq would refuse it
    engine.dispose()

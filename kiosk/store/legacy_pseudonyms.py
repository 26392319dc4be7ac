"""Audit rows of an embedded store from before the installation's pseudonym key, re-keyed.

Until issue 16 the kiosk named a card in its audit rows by a BLAKE2b under a key written in
the source (LEGACY_KEY, as it was): with a list of all 2.6 billion card numbers anyone maps
such a value back within an hour. On the fleet store migration 0004 re-keyed those rows with
the server's key. On the embedded SQLite store the new key is the installation's
(data_dir/pseudonym-key, kiosk/pseudonym_key.py), which no migration can see, so
`kiosk db upgrade` does it: the store knows every card number, so each one's old value is
computed once, and every audit row still carrying an old value gets the card's pseudonym
under the installation's key instead. Values written under the new key are left as they are
(an old value and a new one cannot be equal but by a 2^-128 chance). An old value of a number
the store never knew (a card the kiosk turned away as unknown) cannot be told from a new one
and stays; it names a number that opened no account. Running it again finds nothing to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, text

from kiosk.store.audit import card_hash

LEGACY_KEY = b"sscard-kiosk/audit/v1"  # kiosk/store/audit.py before issue 16, frozen here
BATCH = 50_000


def legacy_hash(card_number: str) -> str:
    return hashlib.blake2b(card_number.encode("utf-8"), key=LEGACY_KEY, digest_size=16).hexdigest()


def rekey_embedded(engine: Engine, key: bytes) -> int:
    """Re-key the old values of an embedded (SQLite) store's audit rows; returns how many
    rows changed. A PostgreSQL store was re-keyed by its migration: nothing to do there."""
    if engine.dialect.name != "sqlite":
        return 0
    with engine.begin() as connection:
        wanted = set(
            connection.execute(
                text("SELECT DISTINCT card_hash FROM audit_event WHERE card_hash IS NOT NULL")
            ).scalars()
        )
        if not wanted:
            return 0
        connection.execute(
            text("CREATE TEMP TABLE legacy_card (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
        )
        try:
            for found in _old_values(connection, wanted):
                connection.execute(
                    text("INSERT OR IGNORE INTO legacy_card VALUES (:old, :new)"),
                    [{"old": old, "new": card_hash(number, key)} for old, number in found],
                )
            changed = connection.execute(
                text(
                    "UPDATE audit_event SET card_hash ="
                    " (SELECT l.new FROM legacy_card l WHERE l.old = audit_event.card_hash)"
                    " WHERE card_hash IN (SELECT old FROM legacy_card)"
                )
            ).rowcount
        finally:
            connection.execute(text("DROP TABLE legacy_card"))
    return int(changed)


def _old_values(connection: Connection, wanted: set[str]) -> Iterator[list[tuple[str, str]]]:
    """(old value, card number) of the store's cards whose old value is in `wanted`."""
    last = ""
    page = text(
        "SELECT card_number FROM card WHERE card_number > :last ORDER BY card_number LIMIT :n"
    )
    while numbers := list(connection.execute(page, {"last": last, "n": BATCH}).scalars()):
        found = [(old, n) for n in numbers if (old := legacy_hash(n)) in wanted]
        if found:
            yield found
        last = numbers[-1]

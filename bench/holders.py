"""The bench's cards: random active card holders of the seeded store, as simulated cards."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from card_reader.simulator import CardProfile, Faults, SimulatedCard, build_card
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES

PIN = "123456"  # every bench card gets this PIN; the store never sees a PIN
SEED = 3


@dataclass(frozen=True)
class Holder:
    """A card holder of the store, as a card carries them."""

    card_number: str
    citizen_id: str
    name: str
    sex: str
    birth_date: date
    issued_on: date
    expires_on: date
    region: str


def card_holders(url: str, now: datetime, count: int) -> list[Holder]:
    """`count` random people with a current active card (same rule as bench/store.py)."""
    card, person = TABLES["card"], TABLES["person"]
    current = (
        card.c.status == "active",
        card.c.card_number.like("S%"),
        card.c.expires_on >= now.date(),
    )
    details = select(
        card.c.card_number,
        person.c.citizen_id,
        person.c.name,
        person.c.sex,
        person.c.birth_date,
        card.c.issued_on,
        card.c.expires_on,
        person.c.home_region,
    ).join(person, person.c.id == card.c.person_id)
    engine = make_engine(url, 30.0)
    try:
        with engine.connect() as connection:
            numbers = connection.execute(select(card.c.card_number).where(*current)).scalars()
            population = list(numbers)
            chosen = random.Random(SEED).sample(population, min(count, len(population)))  # noqa: S311
            rows = connection.execute(details.where(card.c.card_number.in_(chosen))).all()
    finally:
        engine.dispose()
    by_number = {row[0]: Holder(*row) for row in rows}
    return [by_number[number] for number in chosen]


def holder_card(holder: Holder, apdu_delay_ms: float = 0.0) -> SimulatedCard:
    """A 2.00 card for `holder` (fields as in card_reader/simulator/profiles/demo.json),
    answering each APDU after `apdu_delay_ms` like a card in a real reader."""
    raw = {
        "key": "bench-holder",
        "spec_version": "2.00",
        "card_type": "3",
        "card_number": holder.card_number,
        "citizen_id": holder.citizen_id,
        "name": holder.name,
        "sex": holder.sex,
        "nation": "01",
        "birth_date": holder.birth_date.isoformat(),
        "birthplace": holder.citizen_id[:6],
        "issue_date": holder.issued_on.isoformat(),
        "expiry_date": holder.expires_on.isoformat(),
        "region_code": holder.region,
        "issuer_code": "156" + holder.region + "001",
        "pin": PIN,
        "pin_tries_left": 3,
        "transport": "plain",
    }
    profile = CardProfile("bench-holder", "a card holder of the bench store", raw)
    return build_card(profile, Faults(delay_seconds=apdu_delay_ms / 1000))

"""Card pseudonyms that stay pseudonyms (issue 16): on the embedded store, in the outbox and in
the receipt journal a card is an HMAC-SHA-256 under this installation's random key.

The central test runs complete sessions and every AccountService call on the demo store,
prints receipts into the journal and leaves rows in the outbox, then takes a dictionary of
every card number the store (and the simulator) knows and tries to map every value the kiosk
kept back to a card, the way an attacker with the source code would: the old BLAKE2b with
its key from the source, plain SHA-256 / SHA-1 / MD5 / BLAKE2b and their 32-digit cuts, and
an HMAC under the old source key. None may match. With the installation's key every
pseudonym does, which proves they are that HMAC and nothing weaker.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import sqlite3
import stat
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import select

from card_reader.simulator import load_profiles
from kiosk.cli import main
from kiosk.config import KioskConfig
from kiosk.domain import MaskingRules
from kiosk.printers import JOURNAL_NAME, ReceiptPrinter
from kiosk.pseudonym_key import PSEUDONYM_KEY_NAME, PseudonymKeyError
from kiosk.receipt_key import KEY_NAME as RECEIPT_KEY_NAME
from kiosk.receipt_key import damage_notice as receipt_damage_notice
from kiosk.services import AccountService, CardNotActive, StoreUnavailable
from kiosk.session.view import State
from kiosk.store.audit import card_hash
from kiosk.store.engine import make_engine
from kiosk.store.models import TABLES
from kiosk.store.seeding import create_store
from printing.verification import qr_payload
from realparts.config import rig_config
from tests.kiosk.product_kiosk import Kiosk, product_kiosk
from tests.session_kit import NOW, seed_demo_store

LEGACY_KEY = b"sscard-kiosk/audit/v1"  # the BLAKE2b key kiosk/store/audit.py had in source
PINS = {p.key: p.pin for p in load_profiles() if p.ssse}
CARDS = {p.key: p.raw["card_number"] for p in load_profiles() if p.ssse}
ZHANG, WANG = CARDS["zhang-wei"], CARDS["wang-zhe"]
PRINTED = ("zhang-wei", "long-name", "li-kun")


# -- what an attacker with the source code and a list of card numbers tries ------------------


def _attacks(card: str) -> dict[str, str]:
    """card -> {method: value}: every unkeyed or source-keyed hash a kiosk might have used."""
    raw = card.encode("utf-8")
    full = {
        "blake2b-16 under the old source key": hashlib.blake2b(
            raw, key=LEGACY_KEY, digest_size=16
        ).hexdigest(),
        "blake2b under the old source key": hashlib.blake2b(raw, key=LEGACY_KEY).hexdigest(),
        "blake2b-16": hashlib.blake2b(raw, digest_size=16).hexdigest(),
        "blake2b": hashlib.blake2b(raw).hexdigest(),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "sha1": hashlib.sha1(raw).hexdigest(),  # an attacker's guess
        "md5": hashlib.md5(raw).hexdigest(),  # an attacker's guess
        "hmac-sha256 under the old source key": hmac.new(
            LEGACY_KEY, raw, hashlib.sha256
        ).hexdigest(),
        "hmac-sha256 under an empty key": hmac.new(b"", raw, hashlib.sha256).hexdigest(),
    }
    cut = {f"{name}, first 32 digits": value[:32] for name, value in full.items()}
    return {**full, **cut}


def _attack_table(cards: Iterable[str]) -> dict[str, tuple[str, str]]:
    """value -> (card, method) for every card under every attack."""
    return {value: (card, how) for card in cards for how, value in _attacks(card).items()}


def _installation_table(cards: Iterable[str], key: bytes) -> dict[str, str]:
    """value -> card under the installation's key, computed here from the definition (not
    by calling the kiosk's code): HMAC-SHA-256, its first 32 hex digits."""
    return {hmac.new(key, c.encode(), hashlib.sha256).hexdigest()[:32]: c for c in cards}


def _dictionary(accounts: AccountService) -> set[str]:
    """Every card number the store has, and every one the simulator can present."""
    with accounts.engine.connect() as connection:
        in_store = set(connection.execute(select(TABLES["card"].c.card_number)).scalars())
    assert len(in_store) > 200
    return in_store | set(CARDS.values())


# -- a kiosk as the product builds it -----------------------------------------------------------


def _config(folder: Path, store_url: str, kiosk_id: str = "rig-kiosk") -> KioskConfig:
    folder.mkdir(parents=True, exist_ok=True)
    return rig_config(folder, store_url, kiosk_id=kiosk_id, location="")


def _kiosk(data_dir: Path, store_url: str, kiosk_id: str = "pseudo-kiosk") -> Kiosk:
    config = _config(data_dir, store_url, kiosk_id)
    return product_kiosk(config)


def _sessions(kiosk: Kiosk) -> None:
    for key in PRINTED:  # read, browse, print, take the card
        kiosk.insert(key)
        kiosk.pin(PINS[key])
        assert kiosk.session.view.state is State.OVERVIEW
        kiosk.session.show(State.HISTORY)
        kiosk.session.show(State.CONTRIBUTIONS)
        kiosk.session.print_receipt()
        assert kiosk.session.view.state is State.TAKE_CARD
        kiosk.remove()
    kiosk.insert("wang-zhe")  # a wrong PIN, the right one, flagged charges, "I am done"
    kiosk.pin("000000")
    kiosk.pin(PINS["wang-zhe"])
    kiosk.session.show(State.FLAGGED)
    kiosk.session.finish()
    kiosk.remove()
    for key in ("lost-card", "replaced-card"):  # refused by the store
        kiosk.insert(key)
        kiosk.pin(PINS[key])
        assert kiosk.session.view.state is State.CARD_PROBLEM
        kiosk.remove()
    kiosk.insert("blocked-pin")
    kiosk.remove()


def _every_call(accounts: AccountService) -> None:
    """Every screen's call and a hand-written audit row, for every card that opens."""
    for key in ("zhang-wei", "wang-zhe", "li-kun", "long-name"):
        card = CARDS[key]
        accounts.summary(card)
        accounts.history(card, page=1, page_size=5)
        accounts.contributions(card, months=3)
        accounts.annual_statement(card)
        accounts.flagged_charges(card)
        accounts.family_bindings(card)
        accounts.filings(card)
        accounts.receipt_data(card, NOW, f"direct-{key}", MaskingRules())
        accounts.record_query("print", "ok", card)
    accounts.record_query("backoff", "next_card_5s")  # no card at all


def _values(rows: Iterable[Iterable[object]]) -> list[str]:
    return [str(value) for row in rows for value in row if value is not None]


def _audit_rows(accounts: AccountService) -> list[tuple[object, ...]]:
    with accounts.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(TABLES["audit_event"]))]


def _outbox_rows(data_dir: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "audit-outbox.sqlite3") as connection:
        return connection.execute("SELECT * FROM outbox").fetchall()


def _journal(data_dir: Path) -> list[dict[str, object]]:
    lines = (data_dir / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _generated_cards(accounts: AccountService, count: int) -> list[str]:
    card = TABLES["card"]
    with accounts.engine.connect() as connection:
        query = select(card.c.card_number).where(card.c.card_number.notin_(CARDS.values()))
        return list(connection.execute(query.order_by(card.c.card_number).limit(count)).scalars())


def test_no_dictionary_of_all_card_numbers_maps_a_pseudonym_back_without_the_key(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    create_store(store, NOW, persons=200, years=1, seed=7)  # the demo people and 200 more
    kiosk = _kiosk(data_dir, store)
    _sessions(kiosk)
    _every_call(kiosk.accounts)
    generated = _generated_cards(kiosk.accounts, 20)
    for card in generated:  # whatever their state: opened or refused, each is audited
        with contextlib.suppress(CardNotActive):
            kiosk.accounts.summary(card)
    # The store goes away: these rows, and a whole session's, wait in the outbox.
    for person in ("zhang-wei", "li-kun"):
        kiosk.accounts.record_query("print", "failed_spool_failed", CARDS[person], reachable=False)
    offline = _kiosk(data_dir, f"sqlite:///{tmp_path / 'gone' / 'store.sqlite3'}")
    offline.insert("wang-zhe")
    offline.pin(PINS["wang-zhe"])
    assert offline.session.view.state is State.SERVICE_UNAVAILABLE
    offline.remove()
    offline.accounts.close()

    audit = _audit_rows(kiosk.accounts)
    column = [c.name for c in TABLES["audit_event"].columns].index("card_hash")
    audit_pseudonyms = [str(row[column]) for row in audit if row[column] is not None]
    outbox = _outbox_rows(data_dir)
    outbox_pseudonyms = [str(row[5]) for row in outbox if row[5] is not None]  # card_hash
    journal = _journal(data_dir)
    journal_pseudonyms = [str(entry["card_hash"]) for entry in journal]
    assert len(audit_pseudonyms) > 40
    assert len(outbox_pseudonyms) >= 3
    assert len(journal_pseudonyms) == len(PRINTED)
    kept = {
        "audit rows": _values(audit),
        "outbox rows": _values(outbox),
        "receipt journal": _values(entry.values() for entry in journal),
    }

    dictionary = _dictionary(kiosk.accounts)
    attacks = _attack_table(dictionary)
    assert len(attacks) > len(dictionary) * 10
    mapped = [(where, v, attacks[v]) for where, vs in kept.items() for v in vs if v in attacks]
    assert mapped == []
    assert not [(where, v) for where, vs in kept.items() for v in vs if v in dictionary]

    # With the installation's key (the file under data_dir) every pseudonym maps back.
    key = (data_dir / PSEUDONYM_KEY_NAME).read_bytes()
    assert len(key) == 32
    ours = _installation_table(dictionary, key)
    assert {v for v in audit_pseudonyms + outbox_pseudonyms + journal_pseudonyms} <= ours.keys()
    assert [ours[v] for v in journal_pseudonyms] == [CARDS[k] for k in PRINTED]
    assert {ours[v] for v in outbox_pseudonyms} == {ZHANG, CARDS["li-kun"], WANG}
    followed = {ours[v] for v in audit_pseudonyms}
    assert {CARDS[k] for k in (*PRINTED, "wang-zhe", "lost-card", "replaced-card")} <= followed
    assert set(generated) <= followed
    # One card, one pseudonym throughout: journal, audit rows and outbox agree.
    assert len({v for v in audit_pseudonyms + outbox_pseudonyms if ours[v] == ZHANG}) == 1
    assert journal_pseudonyms[0] in audit_pseudonyms
    kiosk.accounts.close()


def test_two_installations_give_one_card_different_pseudonyms(tmp_path: Path) -> None:
    store = seed_demo_store(tmp_path)
    seen: dict[str, tuple[str, str]] = {}
    for name in ("kiosk-a", "kiosk-b"):
        config = _config(tmp_path / name, store, kiosk_id=name)
        accounts = AccountService.from_config(config, clock=lambda: NOW)
        accounts.summary(ZHANG)
        slip = accounts.receipt_data(ZHANG, NOW, f"{name}-1", MaskingRules())
        accounts.close()
        again = AccountService.from_config(config, clock=lambda: NOW)  # a restart
        assert again.receipt_data(ZHANG, NOW, f"{name}-2", MaskingRules()).card_hash == (
            slip.card_hash
        )
        audit = TABLES["audit_event"]
        with again.engine.connect() as connection:
            rows = set(
                connection.execute(
                    select(audit.c.card_hash).where(audit.c.kiosk_id == name)
                ).scalars()
            )
        again.close()
        key = (config.data_dir / PSEUDONYM_KEY_NAME).read_bytes()
        assert rows == {slip.card_hash} == {_installation_table([ZHANG], key).popitem()[0]}
        seen[name] = (slip.card_hash, key.hex())
    assert seen["kiosk-a"][0] != seen["kiosk-b"][0]
    assert seen["kiosk-a"][1] != seen["kiosk-b"][1]


def test_a_missing_key_is_made_0600_at_start_and_kept(tmp_path: Path) -> None:
    store = seed_demo_store(tmp_path)
    config = _config(tmp_path / "var", store)
    path = config.data_dir / PSEUDONYM_KEY_NAME
    assert not path.exists()
    accounts = AccountService.from_config(config, clock=lambda: NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # made at set-up, before any card
    key = path.read_bytes()
    assert len(key) == 32
    assert accounts.pseudonym_key_notice == ""
    leftovers = [p.name for p in config.data_dir.iterdir() if p.name.startswith(".pseudonym")]
    assert leftovers == [".pseudonym-key.lock"]  # no temporary file left behind
    assert accounts.receipt_data(ZHANG, NOW, "s-1", MaskingRules()).card_hash == card_hash(
        ZHANG, key
    )
    accounts.close()
    assert AccountService.from_config(config).pseudonyms.key == key  # kept over a restart


def test_a_service_without_data_dir_keys_cards_next_to_its_outbox_on_first_need(
    tmp_path: Path,
) -> None:
    engine = make_engine(seed_demo_store(tmp_path), 3.0)
    folder = tmp_path / "state"
    accounts = AccountService(engine, "k", lambda: NOW, outbox_path=folder / "outbox.sqlite3")
    accounts.record_query("backoff", "next_card_5s")  # no card: no key needed yet
    assert not (folder / PSEUDONYM_KEY_NAME).exists()
    accounts.record_query("print", "ok", ZHANG, reachable=False)
    key = (folder / PSEUDONYM_KEY_NAME).read_bytes()
    assert stat.S_IMODE((folder / PSEUDONYM_KEY_NAME).stat().st_mode) == 0o600
    assert [r[5] for r in _outbox_rows_at(folder / "outbox.sqlite3")] == [card_hash(ZHANG, key)]
    accounts.close()
    # Or an explicit key: nothing is written for it.
    given = bytes(range(32))
    elsewhere = tmp_path / "given"
    explicit = AccountService(
        engine, "k", lambda: NOW, outbox_path=elsewhere / "o.sqlite3", pseudonym_key=given
    )
    assert explicit.receipt_data(ZHANG, NOW, "s", MaskingRules()).card_hash == card_hash(
        ZHANG, given
    )
    assert not (elsewhere / PSEUDONYM_KEY_NAME).exists()
    explicit.close()
    with pytest.raises(ValueError, match="32 bytes"):
        AccountService(engine, "k", pseudonym_key=b"short")


def _outbox_rows_at(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT * FROM outbox").fetchall()


@pytest.mark.parametrize("damaged", [b"", b"short", b"x" * 33])
def test_a_damaged_key_is_moved_aside_replaced_and_noticed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damaged: bytes
) -> None:
    store = seed_demo_store(tmp_path)
    config = _config(tmp_path / "var", store)
    (config.data_dir / PSEUDONYM_KEY_NAME).write_bytes(damaged)
    accounts = AccountService.from_config(config, clock=lambda: NOW)
    key = (config.data_dir / PSEUDONYM_KEY_NAME).read_bytes()
    assert len(key) == 32
    assert key != damaged[:32]
    aside = [p for p in config.data_dir.iterdir() if p.name.startswith("pseudonym-key.damaged-")]
    assert [p.read_bytes() for p in aside] == [damaged]  # kept, never deleted
    notice = accounts.pseudonym_key_notice
    assert notice.startswith(f"pseudonym key was damaged ({len(damaged)} bytes) and replaced on ")
    assert aside[0].name in notice
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"held {len(damaged)} bytes" in line for line in warned)
    assert all(key.hex() not in line for line in caplog.messages)
    # The new key is used at once, and the receipt key's own notice stays quiet.
    accounts.record_query("print", "ok", ZHANG)
    assert {r[-1] for r in _audit_card_hashes(accounts)} == {card_hash(ZHANG, key)}
    assert receipt_damage_notice(config.data_dir) == ""
    accounts.close()
    restarted = AccountService.from_config(config)
    assert restarted.pseudonyms.key == key
    assert restarted.pseudonym_key_notice == notice  # until the old file is removed
    restarted.close()
    aside[0].unlink()
    assert AccountService.from_config(config).pseudonym_key_notice == ""


def _audit_card_hashes(accounts: AccountService) -> list[tuple[object, ...]]:
    audit = TABLES["audit_event"]
    with accounts.engine.connect() as connection:
        query = select(audit.c.action, audit.c.card_hash).where(audit.c.card_hash.is_not(None))
        return [tuple(row) for row in connection.execute(query)]


def test_a_damaged_receipt_key_raises_no_pseudonym_notice(tmp_path: Path) -> None:
    config = _config(tmp_path / "var", seed_demo_store(tmp_path))
    (config.data_dir / RECEIPT_KEY_NAME).write_bytes(b"")
    ReceiptPrinter.from_config(config)
    accounts = AccountService.from_config(config)
    assert receipt_damage_notice(config.data_dir) != ""
    assert accounts.pseudonym_key_notice == ""
    assert (config.data_dir / PSEUDONYM_KEY_NAME).read_bytes() != (
        config.data_dir / RECEIPT_KEY_NAME
    ).read_bytes()  # two secrets, not one reused
    accounts.close()


def test_a_key_that_cannot_be_made_yet_keeps_the_kiosk_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(seed_demo_store(tmp_path), 3.0)
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")  # as a full disk would
    accounts = AccountService(
        engine, "k", lambda: NOW, outbox_path=tmp_path / "o.sqlite3", key_dir=blocked
    )
    assert "pseudonym key not made" in accounts.pseudonyms.problem()
    assert accounts.summary(ZHANG).person_name  # the screens still open
    with pytest.raises(PseudonymKeyError):  # a slip, whose code binds the pseudonym, is not
        accounts.receipt_data(ZHANG, NOW, "s", MaskingRules())
    assert [r for r in _audit_card_hashes(accounts)] == []  # rows kept, without their card
    assert any("kept without its card" in m for m in caplog.messages)
    blocked.unlink()
    assert accounts.pseudonyms.problem() == ""
    accounts.record_query("print", "ok", ZHANG)
    key = (blocked / PSEUDONYM_KEY_NAME).read_bytes()
    assert _audit_card_hashes(accounts) == [("print", card_hash(ZHANG, key))]
    accounts.close()


def test_a_postgresql_store_not_asked_yet_keeps_no_card_value_in_the_outbox(
    tmp_path: Path,
) -> None:
    """Until the store has said whether this is a kiosk role (whose rows the server keys),
    a row that cannot reach it waits without its card: never a kiosk-side value."""
    engine = make_engine(f"postgresql+psycopg://kiosk@/none?host={tmp_path / 'no-server'}", 1.0)
    accounts = AccountService(engine, "k", lambda: NOW, outbox_path=tmp_path / "o.sqlite3")
    with pytest.raises(StoreUnavailable):
        accounts.summary(ZHANG)
    accounts.record_query("print", "ok", ZHANG, reachable=False)
    rows = _outbox_rows_at(tmp_path / "o.sqlite3")
    assert len(rows) == 2
    assert [r[5] for r in rows] == [None, None]
    assert not (tmp_path / PSEUDONYM_KEY_NAME).exists()
    accounts.close()


def _printed(config: KioskConfig, card: str) -> str:
    """Print a slip for `card` as the kiosk does; its QR payload."""
    accounts = AccountService.from_config(config, clock=lambda: NOW)
    data = accounts.receipt_data(card, NOW, f"{config.kiosk.id}-20261124-0001", MaskingRules())
    accounts.close()
    receipt = ReceiptPrinter.from_config(config).print_receipt(data)
    return qr_payload(data.serial, data.printed_at, data.balance, receipt.code)


def test_verify_card_checks_a_slip_with_the_installation_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path / "var", seed_demo_store(tmp_path))
    payload = _printed(config, ZHANG)
    (config.data_dir / JOURNAL_NAME).unlink()  # the card alone must do

    def verify(*extra: str) -> int:
        toml = str(config.data_dir / "kiosk.toml")
        return main(["--config", toml, "receipt", "verify", payload, *extra])

    assert verify("--card-number", ZHANG) == 0
    assert "VALID" in capsys.readouterr().out
    assert verify("--card-number", WANG) == 1
    assert "INVALID" in capsys.readouterr().out
    # Another installation's key (here: a new one) matches nothing; verify never makes one.
    key = config.data_dir / PSEUDONYM_KEY_NAME
    key.unlink()
    assert verify("--card-number", ZHANG) == 1
    assert f"no pseudonym key at {key}" in capsys.readouterr().err
    assert not key.exists()
    key.write_bytes(b"\0" * 32)
    assert verify("--card-number", ZHANG) == 1
    key.write_bytes(b"short")
    assert verify("--card-number", ZHANG) == 1
    assert "damaged (5 bytes" in capsys.readouterr().err
    assert key.read_bytes() == b"short"  # left as it was, for the kiosk to replace


def test_the_journal_still_verifies_a_slip_after_the_key_was_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path / "var", seed_demo_store(tmp_path))
    payload = _printed(config, ZHANG)
    (config.data_dir / PSEUDONYM_KEY_NAME).write_bytes(b"")  # damaged: replaced at next start
    AccountService.from_config(config).close()
    command = ["--config", str(config.data_dir / "kiosk.toml"), "receipt", "verify", payload]
    assert main(command) == 0  # the journal holds the pseudonym the code was made with
    assert main([*command, "--card-number", ZHANG]) == 1  # as the notice says
    capsys.readouterr()


def test_the_pseudonym_is_hmac_sha256_cut_to_the_column() -> None:
    key = bytes(range(32))
    value = card_hash(ZHANG, key)
    assert value == hmac.new(key, ZHANG.encode(), hashlib.sha256).hexdigest()[:32]
    assert len(value) == TABLES["audit_event"].c.card_hash.type.length == 32  # type: ignore[attr-defined]
    assert card_hash(WANG, key) != value
    with pytest.raises(ValueError, match="key"):
        card_hash(ZHANG, b"")

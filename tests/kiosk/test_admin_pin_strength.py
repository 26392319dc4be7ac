"""The loader refuses an admin PIN hash too cheap to guess through, and `kiosk doctor`
refuses the demo PIN on anything but a demo."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from kiosk.admin_pin import (
    DEMO_ADMIN_PIN,
    hash_admin_pin,
    hash_weakness,
    is_demo_hash,
    verify_admin_pin,
)
from kiosk.config import ConfigError, load_config, parse_config
from kiosk.doctor import check_admin_pin, check_config_mode, is_demo, run_checks

REPO = Path(__file__).resolve().parents[2]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def scrypt_line(n: int = 2**15, r: int = 8, p: int = 1, salt: int = 16, digest: int = 32) -> str:
    return f"scrypt${n}${r}${p}${b64(os.urandom(salt))}${b64(os.urandom(digest))}"


def refused(pin_hash: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(f'[admin]\npin_hash = "{pin_hash}"\n')
    message = str(caught.value)
    assert "admin.pin_hash = (hidden)" in message
    assert pin_hash not in message
    assert pin_hash.split("$")[4] not in message  # not even the salt
    return message


WEAK = {
    "N=2^14 (what older releases made)": (scrypt_line(n=2**14), "this hash has N=16384"),
    "N=2^10": (scrypt_line(n=2**10), "N=1024"),
    "N not a power of two": (scrypt_line(n=40_000), "a power of two"),
    "N above 2^20": (scrypt_line(n=2**21), "N=2097152"),
    "r=1": (scrypt_line(r=1), "this hash has r=1"),
    "r=64": (scrypt_line(r=64), "r=64"),
    "p=0": (scrypt_line(p=0), "this hash has p=0"),
    "p=16": (scrypt_line(p=16), "p=16"),
    "256 MiB of memory": (scrypt_line(n=2**18, r=8), "128 MiB"),
    "an 8-byte salt": (scrypt_line(salt=8), "a salt of 16 bytes or more (8 here)"),
    "a 16-byte digest": (scrypt_line(digest=16), "a digest of 32 to 64 bytes (16 here)"),
    "a 128-byte digest": (scrypt_line(digest=128), "(128 here)"),
}


@pytest.mark.parametrize(("pin_hash", "words"), WEAK.values(), ids=WEAK.keys())
def test_the_loader_refuses_weak_scrypt_parameters_with_a_clear_error(
    pin_hash: str, words: str
) -> None:
    message = refused(pin_hash)
    assert words in message
    assert "kiosk admin-pin-hash" in message  # the fix
    assert not verify_admin_pin("000000", pin_hash)  # and nothing would ever match it


def test_every_weakness_of_one_hash_is_named_at_once() -> None:
    message = refused(scrypt_line(n=2**12, r=2, p=9, salt=4, digest=8))
    for part in ("N=4096", "r=2", "p=9", "(4 here)", "(8 here)"):
        assert part in message


def test_a_correct_pin_under_a_weak_hash_never_opens_maintenance() -> None:
    salt = os.urandom(16)
    digest = hashlib.scrypt(b"975310", salt=salt, n=2**10, r=8, p=1, dklen=32)
    weak = f"scrypt${2**10}$8$1${b64(salt)}${b64(digest)}"
    assert hash_weakness(weak) is not None
    assert not verify_admin_pin("975310", weak)


def test_what_kiosk_admin_pin_hash_makes_is_accepted_and_strong() -> None:
    made = hash_admin_pin("975310")
    assert made.startswith("scrypt$32768$8$1$")
    assert hash_weakness(made) is None
    assert parse_config(f'[admin]\npin_hash = "{made}"\n').admin.pin_hash == made
    assert verify_admin_pin("975310", made)
    assert not is_demo_hash(made)


def test_the_repositorys_kiosk_toml_loads_and_holds_the_demo_pin() -> None:
    config = load_config(REPO / "kiosk.toml")
    assert is_demo_hash(config.admin.pin_hash)
    assert is_demo(config)


# -- kiosk doctor --------------------------------------------------------------------------


def write_config(folder: Path, *, reader: str, store: str, pin_hash: str, mode: int) -> Path:
    path = folder / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{folder}"\n[reader]\nbackend = "{reader}"\n'
        f'[store]\nurl = "{store}"\n[admin]\npin_hash = "{pin_hash}"\n',
        encoding="utf-8",
    )
    path.chmod(mode)
    return path


SQLITE = "sqlite:///{data_dir}/accounts.sqlite3"
FLEET = "postgresql+psycopg://kiosk@db.example/insurance"
DEMO_HASH = hash_admin_pin(DEMO_ADMIN_PIN)  # the demo PIN under a salt of its own


@pytest.mark.parametrize(
    ("reader", "store", "is_a_demo"),
    [("virtual", SQLITE, True), ("pcsc", SQLITE, False), ("virtual", FLEET, False)],
    ids=["demo", "real-reader", "fleet-store"],
)
def test_doctor_fails_on_the_demo_pin_unless_the_config_is_a_demo(
    tmp_path: Path, reader: str, store: str, is_a_demo: bool
) -> None:
    path = write_config(tmp_path, reader=reader, store=store, pin_hash=DEMO_HASH, mode=0o640)
    config = load_config(path)
    assert is_demo(config) is is_a_demo
    [finding] = check_admin_pin(config)
    assert finding.ok is is_a_demo
    if not is_a_demo:
        assert "demo PIN" in finding.detail
        assert "kiosk admin-pin-hash" in finding.fix
        findings = run_checks(str(path))  # what `kiosk doctor` runs: its exit would be 1
        assert any(f.check == "admin pin" and not f.ok for f in findings)


def test_doctor_accepts_a_kiosks_own_pin_on_a_real_kiosk(tmp_path: Path) -> None:
    own = hash_admin_pin("975310")
    path = write_config(tmp_path, reader="pcsc", store=FLEET, pin_hash=own, mode=0o640)
    config = load_config(path)
    assert check_admin_pin(config)[0].ok
    assert check_config_mode(config)[0].ok


def test_doctor_fails_when_every_user_can_read_a_real_kiosks_toml(tmp_path: Path) -> None:
    own = hash_admin_pin("975310")
    path = write_config(tmp_path, reader="pcsc", store=FLEET, pin_hash=own, mode=0o644)
    [finding] = check_config_mode(load_config(path))
    assert not finding.ok
    assert "0644" in finding.detail
    assert "chmod 0640" in finding.fix
    demo = write_config(tmp_path, reader="virtual", store=SQLITE, pin_hash=own, mode=0o644)
    assert check_config_mode(load_config(demo)) == []  # a demo's file is the repository's

"""`kiosk doctor` refuses a real kiosk whose slips' QR points at an address only its own
network can reach (a certificate anyone must be able to check from a phone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.doctor import check_verify_address, run_checks

REPO = Path(__file__).resolve().parents[2]


def config_with(tmp_path: Path, reader: str, base_url: str) -> Path:
    path = tmp_path / "kiosk.toml"
    store = "sqlite:///var/accounts.sqlite3" if reader == "virtual" else "postgresql://k@db/x"
    path.write_text(
        f'[reader]\nbackend = "{reader}"\n[store]\nurl = "{store}"\n'
        f'[verify]\nbase_url = "{base_url}"\n',
        encoding="utf-8",
    )
    path.chmod(0o640)
    return path


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8470", "http://localhost:8470", "http://10.2.3.4/v",
     "https://verify.clinic.internal/v", "http://192.168.1.20"],
)  # fmt: skip
def test_a_real_kiosk_pointing_its_slips_at_a_private_address_fails(
    tmp_path: Path, base_url: str
) -> None:
    path = config_with(tmp_path, "pcsc", base_url)
    [finding] = check_verify_address(load_config(path))
    assert not finding.ok
    assert base_url in finding.detail
    assert "[verify] base_url" in finding.fix
    assert any(f.check == "verify address" and not f.ok for f in run_checks(str(path)))


def test_a_public_address_passes_and_a_demo_may_stay_on_this_pc(tmp_path: Path) -> None:
    public = config_with(tmp_path, "pcsc", "https://verify.example-insurance.cn/v")
    assert check_verify_address(load_config(public))[0].ok
    demo = config_with(tmp_path, "virtual", "http://127.0.0.1:8470")
    [finding] = check_verify_address(load_config(demo))
    assert finding.ok
    assert "a demo" in finding.detail


def test_the_production_example_points_at_a_public_address() -> None:
    config = load_config(REPO / "deploy" / "kiosk.toml.production")
    assert check_verify_address(config)[0].ok

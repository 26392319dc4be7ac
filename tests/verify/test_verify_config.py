"""`[verify]` and `[printer] a4_queue` in kiosk.toml: defaults, and mistakes reported."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_config, parse_config


def test_the_shipped_kiosk_toml_points_slips_at_a_local_verify_server() -> None:
    config = load_config("kiosk.toml")
    assert config.verify.base_url == "http://127.0.0.1:8470"
    assert config.verify.store_url == ""
    assert config.printer.a4_queue == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://verify.example.gov.cn/sscard",
        "http://127.0.0.1:8470",
        "https://verify.example/a/b-c_d/",
    ],
)
def test_a_plain_http_or_https_address_is_a_base_url(url: str) -> None:
    assert parse_config(f'[verify]\nbase_url = "{url}"\n').verify.base_url == url


def test_every_bad_verify_setting_is_reported_at_once() -> None:
    text = (
        '[verify]\nbase_url = "https://v.example/?code="\nrequests_per_minute = 0\n'
        "burst = 5000\n[printer]\na4_queue = 3\n"
    )
    with pytest.raises(ConfigError) as error:
        parse_config(text)
    keys = sorted(problem.key for problem in error.value.problems)
    assert keys == [
        "printer.a4_queue",
        "verify.base_url",
        "verify.burst",
        "verify.requests_per_minute",
    ]
    for bad in ("javascript:alert(1)", "https://user:pw@v.example", "https://v.example/a b"):
        with pytest.raises(ConfigError):
            parse_config(f'[verify]\nbase_url = "{bad}"\n')

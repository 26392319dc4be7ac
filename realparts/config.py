"""One way to write a kiosk's configuration for a test, a benchmark or a rig."""

from __future__ import annotations

from pathlib import Path

from kiosk.admin_pin import hash_admin_pin
from kiosk.config import KioskConfig, parse_config


def rig_config(
    folder: Path,
    store_url: str,
    *,
    kiosk_id: str = "rig-kiosk",
    location: str = "测试社区卫生服务中心",
    store: str = "",
    printer: str = "",
    spool_dir: Path | None = None,
    admin_pin: str | None = None,
    extra: str = "",
) -> KioskConfig:
    """A kiosk.toml written into `folder` and read back: data in `folder`, a windowed kiosk,
    the store at `store_url`, receipts spooled to `spool_dir` (default `folder`/receipts).

    `store` and `printer` add lines to those tables, `extra` adds tables; `admin_pin` sets
    the maintenance PIN (its hash goes in the file, as `kiosk admin-pin-hash` makes it).
    """
    admin = f'[admin]\npin_hash = "{hash_admin_pin(admin_pin)}"\n' if admin_pin else ""
    toml = f"""
[kiosk]
id = "{kiosk_id}"
location = "{location}"
data_dir = "{folder}"
fullscreen = false
[store]
url = "{store_url}"
{store}
[printer]
spool_dir = "{spool_dir or folder / "receipts"}"
{printer}
{admin}{extra}
"""
    source = folder / "kiosk.toml"
    source.write_text(toml, encoding="utf-8")
    return parse_config(toml, source)

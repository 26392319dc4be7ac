"""Health checks behind `kiosk doctor`: the configuration, Python dependencies, system parts.

Each check returns a Finding with a plain fix, so a clinic's IT person can act on it.

A demo is what the configuration says it is, never a flag: the virtual card reader (only
simulated cards, the reader `kiosk demo` always uses) and the embedded SQLite store, as the
repository's kiosk.toml has them. Anything else (a PC/SC reader, the fleet's PostgreSQL) is
a real installation, and there the demo maintenance PIN (246810, with any salt) and a
kiosk.toml that every user of the PC may read are problems.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.admin_pin import is_demo_hash
from kiosk.config import ConfigError, KioskConfig, load_config


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


PYTHON_MODULES = {
    "PySide6": "pyside6-essentials",
    "smartcard": "pyscard",
    "reportlab": "reportlab",
    "sqlalchemy": "sqlalchemy",
    "alembic": "alembic",
    "psycopg": "psycopg[binary]",
}

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
# Names with characters past U+FFFF (GB 18030 four-byte, e.g. 𠮷) need it on screen and slip.
EXT_B_FONT = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")
SETUP_FIX = "run `bash scripts/setup.sh` (installs Debian packages and the venv)"


def check_config(path: str | None) -> tuple[list[Finding], KioskConfig | None]:
    try:
        config = load_config(path)
    except ConfigError as error:
        where = str(error.source) if error.source else "configuration"
        findings = [
            Finding(f"config {problem.key}", False, str(problem), f"edit {where}")
            for problem in error.problems
        ]
        return findings, None
    return [Finding("config", True, f"{config.source} is valid")], config


def check_python_modules() -> list[Finding]:
    findings = []
    for module, package in PYTHON_MODULES.items():
        found = importlib.util.find_spec(module) is not None
        findings.append(
            Finding(
                f"python {package}",
                found,
                "installed" if found else "missing",
                "" if found else f"pip install '{package}' ({SETUP_FIX})",
            )
        )
    return findings


def _executable(name: str, extra_dirs: Iterable[str] = ()) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in extra_dirs:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return None


def check_system(config: KioskConfig | None) -> list[Finding]:
    """Debian parts: needed ones always, the reader stack and CUPS when the config uses them."""
    findings = [
        Finding(
            "font wqy-zenhei",
            CJK_FONT.exists(),
            str(CJK_FONT) if CJK_FONT.exists() else "missing: Chinese text would show as boxes",
            "" if CJK_FONT.exists() else f"apt-get install fonts-wqy-zenhei ({SETUP_FIX})",
        ),
        Finding(
            "font HanaMinB",
            EXT_B_FONT.exists(),
            str(EXT_B_FONT)
            if EXT_B_FONT.exists()
            else "missing: rare characters in names (𠮷) would print as boxes",
            "" if EXT_B_FONT.exists() else f"apt-get install fonts-hanazono ({SETUP_FIX})",
        ),
    ]
    wants_pcsc = config is not None and config.reader.backend == "pcsc"
    wants_cups = config is not None and config.printer.kind == "cups"
    parts: list[tuple[str, str, bool, list[str]]] = [
        ("pcscd", "pcscd", wants_pcsc, ["/usr/sbin"]),
        ("cupsd", "cups", wants_cups, ["/usr/sbin"]),
        ("lp", "cups-client", wants_cups, []),
    ]
    for name, package, needed, dirs in parts:
        where = _executable(name, dirs)
        if where or needed:
            findings.append(
                Finding(
                    f"system {name}",
                    where is not None,
                    where or "missing",
                    "" if where else f"apt-get install {package}",
                )
            )
    return findings


def check_data_dir(config: KioskConfig) -> list[Finding]:
    folder = config.data_dir
    probe = folder if folder.exists() else folder.parent
    writable = probe.exists() and os.access(probe, os.W_OK)
    return [
        Finding(
            "data dir",
            writable,
            f"{folder} is writable" if writable else f"{folder} cannot be written",
            "" if writable else "create it and give the kiosk user write access",
        )
    ]


def is_demo(config: KioskConfig) -> bool:
    """A demo installation: simulated cards and the embedded store, nobody's real data."""
    return config.reader.backend == "virtual" and config.store.url.startswith("sqlite")


def check_admin_pin(config: KioskConfig) -> list[Finding]:
    """The demo maintenance PIN opens only a demo's maintenance screen."""
    if not config.admin.pin_hash:
        return [Finding("admin pin", True, "none set: the maintenance screen cannot be opened")]
    if not is_demo_hash(config.admin.pin_hash):
        return [Finding("admin pin", True, "set (not the demo PIN)")]
    if is_demo(config):
        return [Finding("admin pin", True, "the demo PIN (a demo: virtual reader, SQLite store)")]
    return [
        Finding(
            "admin pin",
            False,
            "admin.pin_hash is the demo PIN 246810, and this is no demo "
            "(a PC/SC reader or the fleet store)",
            "make this kiosk's own with `kiosk admin-pin-hash` and paste it as [admin] pin_hash",
        )
    ]


def check_config_mode(config: KioskConfig) -> list[Finding]:
    """kiosk.toml is installed 0640 root:kiosk: the admin PIN hash is not for every user."""
    if config.source is None or is_demo(config):
        return []
    try:
        mode = config.source.stat().st_mode & 0o777
    except OSError as error:
        return [Finding("config mode", False, f"{config.source}: {error.strerror}")]
    private = not mode & 0o007
    return [
        Finding(
            "config mode",
            private,
            f"{config.source} is {mode:04o}"
            + ("" if private else ": every user of this PC can read the admin PIN hash"),
            "" if private else f"chown root:kiosk {config.source} && chmod 0640 {config.source}",
        )
    ]


def check_verify_address(config: KioskConfig) -> list[Finding]:
    """Every slip's QR is an address under [verify] base_url: one only this PC can reach
    (the default, 127.0.0.1) makes every printed certificate unverifiable by its reader."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(config.verify.base_url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
        private = address.is_loopback or address.is_private or address.is_link_local
    except ValueError:
        private = host == "localhost" or host.endswith((".local", ".internal", ".localhost"))
    if not private or is_demo(config):
        note = " (a demo)" if private else ""
        return [Finding("verify address", True, f"slips point at {config.verify.base_url}{note}")]
    return [
        Finding(
            "verify address",
            False,
            f"[verify] base_url {config.verify.base_url} is reachable from this network only: "
            "nobody can check a printed certificate from a phone",
            "set [verify] base_url to the public address of the verification service",
        )
    ]


CHECKS: tuple[Callable[[KioskConfig], list[Finding]], ...] = (
    check_data_dir,
    check_admin_pin,
    check_config_mode,
    check_verify_address,
)


def run_checks(config_path: str | None) -> list[Finding]:
    findings, config = check_config(config_path)
    findings += check_python_modules()
    findings += check_system(config)
    if config is not None:
        for check in CHECKS:
            findings += check(config)
    return findings


def format_table(findings: list[Finding]) -> str:
    width = max(len(f.check) for f in findings)
    lines = []
    for f in findings:
        status = "ok" if f.ok else "PROBLEM"
        line = f"{f.check.ljust(width)}  {status:<7}  {f.detail}"
        if f.fix:
            line += f"\n{'':{width}}  {'':7}  fix: {f.fix}"
        lines.append(line)
    return "\n".join(lines)

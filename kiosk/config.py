"""kiosk.toml -> frozen dataclasses.

Every problem in the file is collected and reported together (key, value, what is
expected), and unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import reprlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from kiosk.config_file import UnreadableFile, decode_text, read_regular_file

DEFAULT_CONFIG_NAME = "kiosk.toml"
CONFIG_ENV = "KIOSK_CONFIG"
STORE_URL_ENV = "KIOSK_STORE_URL"
PASSWORD_FILE_BYTES = 4096  # a password, not a document: /dev/zero must not be read for ever
# systemd's LoadCredential=db-password:... puts the password in $CREDENTIALS_DIRECTORY.
CREDENTIAL_NAME = "db-password"

Check = Callable[[Any], str | None]


def _between(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"a number from {low:g} to {high:g}"

    return check


def _one_of(*allowed: object) -> Check:
    def check(value: Any) -> str | None:
        return None if value in allowed else "one of " + ", ".join(repr(a) for a in allowed)

    return check


def _identifier(value: Any) -> str | None:
    ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", value)
    return None if ok else "letters, digits, '-', '_' or '.', at most 64 characters"


def _admin_hash(value: Any) -> str | None:
    ok = re.fullmatch(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+", value)
    if not ok:
        return "an scrypt hash made by `kiosk admin-pin-hash`"
    from kiosk.admin_pin import hash_weakness  # N, r, p, salt and digest strong enough

    return hash_weakness(value)


def _checked(default: Any, check: Check | None = None, doc: str = "") -> Any:
    return field(default=default, metadata={"check": check, "doc": doc})


@dataclass(frozen=True)
class KioskSection:
    id: str = _checked("kiosk-01", _identifier)
    location: str = ""
    data_dir: Path = Path("var")
    language: Literal["zh", "en"] = "zh"
    elderly_mode: bool = False
    fullscreen: bool = True
    hide_cursor: bool = False


@dataclass(frozen=True)
class ReaderSection:
    backend: Literal["virtual", "pcsc"] = "virtual"
    name_pattern: str = ""
    scrambled_pin_pad: bool = False


@dataclass(frozen=True)
class StoreSection:
    url: str = "sqlite:///{data_dir}/accounts.sqlite3"
    password_env: str = "KIOSK_DB_PASSWORD"  # noqa: S105 (a variable name, not a password)
    password_file: str = ""
    timeout_seconds: float = _checked(3.0, _between(0.1, 60))


@dataclass(frozen=True)
class PrinterSection:
    kind: Literal["spool", "cups", "escpos"] = "spool"
    spool_dir: Path = Path("{data_dir}/receipts")
    cups_queue: str = ""
    escpos_device: Path = Path("/dev/usb/lp0")
    paper_width_mm: int = _checked(80, _one_of(58, 80))
    paper_roll_mm: int = _checked(50_000, _between(1_000, 500_000))
    history_entries: int = _checked(10, _between(0, 50))
    # Receipts, certificates and filing slips a card may print at this kiosk in a day.
    slips_per_card_per_day: int = _checked(5, _between(1, 50))
    # An office CUPS queue for A4 certificates (`kiosk certificate --paper a4 --print`).
    a4_queue: str = ""


@dataclass(frozen=True)
class TimeoutsSection:
    idle_seconds: float = _checked(60.0, _between(5, 3600))
    idle_warning_seconds: float = _checked(20.0, _between(5, 300))
    take_card_reminder_seconds: float = _checked(10.0, _between(2, 300))
    pin_entry_seconds: float = _checked(90.0, _between(10, 600))
    card_read_seconds: float = _checked(10.0, _between(1, 120))
    card_command_seconds: float = _checked(5.0, _between(0.5, 30))


@dataclass(frozen=True)
class PrivacySection:
    mask_name: bool = True
    mask_citizen_id: bool = True
    citizen_id_visible_head: int = _checked(4, _between(0, 8))
    citizen_id_visible_tail: int = _checked(4, _between(0, 8))
    card_number_visible_tail: int = _checked(4, _between(0, 9))


@dataclass(frozen=True)
class AdminSection:
    pin_hash: str = _checked("", lambda v: _admin_hash(v) if v else None)


@dataclass(frozen=True)
class LoggingSection:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: Path = Path("{data_dir}/logs/kiosk.log")
    max_bytes: int = _checked(5_000_000, _between(10_000, 1_000_000_000))
    backup_count: int = _checked(5, _between(0, 100))


def _base_url(value: Any) -> str | None:
    # The QR's address: scheme and host, maybe a path; no query or fragment (the slip's own
    # facts follow it), no userinfo, no spaces.
    ok = re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~%/-]*)?", value)
    return None if ok else "an http(s):// address without a query (https://verify.example/x)"


@dataclass(frozen=True)
class VerifySection:
    """The verification service every slip's QR points at (`kiosk verify-server`)."""

    base_url: str = _checked("http://127.0.0.1:8470", _base_url)
    # The store it reads: "" is store.url; on PostgreSQL a login role in sscard_verifier.
    store_url: str = ""
    password_env: str = "KIOSK_VERIFY_DB_PASSWORD"  # noqa: S105 (a variable name)
    requests_per_minute: int = _checked(30, _between(1, 10_000))
    burst: int = _checked(10, _between(1, 1_000))


@dataclass(frozen=True)
class ServicesSection:
    # A temporary loss report (临时挂失) lapses after this many days unless confirmed at
    # the counter; kiosk_api refuses more than 30 (migration 0007).
    loss_report_days: int = _checked(7, _between(1, 30))


@dataclass(frozen=True)
class SpeechSection:
    """The kiosk speaks each screen (kiosk/speech): espeak-ng and sox's `play` on a sound card
    or headphone jack; without audio the kiosk runs silent and logs why once."""

    enabled: bool = False  # on at start; the person can still turn it on from the keypad
    volume: int = _checked(80, _between(0, 100))  # percent of full loudness
    rate: float = _checked(1.0, _between(0.5, 2.0))  # 1.0: espeak-ng's normal pace
    voice_zh: str = _checked("cmn-latn-pinyin", _identifier)  # espeak-ng voice names
    voice_en: str = _checked("en", _identifier)


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = KioskSection()
    reader: ReaderSection = ReaderSection()
    store: StoreSection = StoreSection()
    printer: PrinterSection = PrinterSection()
    timeouts: TimeoutsSection = TimeoutsSection()
    privacy: PrivacySection = PrivacySection()
    admin: AdminSection = AdminSection()
    logging: LoggingSection = LoggingSection()
    verify: VerifySection = VerifySection()
    services: ServicesSection = ServicesSection()
    speech: SpeechSection = SpeechSection()
    source: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.kiosk.data_dir

    def store_url(self) -> str:
        """The store URL with the password from the environment, store.password_file or
        systemd's credential `db-password` (LoadCredential=), never the TOML."""
        url = self.store.url
        if not url.startswith("postgresql"):
            return url
        password = os.environ.get(self.store.password_env, "") if self.store.password_env else ""
        if not password and self.store.password_file:
            password = _password_from(Path(self.store.password_file))
        credentials = os.environ.get("CREDENTIALS_DIRECTORY", "")
        if not password and credentials and (Path(credentials) / CREDENTIAL_NAME).exists():
            password = _password_from(Path(credentials) / CREDENTIAL_NAME, "$CREDENTIALS_DIRECTORY")
        if password and "@" in url:
            from urllib.parse import quote

            scheme, rest = url.split("://", 1)
            user, host = rest.split("@", 1)
            if ":" not in user:
                url = f"{scheme}://{user}:{quote(password, safe='')}@{host}"
        return url


def _password_from(path: Path, key: str = "store.password_file") -> str:
    try:
        return decode_text(read_regular_file(path, PASSWORD_FILE_BYTES)).strip()
    except UnreadableFile as error:
        problem = ConfigProblem(key, str(path), error.expected)
        raise ConfigError(None, [problem]) from None


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    value: str
    expected: str
    unknown: bool = False  # a key or section that does not exist (a typo, usually)

    def __str__(self) -> str:
        shown = f" = {self.value}" if self.value else ""
        if self.unknown:
            return f"{self.key}{shown}: unknown {self.expected}"
        return f"{self.key}{shown}: expected {self.expected}"


class ConfigError(Exception):
    """Every problem found in a configuration file, reported together."""

    def __init__(self, source: Path | None, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        where = str(source) if source else "configuration"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{where}: {len(problems)} problem(s)\n{lines}")


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 3, 80, 80, 40
# On the key's last part: password_env, pin_hash, api_token; not pin_entry_seconds.
_SECRET_KEY = re.compile(r"pass|secret|token|credential|(^|_)pin($|_hash|_code)", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(\w[\w+.-]*://)[^@\s]*@")  # user too: a password may hold a '/'


def _shown(key: str, value: Any) -> str:
    """The value as a problem line echoes it: short (a 10 MB string, an array nested 300
    deep or 10**400 stay one line) and never a password, PIN or URL's userinfo."""
    if _SECRET_KEY.search(key.rsplit(".", 1)[-1]):
        return "(hidden)"
    return _URL_USERINFO.sub(r"\1***@", _SHORT.repr(value))


def _describe(kind: Any) -> str:
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(kind))
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    return names.get(kind, "a path (string)")


def _coerce(kind: Any, value: Any) -> tuple[Any, bool]:
    """The value as `kind`, and whether it had the right type."""
    if get_origin(kind) is Literal:
        return value, value in get_args(kind)
    if kind is bool:
        return value, isinstance(value, bool)
    if kind is int:
        return value, isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        try:
            return (float(value) if ok else value), ok
        except OverflowError:  # an integer like 10**400 is no float at all
            return value, False
    if kind is Path:
        ok = isinstance(value, str) and "\x00" not in value  # no path holds a NUL byte
        return (Path(value) if ok else value), ok
    return value, isinstance(value, str)


def _build_section(name: str, cls: type[Any], raw: Any, problems: list[ConfigProblem]) -> Any:
    if not isinstance(raw, Mapping):
        problems.append(ConfigProblem(f"[{name}]", _shown(name, raw), "a table of settings"))
        return cls()
    hints = get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{name}.{key}"
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                ConfigProblem(
                    dotted,
                    _shown(dotted, value),
                    f"key (known: {', '.join(known)}){hint}",
                    unknown=True,
                )
            )
            continue
        kind = hints[key]
        coerced, ok = _coerce(kind, value)
        if not ok:
            problems.append(ConfigProblem(dotted, _shown(dotted, value), _describe(kind)))
            continue
        check: Check | None = known[key].metadata.get("check")
        expected = check(coerced) if check else None
        if expected:
            problems.append(ConfigProblem(dotted, _shown(dotted, value), expected))
            continue
        values[key] = coerced
    return cls(**values)


def _expand(config: KioskConfig, base: Path) -> KioskConfig:
    """Resolve `{data_dir}` and relative paths against the config file's folder."""
    data_dir = config.kiosk.data_dir
    if not data_dir.is_absolute():
        data_dir = (base / data_dir).resolve()

    def path(p: Path) -> Path:
        expanded = Path(str(p).replace("{data_dir}", str(data_dir)))
        return expanded if expanded.is_absolute() else (base / expanded).resolve()

    url = config.store.url.replace("{data_dir}", str(data_dir))
    if override := os.environ.get(STORE_URL_ENV):
        url = override
    return dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, data_dir=data_dir),
        store=dataclasses.replace(config.store, url=url),
        printer=dataclasses.replace(
            config.printer,
            spool_dir=path(config.printer.spool_dir),
            escpos_device=path(config.printer.escpos_device),
        ),
        logging=dataclasses.replace(config.logging, file=path(config.logging.file)),
    )


def _cross_checks(config: KioskConfig, problems: list[ConfigProblem]) -> None:
    if config.printer.kind == "cups" and not config.printer.cups_queue:
        problems.append(
            ConfigProblem(
                "printer.cups_queue", "''", 'a CUPS queue name when printer.kind = "cups"'
            )
        )
    url = config.store.url
    if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", url):
        problems.append(
            ConfigProblem(
                "store.url", _shown("store.url", url), "a sqlite:/// or postgresql+psycopg:// URL"
            )
        )
    elif re.match(r"^postgresql[^:]*://[^/@]*:[^/@]*@", url):
        problems.append(
            ConfigProblem(
                "store.url",
                "(a URL with a password)",
                "no password in the file: put it in the environment variable named by "
                "store.password_env, or in store.password_file",
            )
        )


SECTIONS: dict[str, type[Any]] = {
    name: kind for name, kind in get_type_hints(KioskConfig).items() if name != "source"
}


def parse_config(text: str, source: Path | None = None) -> KioskConfig:
    """Parse TOML text into a KioskConfig, raising ConfigError with every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, [ConfigProblem("(file)", "", f"valid TOML ({error})")]) from None
    except RecursionError:  # tomllib recurses once per nesting level
        expected = "valid TOML nested a few levels deep (arrays or inline tables inside each other)"
        raise ConfigError(source, [ConfigProblem("(file)", "", expected)]) from None
    except ValueError:  # an integer of more than 4300 digits (Python's int() limit)
        expected = "valid TOML with numbers of a sensible size"
        raise ConfigError(source, [ConfigProblem("(file)", "", expected)]) from None
    problems: list[ConfigProblem] = []
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            problems.append(
                ConfigProblem(
                    f"[{name}]", "", f"section (known: {', '.join(SECTIONS)})", unknown=True
                )
            )
            continue
        sections[name] = _build_section(name, SECTIONS[name], value, problems)
    config = KioskConfig(**sections, source=source)
    base = source.parent if source else Path.cwd()
    try:
        config = _expand(config, base)
    except (OSError, RuntimeError, ValueError) as error:  # resolve(): a symlink loop, say
        problems.append(ConfigProblem("kiosk.data_dir", "", f"a usable folder ({error})"))
    _cross_checks(config, problems)
    if problems:
        raise ConfigError(source, problems)
    return config


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, then $KIOSK_CONFIG, then ./kiosk.toml, then the one beside the package."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    here = Path.cwd() / DEFAULT_CONFIG_NAME
    if os.path.lexists(here):  # a broken link or a loop too: refused, not silently skipped
        return here
    return Path(__file__).resolve().parent.parent / DEFAULT_CONFIG_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> KioskConfig:
    """kiosk.toml as a KioskConfig; any file that is not one (a FIFO, /dev/zero, a folder,
    over 256 KiB, not UTF-8, not TOML, wrong values) is a ConfigError, never a hang or a
    traceback. An empty file is the documented defaults; a UTF-8 BOM is accepted."""
    source = find_config_path(path)
    try:
        text = decode_text(read_regular_file(source))
        where = source.resolve()
    except UnreadableFile as error:
        raise ConfigError(source, [ConfigProblem("(file)", str(source), error.expected)]) from None
    except (OSError, RuntimeError) as error:  # resolve() of a path that just became a loop
        problem = ConfigProblem("(file)", str(source), f"a readable file ({error})")
        raise ConfigError(source, [problem]) from None
    return parse_config(text, where)

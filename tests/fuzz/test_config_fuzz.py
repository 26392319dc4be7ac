"""Fuzzing the kiosk.toml loader: any text gives a KioskConfig or a ConfigError listing
the problems; never a ValueError, TypeError or a traceback on the kiosk's screen."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import SECTIONS, ConfigError, KioskConfig, parse_config
from tests.fuzz.settings import FUZZ

SOURCE = Path("/etc/sscard-kiosk/kiosk.toml")
KNOWN_KEYS = {name: [f.name for f in dataclasses.fields(kind)] for name, kind in SECTIONS.items()}


def _load(text: str) -> KioskConfig | None:
    """The config, or None when it was refused with a ConfigError (the only other outcome)."""
    refused: ConfigError | None = None
    try:
        config = parse_config(text, SOURCE)
    except ConfigError as error:
        refused = error
    if refused is not None:
        assert refused.problems
        assert str(refused).startswith(str(SOURCE))
        return None
    assert isinstance(config, KioskConfig)
    return config


def toml_value(value: Any) -> str:
    """A TOML literal for `value` (what tomli-w would write; the test needs no package)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int | datetime | date | time):
        return value.isoformat() if not isinstance(value, int) else str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


ODD_STRINGS = [
    *("", "{data_dir}", "/", "..", "zh", "pcsc", "cups", "spool", "DEBUG", "~/x", "C:\\kiosk"),
    *("sqlite:///x", "postgresql+psycopg://k:pw@h/db", "scrypt$1$2$3$a$b", "\x00", "a\x00b"),
]
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(ODD_STRINGS),
    st.datetimes(),
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_loads_or_is_refused_with_problems(text: str) -> None:
    _load(text)


TOKENS = [*"[]=\"'.#\n ab1_-{},", "kiosk", "store", "url", "id", "true", "3.0", "\\u0000"]


@FUZZ
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join), max_size=12))
def test_toml_shaped_noise_loads_or_is_refused(lines: list[str]) -> None:
    _load("\n".join(lines))


def _section(name: str) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    keys = st.sampled_from([*KNOWN_KEYS[name], "typo"])
    return st.tuples(st.just(name), st.dictionaries(keys, values, min_size=1, max_size=6))


@FUZZ
@given(
    st.lists(
        st.one_of(
            *[_section(name) for name in SECTIONS],
            st.tuples(st.sampled_from(["kiosks", "extra"]), values),
        ),
        max_size=4,
        unique_by=lambda pair: pair[0],
    )
)
def test_any_values_under_known_keys_load_or_are_refused(sections: list[tuple[str, Any]]) -> None:
    lines = []
    for section, body in sections:
        if isinstance(body, dict):
            lines.append(f"[{section}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in body.items()]
        else:
            lines.insert(0, f"{section} = {toml_value(body)}")
    config = _load("\n".join(lines))
    if config is not None:
        # Whatever was accepted is usable: absolute paths, a URL the engine understands.
        assert config.data_dir.is_absolute()
        assert config.printer.spool_dir.is_absolute()
        assert config.logging.file.is_absolute()
        assert config.store.url.startswith(("sqlite", "postgresql"))
        assert 0.1 <= config.store.timeout_seconds <= 60


PATH_KEYS = [("kiosk", "data_dir"), ("printer", "spool_dir"), ("logging", "file")]


@FUZZ
@given(st.sampled_from(PATH_KEYS), st.text(max_size=30))
def test_any_text_as_a_path_loads_or_is_refused(key: tuple[str, str], text: str) -> None:
    """Paths are resolved while loading; a character no path may hold is a ConfigError."""
    section, name = key
    _load(f"[{section}]\n{name} = {json.dumps(text)}\n")

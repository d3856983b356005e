"""Tool-configuration files (pyproject.toml, setup.cfg, mypy.ini, …) as TOML tables or
INI sections, read by TG602 (pytest's addopts) and TG603 (loosened settings)."""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

import re
from typing import Any, NamedTuple

from taskgate.change import Change, Derived, FileChange
from taskgate.rules.changedlines import after_path, basename, before_path, side_text

TOML_CONFIGS = frozenset({"pyproject.toml", "ruff.toml", ".ruff.toml"})
INI_CONFIGS = frozenset(
    {"setup.cfg", "tox.ini", "mypy.ini", ".mypy.ini", ".coveragerc", ".flake8", "pytest.ini",
     ".pytest.ini"}
)  # fmt: skip


class ConfigDoc(NamedTuple):
    """A parsed tool-configuration file: TOML tables, or INI sections of strings."""

    name: str  # the file's base name
    toml: dict[str, Any] | None
    ini: dict[str, dict[str, str]] | None


def parse_config(path: str, text: str | None) -> ConfigDoc | None:
    """Parse a TOML or INI tool configuration; None when absent or unreadable (a broken
    file breaks the tools themselves, which the gate reports)."""
    if text is None:
        return None
    name = basename(path)
    if name in TOML_CONFIGS:
        import tomllib

        try:
            return ConfigDoc(name, tomllib.loads(text), None)
        except tomllib.TOMLDecodeError:
            return None
    if name in INI_CONFIGS:
        import configparser

        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            return None
        return ConfigDoc(name, None, {s: dict(parser[s]) for s in parser.sections()})
    return None


_CONFIG_DOC: Derived[ConfigDoc | None] = Derived("configuration file")


def config_doc(change: Change, fc: FileChange, side: str) -> ConfigDoc | None:
    path = before_path(fc) if side == "before" else after_path(fc)
    if path is None:
        return None

    def load() -> ConfigDoc | None:
        return parse_config(path, side_text(change, fc, side))

    return change.derived(_CONFIG_DOC, load, side, path)


def table(data: Any, *keys: str) -> dict[str, Any]:
    """`data[k1][k2]...` when every step is a table, else an empty table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def str_items(value: Any) -> list[str]:
    """A TOML list of strings, or an INI value split on commas and new lines."""
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def ini_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("1", "yes", "true", "on"):
            return True
        if word in ("0", "no", "false", "off"):
            return False
    return None

"""TG603, second half: tool configuration a coder commit loosens (ruff ignores and
excludes, a shorter ruff select, mypy flags turned off or loose ones on, mypy
overrides, flake8 ignores, coverage omits and a lower fail_under). Registered with
the first half in `taskgate.rules.suppressions`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from taskgate.change import Change
from taskgate.finding import Finding
from taskgate.rules.changedlines import (
    after_path,
    basename,
    before_path,
    line_delta,
    line_of,
    prefetch,
    side_text,
)
from taskgate.rules.configfiles import (
    INI_CONFIGS,
    TOML_CONFIGS,
    ConfigDoc,
    config_doc,
    ini_bool,
    str_items,
    table,
)

_MYPY_STRICT = frozenset(
    {"strict", "disallow_untyped_defs", "disallow_incomplete_defs", "disallow_untyped_calls",
     "disallow_untyped_decorators", "disallow_any_generics", "disallow_subclassing_any",
     "check_untyped_defs", "warn_return_any", "warn_unused_ignores", "warn_redundant_casts",
     "no_implicit_reexport", "strict_equality", "strict_optional", "no_implicit_optional",
     "warn_unreachable", "extra_checks"}
)  # fmt: skip
_MYPY_DEFAULT_TRUE = frozenset({"strict_optional", "no_implicit_optional"})
# What `strict = true` turns on: listing one of these next to it changes nothing.
_MYPY_BY_STRICT = frozenset(
    {"disallow_any_generics", "disallow_subclassing_any", "disallow_untyped_calls",
     "disallow_untyped_defs", "disallow_incomplete_defs", "check_untyped_defs",
     "disallow_untyped_decorators", "warn_redundant_casts", "warn_unused_ignores",
     "warn_return_any", "no_implicit_reexport", "strict_equality", "extra_checks",
     "warn_unused_configs"}
)  # fmt: skip
_MYPY_LOOSE = frozenset(
    {"ignore_errors", "ignore_missing_imports", "allow_untyped_globals", "allow_redefinition",
     "implicit_reexport", "implicit_optional", "allow_untyped_defs"}
)  # fmt: skip


class ToolSettings(NamedTuple):
    """The settings of one configuration file that decide how strict the tools are."""

    grows_looser: dict[str, frozenset[str]]  # more entries is looser (ignores, excludes)
    shrinks_looser: dict[str, frozenset[str]]  # fewer entries is looser (ruff select)
    flags: dict[str, bool]  # mypy's global options
    fail_under: float | None  # coverage


def tool_settings(doc: ConfigDoc | None) -> ToolSettings:
    grows: dict[str, set[str]] = {}
    shrinks: dict[str, set[str]] = {}
    flags: dict[str, bool] = {}
    fail_under: float | None = None
    if doc is None:
        return ToolSettings({}, {}, {}, None)

    def more(key: str, items: Iterable[str]) -> None:
        grows.setdefault(key, set()).update(items)

    if doc.toml is not None:
        ruff = doc.toml if doc.name != "pyproject.toml" else table(doc.toml, "tool", "ruff")
        for t in (ruff, table(ruff, "lint")):
            more("ruff ignore", str_items(t.get("ignore")) + str_items(t.get("extend-ignore")))
            for key in ("per-file-ignores", "extend-per-file-ignores"):
                for glob, codes in table(t, key).items():
                    more("ruff per-file-ignores", (f"{glob}: {c}" for c in str_items(codes)))
            more("ruff exclude", str_items(t.get("exclude")) + str_items(t.get("extend-exclude")))
            selected = str_items(t.get("select")) + str_items(t.get("extend-select"))
            shrinks.setdefault("ruff select", set()).update(selected)
        mypy = table(doc.toml, "tool", "mypy")
        for key, value in mypy.items():
            if isinstance(value, bool):
                flags[key.replace("-", "_")] = value
        more("mypy disable_error_code", str_items(mypy.get("disable_error_code")))
        overrides = mypy.get("overrides")
        for entry in overrides if isinstance(overrides, list) else []:
            if isinstance(entry, dict):
                more("mypy overrides", _override_entries(entry, str_items(entry.get("module"))))
        coverage = table(doc.toml, "tool", "coverage")
        fail_under = _number(table(coverage, "report").get("fail_under"))
        more("coverage omit", str_items(table(coverage, "run").get("omit")))
        more("coverage omit", str_items(table(coverage, "report").get("omit")))
        for key in ("exclude_lines", "exclude_also"):
            more("coverage exclude", str_items(table(coverage, "report").get(key)))
    if doc.ini is not None:
        for section, values in doc.ini.items():
            if section == "mypy":
                for key, value in values.items():
                    flag = ini_bool(value)
                    if flag is not None:
                        flags[key.replace("-", "_")] = flag
                more("mypy disable_error_code", str_items(values.get("disable_error_code")))
            elif section.startswith("mypy-"):
                more("mypy overrides", _override_entries(values, [section[5:]]))
            elif section in ("flake8", "pycodestyle"):
                for key in ("ignore", "extend-ignore", "extend_ignore"):
                    more("flake8 ignore", str_items(values.get(key)))
                for key in ("per-file-ignores", "per_file_ignores"):
                    more("flake8 per-file-ignores", _flake8_per_file(values.get(key)))
                for key in ("exclude", "extend-exclude"):
                    more("flake8 exclude", str_items(values.get(key)))
            elif section in ("coverage:report", "coverage:run") or (
                doc.name == ".coveragerc" and section in ("report", "run")
            ):
                if section.endswith("report"):
                    value = _number(values.get("fail_under"))
                    fail_under = value if value is not None else fail_under
                    for key in ("exclude_lines", "exclude_also"):
                        more("coverage exclude", str_items(values.get(key)))
                more("coverage omit", str_items(values.get("omit")))
    return ToolSettings(
        {k: frozenset(v) for k, v in grows.items() if v},
        {k: frozenset(v) for k, v in shrinks.items() if v},
        flags,
        fail_under,
    )


def _flake8_per_file(value: Any) -> list[str]:
    """flake8's `glob:CODE,CODE glob:CODE` lines as "glob: CODE" entries."""
    if not isinstance(value, str):
        return []
    out: list[str] = []
    for m in re.finditer(r"([^\s,:]+)\s*:\s*([A-Z][A-Z0-9]*(?:\s*,\s*[A-Z][A-Z0-9]*)*)", value):
        out.extend(f"{m.group(1)}: {code.strip()}" for code in m.group(2).split(","))
    return out


def _override_entries(entry: dict[str, Any], modules: list[str]) -> list[str]:
    out: list[str] = []
    for key, value in entry.items():
        flag = key.replace("-", "_")
        on = ini_bool(value)
        if (flag in _MYPY_LOOSE and on) or (flag in _MYPY_STRICT and on is False):
            out.extend(f"{m}: {flag} = {str(on).lower()}" for m in modules)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


class Loosening(NamedTuple):
    what: str
    needles: tuple[str, ...]  # text to find the line by


def loosenings(before: ToolSettings, after: ToolSettings) -> list[Loosening]:
    """What `after` allows that `before` did not."""
    out: list[Loosening] = []
    for key, items in after.grows_looser.items():
        old = before.grows_looser.get(key, frozenset())
        new = sorted(items - old)
        if key.endswith("per-file-ignores"):
            # A glob renamed with its codes (the files moved) ignores nothing more.
            grew = Counter(_last_word(i) for i in items)
            grew.subtract(_last_word(i) for i in old)
            new = [i for i in new if grew[_last_word(i)] > 0]
        if new:
            shown = ", ".join(new[:6]) + (", …" if len(new) > 6 else "")
            out.append(Loosening(f"{key}: {len(new)} added ({shown})", tuple(_needles(new))))
    for key, items in before.shrinks_looser.items():
        kept = after.shrinks_looser.get(key, frozenset())
        gone = sorted(items - kept)
        if gone and "ALL" not in kept:
            shown = ", ".join(gone[:6]) + (", …" if len(gone) > 6 else "")
            out.append(Loosening(f"{key}: {len(gone)} removed ({shown})", ("select",)))
    strict_now = after.flags.get("strict") is True
    for flag in sorted(_MYPY_STRICT):
        was, now = before.flags.get(flag), after.flags.get(flag)
        # Dropping a line that restates a default, or what strict already turns on, is no change.
        implied = flag in _MYPY_DEFAULT_TRUE or (strict_now and flag in _MYPY_BY_STRICT)
        dropped = was is True and (now is False or (now is None and not implied))
        turned_off = now is False and was is None and (flag in _MYPY_DEFAULT_TRUE or strict_now)
        if dropped or turned_off:
            state = "removed" if now is None else "false"
            out.append(Loosening(f"mypy {flag} = {state} (was {str(was).lower()})", (flag,)))
    for flag in sorted(_MYPY_LOOSE):
        if after.flags.get(flag) is True and before.flags.get(flag) is not True:
            out.append(Loosening(f"mypy {flag} = true", (flag,)))
    if before.fail_under is not None and (
        after.fail_under is None or after.fail_under < before.fail_under
    ):
        now_text = "removed" if after.fail_under is None else f"{after.fail_under:g}"
        out.append(
            Loosening(f"coverage fail_under {before.fail_under:g} → {now_text}", ("fail_under",))
        )
    return out


def _last_word(item: str) -> str:
    """ "glob: CODE" → CODE, "module: flag = true" → flag, anything else itself."""
    return item.split(": ")[-1].split(" = ")[0] if ": " in item else item


def _needles(items: Iterable[str]) -> Iterator[str]:
    return (_last_word(item) for item in items)


def config_findings(change: Change) -> Iterator[Finding]:
    configs = [
        fc
        for fc in change.files
        if basename(after_path(fc) or before_path(fc) or "") in TOML_CONFIGS | INI_CONFIGS
    ]
    prefetch(change, configs, "before")
    for fc in configs:
        path = after_path(fc) or before_path(fc)
        if path is None or basename(path) not in TOML_CONFIGS | INI_CONFIGS:
            continue
        after_doc = config_doc(change, fc, "after")
        if after_doc is None and after_path(fc) is not None:
            continue  # unreadable now: the tools themselves fail on it
        found = loosenings(
            tool_settings(config_doc(change, fc, "before")), tool_settings(after_doc)
        )
        if not found:
            continue
        after = side_text(change, fc, "after") or ""
        added = line_delta(change, fc).added
        for item in found:
            yield Finding(
                "TG603",
                f"loosens tool configuration: {item.what}",
                path=path,
                line=line_of(after, item.needles, added) if after else None,
                hint="keep the tools as strict as the lead set them; fix the code instead",
            )

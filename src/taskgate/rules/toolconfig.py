"""TG603, the configuration half: tool configuration inside a module is the lead's.

A coder could otherwise reduce what the gate's tools check without loosening any
one setting the lead wrote: an empty `mypy.ini` next to the module's
`pyproject.toml` shadows its `strict = true` (mypy reads the first file it finds);
a new `ruff.toml` shadows the lead's `select`; `pytest.ini` with `addopts = --co`
runs nothing; an `.ignore` file hides every `.py` from ruff. Judging the settings
the tools end up with would mean re-implementing each tool's file discovery and
merging rules, so the choice here is ownership:

- every file that configures pytest, mypy, ruff, coverage or another checker (see
  `LEAD_FILES`), and `sitecustomize.py` / `usercustomize.py` (run by every Python
  tool that starts with the module on `PYTHONPATH`), inside a module, is the
  lead's: a coder commit adding, changing, renaming or deleting one is TG603;
- in the module's `pyproject.toml`, the `[tool.*]` tables are the lead's (judged
  by comparing the parsed tables, so formatting and comments are free), except
  the packaging tools' tables in `PACKAGING_TABLES`; `[project]`,
  `[build-system]` and `[dependency-groups]` stay the coder's;
- `conftest.py` stays the coder's (fixtures are test code); tests it hides are
  caught by the gate's test accounting (`taskgate.gate.testrecord`).

The same family reports `@no_type_check` / `typing.no_type_check` (a whole function
or class out of mypy's sight) added by a coder.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.rules.changedlines import (
    Occurrence,
    added_text,
    after_path,
    basename,
    before_path,
    line_delta,
    line_hint,
    pick_new,
    side_bytes,
    side_text,
)

LEAD_FILES = frozenset(
    {"mypy.ini", ".mypy.ini", "setup.cfg", "tox.ini", "pytest.ini", ".pytest.ini",
     "ruff.toml", ".ruff.toml", ".coveragerc", ".flake8", ".pylintrc", "pylintrc",
     "pyrightconfig.json", ".ignore", ".rgignore", "sitecustomize.py", "usercustomize.py"}
)  # fmt: skip
# `[tool.X]` tables that describe packaging, not checking: the coder's, like [project].
PACKAGING_TABLES = frozenset(
    {"setuptools", "setuptools_scm", "hatch", "pdm", "poetry", "flit", "uv", "maturin",
     "scikit-build", "pixi", "rye"}
)  # fmt: skip


# Top-level import names of the gate's tools and what they load: the module folder (and
# its src/) come first on PYTHONPATH in the gate, so a package of that name there would
# be imported in place of the tool.
TOOL_PACKAGES = frozenset(
    {"pytest", "_pytest", "pluggy", "mypy", "mypyc", "ruff", "coverage", "iniconfig",
     "_taskgate_record", "sitecustomize", "usercustomize"}
)  # fmt: skip


def shadowed_tool(change: Change, path: str) -> str | None:
    """The tool package `path` would stand in for, inside its module's import roots."""
    structure = change.structure
    module = structure.module_of(path) if structure is not None else None
    if module is None or not path.endswith((".py", ".pyi")):
        return None
    parts = path[len(module.path) + 1 :].split("/")
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    top = parts[0].split(".", 1)[0] if len(parts) == 1 else parts[0]
    return top if top in TOOL_PACKAGES else None


def _in_module(change: Change, path: str) -> bool:
    structure = change.structure
    return structure is not None and structure.module_of(path) is not None


def _tool_tables(text: str | None) -> dict[str, Any] | None:
    """The lead's `[tool.*]` tables of a pyproject.toml (None: unreadable, left to the tools)."""
    if text is None:
        return {}
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return {}
    return {k: v for k, v in tool.items() if k not in PACKAGING_TABLES}


def config_ownership_findings(change: Change) -> Iterator[Finding]:
    """A coder's change to a tool configuration file of its module."""
    for fc in change.files:
        paths = [p for p in (before_path(fc), after_path(fc)) if p is not None]
        if not paths:
            paths = [fc.path]
        names = {basename(p) for p in paths}
        path = after_path(fc) or paths[0]
        if not any(_in_module(change, p) for p in paths):
            continue
        tool = next((t for p in paths if (t := shadowed_tool(change, p)) is not None), None)
        if tool is not None and not names & LEAD_FILES:
            yield Finding(
                "TG603",
                f"{path} would be imported as `{tool}` by the gate's tools (the module "
                "folder comes first on their PYTHONPATH)",
                path=path,
                hint="rename the package; a module may not stand in for a tool",
            )
            continue
        if names & LEAD_FILES:
            what = "adds" if before_path(fc) is None else "deletes" if fc.deleted else "changes"
            name = sorted(names & LEAD_FILES)[0]
            yield Finding(
                "TG603",
                f"{what} {name}: tool configuration inside a module is the lead's",
                path=path,
                hint="a configuration file here can shadow the one the lead wrote and stop a "
                "tool from checking; ask the lead to make the change",
            )
        elif "pyproject.toml" in names:
            yield from _pyproject(change, fc, path)


def _pyproject(change: Change, fc: FileChange, path: str) -> Iterator[Finding]:
    before = _tool_tables(side_text(change, fc, "before") if before_path(fc) else None)
    after = _tool_tables(side_text(change, fc, "after") if after_path(fc) else None)
    if before is None or after is None:
        return  # unreadable: the tools themselves fail on it
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if not changed:
        return
    text = side_text(change, fc, "after") or ""
    line = None
    for number, content in enumerate(text.split("\n"), 1):
        if any(f"tool.{k}" in content for k in changed):
            line = number
            break
    tables = ", ".join(f"[tool.{k}]" for k in changed)
    yield Finding(
        "TG603",
        f"changes {tables} of the module's pyproject.toml: tool configuration is the lead's",
        path=path,
        line=line,
        hint="[project] (dependencies) is yours; the [tool.*] tables that configure the "
        "checkers are the lead's",
    )


_NO_TYPE_CHECK = ("no_type_check", "no_type_check_decorator")


def _called(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _no_type_checks(text: str | None) -> list[Occurrence]:
    if not text or "no_type_check" not in text:
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    out: list[Occurrence] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if _called(target) in _NO_TYPE_CHECK:
                    out.append(Occurrence("@no_type_check", deco.lineno))
        elif isinstance(node, ast.Call):
            if _called(node.func) in _NO_TYPE_CHECK:
                out.append(Occurrence("@no_type_check", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in _NO_TYPE_CHECK and alias.asname:
                    out.append(Occurrence("@no_type_check", node.lineno))
    return out


def no_type_check_findings(change: Change) -> Iterator[Finding]:
    for fc in change.files:
        path = after_path(fc)
        if path is None or not path.endswith((".py", ".pyi")):
            continue
        # The first look: git's added lines, or the new bytes; only a sign reads more.
        hint = line_hint(change, fc)
        if hint is not None:
            if "no_type_check" not in hint.added_text:
                continue
        elif b"no_type_check" not in side_bytes(change, fc, "after"):
            continue
        if "no_type_check" not in added_text(change, fc):
            continue
        before = side_text(change, fc, "before") if before_path(fc) else None
        after = side_text(change, fc, "after")
        added = line_delta(change, fc).added
        new = pick_new(_no_type_checks(before), _no_type_checks(after), added)
        for o in new:
            yield Finding(
                "TG603",
                "adds `@no_type_check`: mypy stops checking what it decorates",
                path=path,
                line=o.line,
                hint="annotate the code so mypy accepts it; only the lead may turn checks off",
            )

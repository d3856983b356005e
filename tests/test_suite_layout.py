"""The test suite's own shape: helpers live in support modules, never in test modules."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_test_module_imports_another() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if "corpus" in path.parts:
            continue
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(TESTS)} imports {name}")
    assert offenders == [], "move shared helpers to tests/support/:\n" + "\n".join(offenders)


# Not helpers: programs the suite or `make` runs.
PROGRAMS = {"agentside/fake_agent.py", "golden/__main__.py"}


def test_helpers_have_one_name() -> None:
    """A folder's helpers are its `support.py`; what several folders share is in
    tests/support/. No `_support.py`, `helpers.py` or other names beside them."""
    odd = []
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS)
        if "corpus" in rel.parts or rel.parts[0] == "support" or rel.as_posix() in PROGRAMS:
            continue
        if path.name.startswith("test_") or path.name in ("conftest.py", "__init__.py"):
            continue
        if path.name != "support.py":
            odd.append(rel.as_posix())
    assert odd == [], "name a folder's helpers support.py (or move them to tests/support/)"

"""TG601: tests a coder commit deletes (the check is in `taskgate.rules.testintegrity`).

Read with `ast`, never with text searches, so a `def test_` in a docstring never
counts; only files that lost a `def test…` or `class` line are parsed at all.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.rules.changedlines import (
    after_path,
    basename,
    before_path,
    line_delta,
    line_hint,
    parsed,
    prefetch,
    side_text,
)

_TEST_DIRS = frozenset({"tests", "test"})
# A test definition or a class line: what must be seen gone (or new) before parsing.
_TEST_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+test\w*|^[ \t]*class[ \t]+\w+", re.M)
_TEST_DEF_START = re.compile(r"(?:async\s+)?def\s+test|class\s")
_CODE_EXTENSIONS = frozenset(
    {"js", "jsx", "ts", "tsx", "mjs", "cjs", "go", "rs", "rb", "java", "kt", "swift", "php",
     "cs", "c", "cc", "cpp", "vue", "svelte", "dart", "scala", "ex", "exs"}
)  # fmt: skip


def is_python_test_path(path: str) -> bool:
    """A Python file pytest would collect tests from: test_*.py, *_test.py, or under tests/."""
    if not path.endswith(".py"):
        return False
    name = basename(path)
    if name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in _TEST_DIRS for part in path.split("/")[:-1])


def is_other_test_file(path: str) -> bool:
    """A test file of another language: *.test.ts, *.spec.js, *_test.go, __tests__/…"""
    name = basename(path)
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in _CODE_EXTENSIONS:
        return False
    if stem.endswith((".test", ".spec", "_test", "_spec")) or stem.startswith("test_"):
        return True
    return "__tests__" in path.split("/")[:-1]


class TestId(NamedTuple):
    """A collected test: `Class.test_name` (or `test_name`) and its line."""

    name: str
    line: int


def test_ids(tree: ast.Module) -> list[TestId]:
    """Test functions, and test methods of Test* classes and TestCase subclasses,
    including those defined under `if`/`try`/`with` at module level."""
    out: list[TestId] = []

    def visit(body: Sequence[ast.AST], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.name.startswith("test"):
                    out.append(TestId(prefix + node.name, node.lineno))
            elif isinstance(node, ast.ClassDef):
                if _collected_class(node):
                    visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.If | ast.With | ast.AsyncWith | ast.For | ast.While):
                visit(node.body, prefix)
                visit(node.orelse if not isinstance(node, ast.With | ast.AsyncWith) else [], prefix)
            elif isinstance(node, ast.Try | ast.TryStar):
                for part in (node.body, node.orelse, node.finalbody):
                    visit(part, prefix)
                for handler in node.handlers:
                    visit(handler.body, prefix)

    visit(tree.body, "")
    return out


def _collected_class(node: ast.ClassDef) -> bool:
    if node.name.startswith("Test"):
        return True
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name.endswith("TestCase"):
            return True
    return False


class _Lost(NamedTuple):
    fc: FileChange
    path: str
    test: TestId


def deleted_test_findings(change: Change) -> Iterator[Finding]:
    """TG601. Tests are compared across every changed file of the commit, keyed by
    class and name, so a test moved to another file (or renamed with its file) is kept;
    a test left over is then matched by its function name alone, so a renamed class or
    a test moved between classes is kept too.

    Only files that lost a `def test…` or `class` line are parsed, and the files that
    gained one only when something was lost."""
    losing: list[tuple[FileChange, str | None, str | None]] = []
    gaining: list[FileChange] = []
    test_files = [
        fc
        for fc in change.files
        if any(p is not None and is_python_test_path(p) for p in (before_path(fc), after_path(fc)))
        and not _no_test_line_changed(change, fc)
    ]
    prefetch(change, test_files, "before")
    prefetch(change, test_files, "after")
    reading = {id(fc) for fc in test_files}
    for fc in change.files:
        old, new = before_path(fc), after_path(fc)
        old_is_test = old is not None and is_python_test_path(old)
        new_is_test = new is not None and is_python_test_path(new)
        if old is not None and new is None and not old_is_test and is_other_test_file(old):
            yield _file_finding(old, "")
            continue
        if not (old_is_test or new_is_test) or id(fc) not in reading:
            continue
        before = side_text(change, fc, "before") if old_is_test else None
        after = side_text(change, fc, "after") if new_is_test else None
        if before is not None and after is not None:
            # Only a removed `def test…`/`class` line can lose a test, only an added one
            # can bring one: the line delta says, without reading the rest of the file.
            delta = line_delta(change, fc)
            loses = any(_TEST_DEF_START.match(line) for line in delta.removed)
            gains = any(_TEST_DEF_START.match(text.lstrip()) for _, text in delta.lines)
        else:
            loses = before is not None and _TEST_DEF.search(before) is not None
            gains = after is not None and _TEST_DEF.search(after) is not None
        if loses:
            losing.append((fc, before, after))
        elif gains:
            gaining.append(fc)

    lost: list[_Lost] = []
    gained = Counter[str]()
    for fc, before, after in losing:
        old, new = before_path(fc), after_path(fc)
        before_ids = _ids(change, fc, "before") if before is not None else []
        after_ids = _ids(change, fc, "after") if after is not None else []
        if before_ids is None:
            if old is not None and new is None and basename(old).startswith("test_"):
                yield _file_finding(old, " (it does not parse, so its tests cannot be counted)")
            continue
        if after_ids is None:
            continue  # unparsable now: collecting it fails in the gate
        missing = Counter(t.name for t in before_ids) - Counter(t.name for t in after_ids)
        here = []
        for test in reversed(before_ids):  # of duplicate names, the last ones went
            if missing[test.name] > 0 and old is not None:
                missing[test.name] -= 1
                here.append(_Lost(fc, old, test))
        lost.extend(reversed(here))
        gained.update(Counter(t.name for t in after_ids) - Counter(t.name for t in before_ids))
    if not lost:
        return
    for fc in gaining:
        before_ids = _ids(change, fc, "before") if before_path(fc) is not None else []
        after_ids = _ids(change, fc, "after")
        if before_ids is not None and after_ids is not None:
            gained.update(Counter(t.name for t in after_ids) - Counter(t.name for t in before_ids))

    unmatched: list[_Lost] = []
    for item in lost:
        if gained[item.test.name] > 0:
            gained[item.test.name] -= 1  # moved to another changed file
        else:
            unmatched.append(item)
    # A test that only changed class (the class renamed, or the test moved into another
    # class or out of one) keeps its function name: it is the same test.
    bare = Counter[str]()
    for name, n in gained.items():
        bare[name.rsplit(".", 1)[-1]] += max(n, 0)
    remaining: list[_Lost] = []
    for item in unmatched:
        name = item.test.name.rsplit(".", 1)[-1]
        if bare[name] > 0:
            bare[name] -= 1
        else:
            remaining.append(item)
    new_names = sorted(name for name, n in bare.items() if n > 0)
    renamed = ""
    if new_names:
        shown = ", ".join(new_names[:3]) + (", …" if len(new_names) > 3 else "")
        renamed = f"; if it was renamed or merged into {shown}, the lead commits that"
    deleted_files: dict[str, list[TestId]] = {}
    for item in remaining:
        if after_path(item.fc) is None:
            deleted_files.setdefault(item.path, []).append(item.test)
            continue
        yield Finding(
            "TG601",
            f"deletes test {item.test.name} (line {item.test.line} before this commit)",
            path=item.path,
            line=item.test.line,
            hint=f"fix the code so the test passes; only the lead removes tests{renamed}",
        )
    for path, gone in deleted_files.items():
        names = ", ".join(t.name for t in sorted(gone, key=lambda t: t.line)[:5])
        more = ", …" if len(gone) > 5 else ""
        yield _file_finding(path, f" with {len(gone)} test{'s' * (len(gone) != 1)}: {names}{more}")


def _no_test_line_changed(change: Change, fc: FileChange) -> bool:
    """git's lines of this file add and remove no `def test…`/`class` line, so it neither
    loses nor gains a test (False when the change has no such lines to look at)."""
    old, new = before_path(fc), after_path(fc)
    if old is None or new is None or not (is_python_test_path(old) and is_python_test_path(new)):
        return False  # moved into or out of the tests: every test it holds counts
    hint = line_hint(change, fc)
    if hint is None:
        return False
    return not any(_TEST_DEF_START.match(line.strip()) for line in hint.removed) and not any(
        _TEST_DEF_START.match(line.lstrip()) for line in hint.added
    )


def _ids(change: Change, fc: FileChange, side: str) -> list[TestId] | None:
    tree = parsed(change, fc, side)
    return test_ids(tree) if tree is not None else None


def _file_finding(path: str, detail: str) -> Finding:
    return Finding(
        "TG601",
        f"deletes test file {path}{detail}",
        path=path,
        hint="restore it (git restore --staged --worktree --source=HEAD -- <file>); "
        "only the lead removes tests",
    )

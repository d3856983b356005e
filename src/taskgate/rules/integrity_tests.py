"""TG601 deleted tests and TG602 skipped tests (helpers of `taskgate.rules.integrity`).

Both read Python with `ast`, never with text searches, so a `skip` in a string or
a `def test_` in a docstring never counts. A cheap look at the raw text decides
which files are worth parsing at all.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import NamedTuple

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.rules.integrity import (
    ConfigDoc,
    Occurrence,
    added_text,
    after_path,
    basename,
    before_path,
    config_doc,
    drop_moved,
    line_delta,
    line_hint,
    line_of,
    pick_new,
    prefetch,
    removed_pool,
    side_bytes,
    side_text,
    table,
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


def parsed(change: Change, fc: FileChange, side: str) -> ast.Module | None:
    """The file's syntax tree on one side, parsed once per change; None when unparsable."""
    path = before_path(fc) if side == "before" else after_path(fc)
    if path is None or side_text(change, fc, side) is None:
        return None  # absent, binary, a symlink or a submodule
    return change.reader(side).ast(path)


# --- TG601: deleted tests ----------------------------------------------------


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


# --- TG602: skipped tests ----------------------------------------------------

_SKIP_WORDS = ("skip", "Skip", "xfail", "expectedFailure", "collect_ignore")
_SKIP_BYTES = tuple(w.encode() for w in _SKIP_WORDS)


def _names_marker(text: str) -> bool:
    # Plain substrings: quicker than the alternating pattern over a whole file.
    return any(word in text for word in _SKIP_WORDS)


# `<marker> as <name>`, found from each `as` backwards: a file has few of those, while
# one pattern starting with the marker names is tried at every word of the file.
_AS_NAME = re.compile(r"as\s+(\w+)")
_MARKER_WORD = re.compile(r"skip\w*|xfail|SkipTest|expectedFailure|importorskip")
_MARKERS = {
    "pytest.mark.skip": "pytest.mark.skip",
    "pytest.mark.skipif": "pytest.mark.skipif",
    "pytest.mark.xfail": "pytest.mark.xfail",
    "pytest.skip": "pytest.skip()",
    "pytest.xfail": "pytest.xfail()",
    "pytest.importorskip": "pytest.importorskip()",
    "unittest.skip": "unittest.skip",
    "unittest.skipIf": "unittest.skipIf",
    "unittest.skipUnless": "unittest.skipUnless",
    "unittest.expectedFailure": "unittest.expectedFailure",
}
_COLLECT_IGNORE = frozenset({"collect_ignore", "collect_ignore_glob"})
_PYTEST_CONFIGS = frozenset({"pyproject.toml", "pytest.ini", ".pytest.ini", "setup.cfg", "tox.ini"})
_FILTER_FLAGS = ("--deselect", "--ignore-glob", "--ignore", "-k", "-m")


def marker_aliases(text: str) -> list[str]:
    """The names a skip marker is imported as (`from unittest import skip as later`)."""
    out = []
    i = text.find("as")
    while i >= 0:
        m = _AS_NAME.match(text, i)
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1  # `as` follows white space, which follows the marker's name
        if m and j < i:
            k = j
            while k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_"):
                k -= 1
            if _MARKER_WORD.fullmatch(text, k, j):
                out.append(m.group(1))
        i = text.find("as", i + 2)
    return out


def _may_add_markers(after: str, added_lines: Callable[[], str]) -> bool:
    """Whether the added lines can hold a new marker: they name one, or use a name the
    file imports one as (`from unittest import skip as later` … `@later(...)`)."""
    if not _names_marker(after):
        return False  # no marker anywhere, and no import of one under another name
    added = added_lines()
    if _names_marker(added):
        return True
    aliases = marker_aliases(after)
    if not aliases:
        return False
    return re.search(r"\b(?:" + "|".join(aliases) + r")\b", added) is not None


def _added(change: Change, fc: FileChange) -> str:
    """git's added lines when the change has them (they include the exact ones), else
    the exact added lines."""
    hint = line_hint(change, fc)
    return hint.added_text if hint is not None else added_text(change, fc)


def _aliases_of(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """Local names an import binds: `import pytest as pt` → {"pt": "pytest"},
    `from pytest import mark as m` → {"m": "pytest.mark"}."""
    names: dict[str, str] = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                names[alias.asname] = alias.name
    elif node.module and not node.level:
        for alias in node.names:
            names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ".".join(["?", *reversed(parts)]) if parts else None
    parts.append(aliases.get(node.id, node.id))
    dotted = ".".join(reversed(parts))
    return dotted.replace("unittest.case.", "unittest.", 1)


def _marker_kind(dotted: str) -> str | None:
    for name, kind in _MARKERS.items():
        if dotted == name or dotted.startswith(name + "."):
            return kind
    if dotted.endswith(".skipTest"):
        return "skipTest()"
    return None


def skip_markers(tree: ast.Module, conftest: bool, source: str) -> list[Occurrence]:
    """Every skip/xfail marker, skip call, `raise SkipTest` and (in a conftest.py)
    `collect_ignore` entry, with import aliases resolved. Only the parts of the tree on
    lines that name a marker or import something are visited (`source` says which)."""
    lines = _lines_naming(source, (*_SKIP_WORDS, "import"))
    aliases = {
        name: target
        for node in _walk_lines(tree, lines)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name, target in _aliases_of(node).items()
    }
    renamed = tuple(name for name, target in aliases.items() if _marker_kind(target))
    if renamed:
        lines = sorted(set(lines) | set(_lines_naming(source, renamed)))
    inner: set[int] = set()  # nodes that are the `.value` of a longer attribute chain
    out: list[Occurrence] = []
    for node in _walk_lines(tree, lines):
        if isinstance(node, ast.Attribute):
            inner.add(id(node.value))
        if isinstance(node, ast.Attribute | ast.Name):
            if id(node) in inner or not isinstance(node.ctx, ast.Load):
                continue
            dotted = _dotted(node, aliases)
            kind = _marker_kind(dotted) if dotted else None
            if kind is not None:
                out.append(Occurrence(kind, node.lineno))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            dotted = _dotted(target, aliases)
            if dotted is not None and dotted.rsplit(".", 1)[-1] == "SkipTest":
                out.append(Occurrence("raise SkipTest", node.lineno))
        elif conftest:
            out.extend(_collect_ignores(node))
    return sorted(out, key=lambda o: o.line)


def _lines_naming(source: str, words: tuple[str, ...]) -> list[int]:
    """Sorted numbers of the lines holding one of `words` (plain substring search)."""
    found = set()
    for word in words:
        line, last = 1, 0  # newlines are counted from the previous hit, not from the start
        i = source.find(word)
        while i >= 0:
            line += source.count("\n", last, i)
            last = i
            found.add(line)
            end = source.find("\n", i)
            if end < 0:
                break
            i = source.find(word, end)
    return sorted(found)


def _walk_lines(tree: ast.AST, lines: list[int]) -> Iterator[ast.AST]:
    """Like ast.walk (parents first), skipping subtrees on none of `lines`."""
    from bisect import bisect_left

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        children = []
        for child in ast.iter_child_nodes(node):
            first = getattr(child, "lineno", None)
            decorators = getattr(child, "decorator_list", None)
            if first is not None and decorators:
                first = min(first, *(d.lineno for d in decorators))  # a def's line is below them
            if first is not None:
                last = getattr(child, "end_lineno", None) or first
                i = bisect_left(lines, first)
                if i == len(lines) or lines[i] > last:
                    continue
            children.append(child)
        stack.extend(reversed(children))


def _collect_ignores(node: ast.AST) -> list[Occurrence]:
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        named = any(isinstance(t, ast.Name) and t.id in _COLLECT_IGNORE for t in targets)
        if named and node.value is not None:
            return _entries(node.value, node.lineno)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in _COLLECT_IGNORE
        and node.func.attr in ("append", "extend", "insert", "__iadd__")
    ):
        args = node.args[1:] if node.func.attr == "insert" else node.args
        return [o for arg in args for o in _entries(arg, node.lineno)]
    return []


def _entries(value: ast.expr, line: int) -> list[Occurrence]:
    """One occurrence per entry, keyed by its text: an entry kept is not new wherever it moves."""
    elements = value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [value]
    return [
        Occurrence(f"collect_ignore entry {ast.unparse(e)}", getattr(e, "lineno", line))
        for e in elements
    ]


def addopts_filters(doc: ConfigDoc | None) -> list[str]:
    """Test-selection filters (`--deselect`, `-k`, `-m`, `--ignore`, `--ignore-glob`) in
    pytest's addopts, each as "flag value"."""
    if doc is None:
        return []
    values: list[object] = []
    if doc.toml is not None and doc.name == "pyproject.toml":
        values.append(table(doc.toml, "tool", "pytest", "ini_options").get("addopts"))
        values.append(table(doc.toml, "tool", "pytest").get("addopts"))
    if doc.ini is not None:
        section = "tool:pytest" if doc.name == "setup.cfg" else "pytest"
        values.append(doc.ini.get(section, {}).get("addopts"))
    tokens: list[str] = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                tokens.extend(_split(item))
    return _filters(tokens)


def _split(text: str) -> list[str]:
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _filters(tokens: list[str]) -> list[str]:
    out = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        for flag in _FILTER_FLAGS:
            if tok == flag:
                value = tokens[i + 1] if i + 1 < len(tokens) else ""
                out.append(f"{flag} {value}".strip())
                i += 1
                break
            if flag.startswith("--") and tok.startswith(flag + "="):
                out.append(f"{flag} {tok[len(flag) + 1 :]}")
                break
            if not flag.startswith("--") and tok.startswith(flag) and len(tok) > len(flag):
                out.append(f"{flag} {tok[len(flag) :].lstrip('=')}")
                break
        i += 1
    return out


def skip_findings(change: Change) -> Iterator[Finding]:
    """TG602: markers counted per kind and file before and after (an existing marker is
    never reported again; one moved from another changed file is not new)."""
    pool: Counter[str] | None = None
    tests = [
        fc
        for fc in change.files
        if (path := after_path(fc)) is not None
        and (basename(path) == "conftest.py" or is_python_test_path(path))
    ]
    # Where git's added lines name no marker, only a marker imported under another name
    # could be new: those files are read for their imports, the others not at all.
    unnamed = [
        fc
        for fc in tests
        if (hint := line_hint(change, fc)) is None or not _names_marker(hint.added_text)
    ]
    prefetch(change, unnamed, "after")
    unnamed_ids = {id(fc) for fc in unnamed}
    marked = [
        fc
        for fc in tests
        if id(fc) not in unnamed_ids
        or (
            any(word in side_bytes(change, fc, "after") for word in _SKIP_BYTES)
            and _may_add_markers(side_text(change, fc, "after") or "", partial(_added, change, fc))
        )
    ]
    prefetch(change, marked, "after")
    prefetch(change, marked, "before")
    marked_ids = {id(fc) for fc in marked}
    for fc in change.files:
        path = after_path(fc)
        if path is None:
            continue
        name = basename(path)
        if id(fc) in marked_ids:
            after = side_text(change, fc, "after")
            if after is None or not _may_add_markers(after, partial(added_text, change, fc)):
                continue
            after_tree = parsed(change, fc, "after")
            if after_tree is None:
                continue  # does not parse: the gate reports it
            before_tree = parsed(change, fc, "before")
            if before_tree is None and side_text(change, fc, "before") is not None:
                continue  # no count to compare with: everything would look new
            conftest = name == "conftest.py"
            before_text = side_text(change, fc, "before") or ""
            before_marks = skip_markers(before_tree, conftest, before_text) if before_tree else []
            new = pick_new(
                before_marks,
                skip_markers(after_tree, conftest, after),
                line_delta(change, fc).added,
            )
            if new and pool is None:
                pool = removed_pool(change)
            if pool is not None:
                new = drop_moved(new, after.split("\n"), pool)
            for o in new:
                what = o.kind if o.kind.startswith("collect_ignore") else f"skip `{o.kind}`"
                yield Finding(
                    "TG602",
                    f"adds a {what}",
                    path=path,
                    line=o.line,
                    hint="make the test pass instead; only the lead skips tests",
                )
        elif name in _PYTEST_CONFIGS:
            yield from _filter_findings(change, fc, path)


def _filter_findings(change: Change, fc: FileChange, path: str) -> Iterator[Finding]:
    after = side_text(change, fc, "after")
    if after is None or "addopts" not in after:
        return
    before_doc = config_doc(change, fc, "before")
    new = Counter(addopts_filters(config_doc(change, fc, "after")))
    new.subtract(addopts_filters(before_doc))
    added = line_delta(change, fc).added
    for item, n in new.items():
        for _ in range(n):
            value = item.split(" ", 1)[-1]
            yield Finding(
                "TG602",
                f"adds the test filter `{item}` to pytest's addopts",
                path=path,
                line=line_of(after, (value,), added) or line_of(after, ("addopts",), added),
                hint="every test runs in the gate; only the lead deselects tests",
            )

"""TG602: skipped tests and test filters a coder commit adds (the check is in
`taskgate.rules.testintegrity`).

Markers are read with `ast` (import aliases resolved), never with text searches, so a
`skip` in a string never counts; a cheap look at the raw text decides which files are
worth parsing at all. pytest's addopts filters are read from the configuration files.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.rules.changedlines import (
    Occurrence,
    added_text,
    after_path,
    basename,
    drop_moved,
    line_delta,
    line_hint,
    line_of,
    parsed,
    pick_new,
    prefetch,
    removed_pool,
    side_bytes,
    side_text,
)
from taskgate.rules.configfiles import ConfigDoc, config_doc, table
from taskgate.rules.deletedtests import is_python_test_path

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

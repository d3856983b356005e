"""The import graph of `src/taskgate`, read with `ast` (nothing is imported or run).

Each `import` / `from ... import` of a taskgate module is an edge of one of three kinds:

- "module": runs when the importing module is imported (its body, a class body, a
  module-level `if`/`try`). These must form a DAG: a circle here means the import
  order decides what works.
- "function": inside a function (or lambda): runs when called, after every module
  is loaded. This is how the hook's path defers heavy modules, and such an edge may
  point back up without breaking an import; it is recorded, not held to the DAG.
- "typing": under `if TYPE_CHECKING:`; never runs.

`from a.b import c` is an edge to `a.b.c` when that is a module, else to `a.b`. The
implicit import of a package's `__init__` by its submodules is not an edge (every
submodule would otherwise form a circle with a package that re-exports it).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "taskgate"


class Edge(NamedTuple):
    source: str
    target: str
    kind: str  # "module", "function" or "typing"
    line: int


def module_files(src: Path = SRC) -> dict[str, Path]:
    """Module name → file, for every module of the package."""
    out: dict[str, Path] = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterable[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement with its kind."""
    stack: list[tuple[ast.AST, str]] = [(tree, "module")]
    while stack:
        node, kind = stack.pop()
        for child in ast.iter_child_nodes(node):
            child_kind = kind
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                child_kind = "function" if kind == "module" else kind
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    stack.append((stmt, "typing"))
                    if isinstance(stmt, ast.Import | ast.ImportFrom):
                        yield stmt, "typing"
                for stmt in child.orelse:
                    stack.append((stmt, kind))
                    if isinstance(stmt, ast.Import | ast.ImportFrom):
                        yield stmt, kind
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, child_kind
            stack.append((child, child_kind))


def _resolve(name: str, node: ast.Import | ast.ImportFrom, modules: set[str]) -> list[str]:
    """The taskgate modules one import statement in module `name` names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
    if node.level:
        # Relative: from the package of `name` (a package's own __init__ is its package).
        base = name.split(".")
        if name not in modules or not _is_package(name, modules):
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    if origin.split(".")[0] != PACKAGE:
        return []
    out = []
    for alias in node.names:
        sub = f"{origin}.{alias.name}"
        out.append(sub if sub in modules else origin)
    return list(dict.fromkeys(out))


def _is_package(name: str, modules: set[str]) -> bool:
    return any(m.startswith(name + ".") for m in modules)


@functools.cache
def edges(src: Path = SRC) -> tuple[Edge, ...]:
    """Every import of a taskgate module by a taskgate module (read once per run)."""
    files = module_files(src)
    names = set(files)
    out = []
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, kind in _imports(tree):
            for target in _resolve(name, node, names):
                if target != name and target in names:
                    out.append(Edge(name, target, kind, node.lineno))
    return tuple(sorted(set(out)))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected part of more than one module (Tarjan), as a closed path
    through it (first module repeated at the end), smallest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    parts: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                parts.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted((_closed_path(graph, part) for part in parts), key=lambda p: (len(p), p))


def _closed_path(graph: dict[str, set[str]], part: list[str]) -> list[str]:
    """A circle through the first module of a strongly connected part (shortest, by BFS)."""
    start, members = part[0], set(part)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ()) & members):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if w not in previous:
                previous[w] = v
                queue.append(w)
    return [*part, start]


def graph_of(all_edges: Iterable[Edge], kinds: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in all_edges:
        if e.kind in kinds:
            out.setdefault(e.source, set()).add(e.target)
    return out


def reachable(graph: dict[str, set[str]], start: str) -> dict[str, list[str]]:
    """Every module reachable from `start`, with one path to it."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return paths

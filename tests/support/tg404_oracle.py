"""TG404 as it was before issue 14: every changed file parsed whole with `ast`.

Kept here, out of src, as the oracle the line scanner of `taskgate.rules.signatures`
is compared against (tests/gate/test_signature_scan.py)."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable, Iterator

_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _is_staticmethod(fn: _Function) -> bool:
    for deco in fn.decorator_list:
        name = deco.id if isinstance(deco, ast.Name) else getattr(deco, "attr", None)
        if name == "staticmethod":
            return True
    return False


def _functions(body: Iterable[ast.stmt], in_class: bool) -> Iterator[tuple[_Function, bool]]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, in_class and not _is_staticmethod(node)
            yield from _functions(node.body, False)
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node.body, True)
        else:
            for child_body in _child_bodies(node):
                yield from _functions(child_body, in_class)


def _child_bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _missing_annotations(fn: _Function, is_method: bool) -> list[str]:
    args = fn.args
    missing: list[str] = []
    for i, arg in enumerate([*args.posonlyargs, *args.args]):
        if i == 0 and is_method and arg.arg in ("self", "cls"):
            continue
        if arg.annotation is None:
            missing.append(arg.arg)
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append("*" + args.vararg.arg)
    missing += [arg.arg for arg in args.kwonlyargs if arg.annotation is None]
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append("**" + args.kwarg.arg)
    if fn.returns is None:
        missing.append("return")
    return missing


def _parse(text: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the standard library's own invalid escapes
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError):
            return None


def parses(text: str) -> bool:
    return _parse(text) is not None


def old_tg404(text: str) -> list[tuple[int, str]] | None:
    """(line, message) of each TG404 finding the ast walk gave for one file, sorted by
    line (the walk put a `try`'s handlers after its `else` and `finally`); None for a
    file that does not parse (the walk reported nothing in it)."""
    tree = _parse(text)
    if tree is None:
        return None
    out = []
    for fn, is_method in _functions(tree.body, False):
        missing = _missing_annotations(fn, is_method)
        if not missing:
            continue
        params = [m for m in missing if m != "return"]
        parts = []
        if params:
            parts.append("parameter" + "s" * (len(params) > 1) + " " + ", ".join(params))
        if "return" in missing:
            parts.append("the return type")
        out.append(
            (fn.lineno, f"`{fn.name}` is not fully annotated: missing {' and '.join(parts)}")
        )
    return sorted(out)

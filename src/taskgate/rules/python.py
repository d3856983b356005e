"""Python modules without a subprocess: annotated signatures (TG404), pyproject deps (TG405)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from taskgate.finding import Finding
from taskgate.rules.registry import check

if TYPE_CHECKING:
    import ast

    from taskgate.change import Change, FileChange
    from taskgate.policy import Policy
    from taskgate.workflow.structure import Module

    _Function = ast.FunctionDef | ast.AsyncFunctionDef

_DEPENDENCY_FILES = ("requirements*.txt", "setup.py", "setup.cfg")


def _python_module(change: Change, path: str) -> Module | None:
    if change.structure is None:
        return None
    module = change.structure.module_of(path)
    return module if module is not None and module.language == "python" else None


def _dependency_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatchcase(name, pattern) for pattern in _DEPENDENCY_FILES)


def _is_staticmethod(fn: _Function) -> bool:
    import ast

    for deco in fn.decorator_list:
        name = deco.id if isinstance(deco, ast.Name) else getattr(deco, "attr", None)
        if name == "staticmethod":
            return True
    return False


def _functions(body: Iterable[ast.stmt], in_class: bool) -> Iterator[tuple[_Function, bool]]:
    """Every function with whether it is a method (defined directly in a class body)."""
    import ast

    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, in_class and not _is_staticmethod(node)
            yield from _functions(node.body, False)
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node.body, True)
        else:
            # Functions inside if/try/with/for blocks, at any depth, keep their context.
            for child_body in _child_bodies(node):
                yield from _functions(child_body, in_class)


def _child_bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    import ast

    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def missing_annotations(fn: _Function, is_method: bool) -> list[str]:
    """Names of the unannotated parameters, plus "return" when the return type is missing."""
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


def _changed_python_files(change: Change) -> Iterator[FileChange]:
    for fc in change.files:
        if fc.deleted or fc.new is None or fc.new.is_symlink or fc.new.is_gitlink:
            continue
        if fc.path.endswith(".py") and _python_module(change, fc.path) is not None:
            yield fc


@check("TG404", stage="pre")
def check_annotations(change: Change, policy: Policy) -> Iterable[Finding]:
    """TG404: every function signature in a changed .py file of a Python module is annotated."""
    # ast only when a check runs: the family is imported by every hook, commit-msg included.
    import ast

    files = list(_changed_python_files(change))
    change.after.prefetch([fc.path for fc in files])  # one exchange, not a round trip each
    for fc in files:
        text = change.text_after(fc.path)
        if text is None:
            continue
        try:
            tree = ast.parse(text, filename=fc.path)
        except (SyntaxError, ValueError):
            continue  # not this rule's business: the gate's linter and tests will say so
        for fn, is_method in _functions(tree.body, False):
            missing = missing_annotations(fn, is_method)
            if not missing:
                continue
            params = [m for m in missing if m != "return"]
            parts = []
            if params:
                parts.append("parameter" + "s" * (len(params) > 1) + " " + ", ".join(params))
            if "return" in missing:
                parts.append("the return type")
            yield Finding(
                "TG404",
                f"`{fn.name}` is not fully annotated: missing {' and '.join(parts)}",
                path=fc.path,
                line=fn.lineno,
                hint="annotate every parameter and the return, e.g. "
                "`def add(a: int, b: int) -> int:` (`-> None` when nothing is returned)",
            )


@check("TG405", stage="pre")
def check_dependency_files(change: Change, policy: Policy) -> Iterable[Finding]:
    """TG405: dependencies live in the module's pyproject.toml, which must exist."""
    if change.structure is None:
        return
    for fc in change.files:
        if fc.status not in "ACR":
            continue
        module = _python_module(change, fc.path)
        name = fc.path.rsplit("/", 1)[-1]
        if module is None or not _dependency_file(name):
            continue
        if fc.status == "R" and module.owns(fc.old_path) and _dependency_file(fc.old_path):
            continue  # renamed within the module: it was there already
        yield Finding(
            "TG405",
            f"{name} added to module '{module.name}': dependencies are declared in "
            f"{module.path}/pyproject.toml",
            path=fc.path,
            hint=f"move them to [project] dependencies (or optional-dependencies) in "
            f"{module.path}/pyproject.toml and remove {name}",
        )
    for module in change.modules_touched():
        if module.language != "python" or _removed_whole(change, module):
            continue
        pyproject = f"{module.path}/pyproject.toml"
        if not change.after.exists([pyproject]):
            yield Finding(
                "TG405",
                f"module '{module.name}' has no pyproject.toml",
                path=module.path,
                hint=f"add {pyproject} with a [project] table listing the dependencies",
            )


def _removed_whole(change: Change, module: Module) -> bool:
    """The change only takes files out of the module (deleted, or renamed away), more
    than its pyproject.toml: the module is going away or moving (the module map still
    names it: it comes from the base)."""
    leaving = 0
    for fc in change.files:
        if not fc.deleted and module.owns(fc.path):
            return False  # something of the module stays or arrives: it needs the file
        gone = fc.deleted or fc.status == "R"
        if gone and module.owns(fc.old_path):
            leaving += fc.old_path != f"{module.path}/pyproject.toml"
    return leaving > 0

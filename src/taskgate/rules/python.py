"""Python modules without a subprocess: annotated signatures (TG404), pyproject deps (TG405)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from taskgate.finding import Finding
from taskgate.rules.registry import PRE_COMMIT_CHECK_CI, check, rule

if TYPE_CHECKING:
    from taskgate.change import Change, FileChange
    from taskgate.policy import Policy
    from taskgate.workflow.structure import Module

_DEPENDENCY_FILES = ("requirements*.txt", "setup.py", "setup.cfg")


def _python_module(change: Change, path: str) -> Module | None:
    if change.structure is None:
        return None
    module = change.structure.module_of(path)
    return module if module is not None and module.language == "python" else None


def _dependency_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatchcase(name, pattern) for pattern in _DEPENDENCY_FILES)


def _changed_python_files(change: Change) -> Iterator[FileChange]:
    for fc in change.files:
        if fc.deleted or fc.new is None or fc.new.is_symlink or fc.new.is_gitlink:
            continue
        if fc.path.endswith(".py") and _python_module(change, fc.path) is not None:
            yield fc


TG404 = rule(
    id="TG404",
    name="annotations",
    stages=PRE_COMMIT_CHECK_CI,
    summary="function signature not fully annotated",
    what=(
        "Every function a change adds or edits in a .py file of a Python module (every "
        "function of a new file) annotates every parameter and its return (self and cls "
        "excepted; lambdas excepted)."
    ),
    why=(
        "The agents' rules require type hints on all signatures; mypy does not check "
        "unannotated functions."
    ),
    example="def add(a, b):",
    fix="def add(a: int, b: int) -> int:",
)


@check(TG404)
def check_annotations(change: Change, policy: Policy) -> Iterable[Finding]:
    """TG404: every function signature in a changed .py file of a Python module is
    annotated: the whole file when it is new, the functions the change touches otherwise."""
    # Imported when a check runs: the family is imported by every hook, commit-msg included.
    from taskgate.rules.signatures import unannotated

    files = list(_changed_python_files(change))
    change.after.prefetch([fc.path for fc in files])  # one exchange, not a round trip each
    edited = [fc for fc in files if not fc.added]
    if edited:  # their added lines need the side before too
        from taskgate.rules.changedlines import prefetch

        prefetch(change, edited, "before")
    messages: dict[tuple[str, tuple[str, ...]], str] = {}  # many functions share one
    for fc in files:
        text = change.text_after(fc.path)
        if text is None:
            continue
        for fn in unannotated(text, _touched_lines(change, fc)):
            key = (fn.name, fn.missing)
            message = messages.get(key)
            if message is None:
                message = messages[key] = annotation_message(fn.name, fn.missing)
            yield Finding("TG404", message, fc.path, fn.line, _HINT)


_HINT = (
    "annotate every parameter and the return, e.g. `def add(a: int, b: int) -> int:` "
    "(`-> None` when nothing is returned)"
)


def annotation_message(name: str, missing: Iterable[str]) -> str:
    params = [m for m in missing if m != "return"]
    parts = []
    if params:
        parts.append("parameter" + "s" * (len(params) > 1) + " " + ", ".join(params))
    if "return" in missing:
        parts.append("the return type")
    return f"`{name}` is not fully annotated: missing {' and '.join(parts)}"


def _touched_lines(change: Change, fc: FileChange) -> frozenset[int] | None:
    """The lines an edit adds (None: the file is new, every function is judged)."""
    if fc.added:
        return None
    from taskgate.rules.changedlines import line_delta  # shared with TG604, memoised

    return line_delta(change, fc).added


TG405 = rule(
    id="TG405",
    name="pyproject-deps",
    stages=PRE_COMMIT_CHECK_CI,
    summary="dependency declared outside pyproject.toml, or module without pyproject.toml",
    what=(
        "requirements*.txt, setup.py or setup.cfg added to a Python module, or a Python "
        "module without pyproject.toml (a change that removes or moves the whole module "
        "is not one)."
    ),
    why="Dependencies declared in one place are dependencies that get installed.",
    example="services/api/requirements.txt",
    fix="Declare them in services/api/pyproject.toml.",
)


@check(TG405)
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

"""TG605: junk in the change, by everyone (SPEC §7).

Judged by path for what the change newly adds (a file already tracked is not
reported on every later edit), and by size for every added or modified file.
A junk folder is one finding, however many files it holds.
"""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.changedlines import after_path, before_path
from taskgate.rules.registry import PRE_COMMIT_CHECK_CI, check, rule

_JUNK_DIRS = {
    ".venv": "a virtual environment",
    "node_modules": "installed JavaScript packages",
    "__pycache__": "Python bytecode",
    ".mypy_cache": "a tool cache",
    ".pytest_cache": "a tool cache",
    ".ruff_cache": "a tool cache",
    ".tox": "tox environments",
    ".nox": "nox environments",
    ".ipynb_checkpoints": "notebook checkpoints",
}
# `venv/` is a virtual environment only when it looks like one: CPython's own
# Lib/venv/ package is source code.
_VENV_INSIDE = frozenset({"bin", "lib", "lib64", "Lib", "Scripts", "include", "Include", "share",
                          "pyvenv.cfg"})  # fmt: skip
_ENV_KEPT = frozenset({"example", "sample", "template", "dist", "defaults", "schema"})
_OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class Junk(NamedTuple):
    where: str  # the junk folder, or the file itself
    what: str


def junk_of(path: str) -> Junk | None:
    """What kind of junk `path` is, or None."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in _JUNK_DIRS:
            return Junk("/".join(parts[: i + 1]), _JUNK_DIRS[part])
        if part == "venv" and parts[i + 1] in _VENV_INSIDE:
            return Junk("/".join(parts[: i + 1]), "a virtual environment")
    name = parts[-1]
    if name == ".venv":
        # Whatever its type: a link or a submodule named .venv is where tools are looked up.
        return Junk(path, "a virtual environment (a tracked .venv of any kind)")
    if name.endswith((".pyc", ".pyo")):
        return Junk(path, "Python bytecode")
    if name == ".env" or (name.startswith(".env.") and name[5:].lower() not in _ENV_KEPT):
        return Junk(path, "an environment file (it usually holds secrets)")
    if name in _OS_LITTER:
        return Junk(path, "operating-system litter")
    if name.endswith((".swp", ".swo", "~")) or name.startswith(".#"):
        return Junk(path, "an editor swap or backup file")
    return None


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


TG605 = rule(
    id="TG605",
    name="junk",
    stages=PRE_COMMIT_CHECK_CI,
    summary="junk in the change: .venv/, node_modules/, __pycache__/, .env, big files",
    what=(
        "Virtual environments (a tracked `.venv` of any file type: folder, link, file, "
        "submodule), dependency folders, bytecode, .env files, OS and editor "
        "litter, and files over `[integrity] max_file_bytes`."
    ),
    why="They bloat every clone forever and often carry secrets.",
    example="git add services/api/.venv",
    fix="git rm -r --cached services/api/.venv; add it to .gitignore.",
)


@check(TG605)
def junk_added(change: Change, policy: Policy) -> Iterable[Finding]:
    """Virtual environments, caches, .env files, litter and oversized files (everyone)."""
    return list(junk_findings(change, policy))


def junk_findings(change: Change, policy: Policy) -> Iterator[Finding]:
    folders: dict[str, tuple[str, int]] = {}
    sizes = _sizes(change)
    for fc in change.files:
        path = after_path(fc)
        if path is None or fc.new is None:
            continue
        junk = junk_of(path)
        if fc.new.is_gitlink and (junk is None or junk.where != path):
            continue
        old = before_path(fc)
        if junk is not None and (old is None or junk_of(old) is None):
            if junk.where != path:
                what, count = folders.get(junk.where, (junk.what, 0))
                folders[junk.where] = (what, count + 1)
            else:
                yield _finding(path, f"adds {path}: {junk.what}", _remove_hint(path))
            continue
        if junk is None and not fc.new.is_symlink:
            yield from _size_finding(change, fc, path, old, policy.integrity.max_file_bytes, sizes)
    for folder, (what, count) in folders.items():
        files = f"{count} file{'s' * (count != 1)}"
        yield _finding(folder, f"adds {folder}/: {what} ({files})", _remove_hint(folder + "/"))


def _sizes(change: Change) -> dict[str, int]:
    """Blob sizes of the after side by id, without reading the blobs (when the side can)."""
    return change.after.blob_sizes(
        fc.new.oid for fc in change.files if fc.new is not None and not fc.new.is_gitlink
    )


def _size_finding(
    change: Change,
    fc: FileChange,
    path: str,
    old: str | None,
    limit: int,
    sizes: dict[str, int],
) -> Iterator[Finding]:
    size = sizes.get(fc.new.oid) if fc.new is not None else None
    if size is None:
        data = change.after.read(path)
        size = None if data is None else len(data)
    if size is None or size <= limit:
        return
    if old is not None and fc.old is not None and not fc.old.is_symlink:
        before = change.before.read(old)
        if before is not None and len(before) > limit:
            return  # it was already over the limit before this commit
    yield _finding(
        path,
        f"adds a file of {_size(size)}, over the limit of {_size(limit)}",
        "keep large files out of git (an artifact store, Git LFS); the lead sets "
        "[integrity] max_file_bytes",
    )


def _remove_hint(path: str) -> str:
    return f"git rm -r --cached -- '{path}' and add it to .gitignore"


def _finding(path: str, message: str, hint: str) -> Finding:
    return Finding("TG605", message, path=path, hint=hint)

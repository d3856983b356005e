"""Where the gate may not take its tools from: the content it is about to judge.

A coder who can commit `services/api/.venv -> tools` with scripts named `ruff`,
`mypy` and `pytest` that exit 0 would otherwise choose the gate's verdict. Two
guards:

- local hooks (`pre-commit`, `commit-msg`, `check`): an executable found under a
  path the change itself adds or changes (the path as looked up, or where its
  symlinks lead) is passed over;
- server-side checks (`ci`, pre-push): an executable whose path, or any folder or
  link on the way to it, is tracked in the tree being checked is passed over, and
  so is a `.venv` folder of which the tree holds anything. A tool a CI job
  installed itself (untracked) is used as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taskgate.change import Change
    from taskgate.git import Repo

Refuse = Callable[[str], bool]


def _inside(path: str, root: str) -> str | None:
    """`path` relative to `root`, or None when it lies outside."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return None
    if rel == "." or rel.startswith(".." + os.sep) or rel == ".." or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def _prefixes(rel: str) -> list[str]:
    parts = rel.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _candidates(path: str, root: str) -> list[str]:
    """Repository-relative paths `path` passes through: as written and as resolved."""
    out: list[str] = []
    for form in (os.path.abspath(path), os.path.realpath(path)):
        rel = _inside(form, root)
        if rel is not None:
            out += _prefixes(rel)
    # Every link on the way, resolved one step at a time, lands somewhere too.
    return list(dict.fromkeys(out))


def local_guard(root: Path | None, change: Change) -> Refuse:
    """Refuse an executable under a path this change adds or changes."""
    if root is None:
        return lambda _path: False
    touched = {fc.path for fc in change.files if fc.new is not None}
    real_root = os.path.realpath(root)

    def refuse(path: str) -> bool:
        for base in dict.fromkeys((str(root), real_root)):
            if any(rel in touched for rel in _candidates(path, base)):
                return True
        return False

    return refuse


def server_guard(repo: Repo, root: Path | None, rev: str) -> Refuse:
    """Refuse an executable whose path (or a link on the way) is tracked in `rev`."""
    if root is None:
        return lambda _path: False
    real_root = os.path.realpath(root)
    memo: dict[str, bool] = {}

    def tracked(paths: Iterable[str]) -> set[str]:
        wanted = [p for p in paths if p not in memo]
        if wanted:
            out = repo.git.run("--literal-pathspecs", "ls-tree", "-z", "--full-tree", rev, "--",
                               *wanted)  # fmt: skip
            found: set[str] = set()
            for record in out.split(b"\0"):
                meta, _, raw = record.partition(b"\t")
                if raw and meta.split(b" ")[1:2] != [b"tree"]:
                    found.add(raw.decode("utf-8", "surrogateescape"))
            for p in wanted:
                memo[p] = p in found
        return {p for p in paths if memo[p]}

    def refuse(path: str) -> bool:
        rels: list[str] = []
        for base in dict.fromkeys((str(root), real_root)):
            rels += _candidates(path, base)
        return bool(rels) and bool(tracked(dict.fromkeys(rels)))

    return refuse


def venv_tracked(repo: Repo, rev: str, folders: Iterable[str]) -> set[str]:
    """The `.venv` folders of which the tree `rev` holds anything (a link, a file in it)."""
    wanted = [f for f in folders if f]
    if not wanted:
        return set()
    out = repo.git.run("--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only",
                       "--full-tree", rev, "--", *wanted)  # fmt: skip
    names = [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]
    return {f for f in wanted if any(n == f or n.startswith(f + "/") for n in names)}

"""Changes built in memory for unit tests of the pure rules (no repository)."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from taskgate.change import Actor, Change, FileChange, PlainSide, Role, Stage
from taskgate.finding import Finding
from taskgate.git import Entry, Hints, parse_patch
from taskgate.policy import IntegrityPolicy, Policy
from taskgate.workflow.structure import Module, Structure

PYTHON = Module("python", "services/api", "python-coder", "python")
WEB = Module("web", "web", "frontend-coder")
STRUCTURE = Structure({"python": PYTHON, "web": WEB})
CODER = Actor(Role.CODER, PYTHON)
LEAD = Actor(Role.LEAD)

Content = str | bytes

# Set on this module by tests/integrity/conftest.py: build changes with git's added and
# removed lines attached (as a hook's staged change has them), so every rule test also
# runs that way.
WITH_GIT_LINES = False


class MemorySide(PlainSide):
    """One side of a change held in a dict: path → bytes."""

    def __init__(self, files: Mapping[str, Content]) -> None:
        self.files = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def exists(self, paths: Iterable[str]) -> set[str]:
        return {p for p in paths if p in self.files}


def _entry(path: str, data: bytes, mode: str) -> Entry:
    return Entry(path, mode, hashlib.sha1(data).hexdigest())  # noqa: S324 (an object id)


def make_change(
    before: Mapping[str, Content],
    after: Mapping[str, Content],
    *,
    actor: Actor | None = CODER,
    renames: Mapping[str, str] | None = None,
    symlinks: Iterable[str] = (),
    is_merge: bool = False,
) -> Change:
    """A change from `before` to `after`; `renames` maps old → new paths (status R)."""
    b, a = MemorySide(before), MemorySide(after)
    links = set(symlinks)
    files: list[FileChange] = []
    renamed = dict(renames or {})

    def mode(path: str) -> str:
        return "120000" if path in links else "100644"

    for old, new in renamed.items():
        files.append(
            FileChange(
                "R", new, old, _entry(old, b.files[old], mode(old)),
                _entry(new, a.files[new], mode(new)),
            )
        )  # fmt: skip
    moved = set(renamed) | set(renamed.values())
    for path in sorted((set(b.files) | set(a.files)) - moved):
        old_data, new_data = b.files.get(path), a.files.get(path)
        if old_data == new_data:
            continue
        old = _entry(path, old_data, mode(path)) if old_data is not None else None
        new = _entry(path, new_data, mode(path)) if new_data is not None else None
        status = "A" if old is None else "D" if new is None else "M"
        files.append(FileChange(status, path, path, old, new))
    return Change(
        files=tuple(files),
        before=b,
        after=a,
        stage=Stage.CI,
        structure=STRUCTURE,
        actor=actor,
        is_merge=is_merge,
        hints=git_lines(files, b, a) if WITH_GIT_LINES else None,
    )


def git_lines(files: Iterable[FileChange], before: MemorySide, after: MemorySide) -> Hints:
    """git's own lines for every file on both sides: `git diff --no-index` of the two
    contents, keyed by this change's entry ids (made with sha1 of the bare content)."""
    hints: Hints = {}
    with tempfile.TemporaryDirectory(prefix="taskgate-test-") as tmp:
        for fc in files:
            if fc.old is None or fc.new is None:
                continue
            old, new = Path(tmp, "old"), Path(tmp, "new")
            old.write_bytes(before.files[fc.old_path])
            new.write_bytes(after.files[fc.path])
            patch = subprocess.run(
                ["git", "diff", "--no-index", "-p", "-U0", "--full-index", "--no-color",
                 "--no-ext-diff", "--", str(old), str(new)],
                capture_output=True, check=False,
            ).stdout  # fmt: skip
            for hint in parse_patch(patch).values():
                hints[(fc.old.oid, fc.new.oid)] = hint
    return hints


def policy(max_file_bytes: int = 1024 * 1024, allow: Iterable[str] = ()) -> Policy:
    return Policy(integrity=IntegrityPolicy(max_file_bytes, frozenset(allow)))


Check = Callable[[Change, Policy], Iterable[Finding]]


def run(
    fn: Check, change: Change, pol: Policy | None = None
) -> list[tuple[str, str | None, int | None]]:
    """(rule, path, line) of every finding, in order."""
    return [(f.rule, f.path, f.line) for f in fn(change, pol or policy())]

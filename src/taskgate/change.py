"""Change: everything the rules may look at, whatever git state it was built from.

Built by `taskgate.builders` from the staged index (hooks, `check`) or from one
commit (`ci`, pre-push, pre-receive). Rules never know which, and never run git:
file contents come through the two `Side` readers, which the builders back with
one `git cat-file --batch` process.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from taskgate.git import Entry, Hints
from taskgate.message import CommitMessage
from taskgate.workflow.structure import Module, Structure


class Stage(StrEnum):
    """Where a check runs: the hook stages, or a re-check of history."""

    PRE_COMMIT = "pre-commit"
    COMMIT_MSG = "commit-msg"
    CHECK = "check"
    CI = "ci"


class Role(StrEnum):
    CODER = "coder"
    LEAD = "lead"
    REVIEWER = "reviewer"


class Actor(NamedTuple):
    """Who makes the commit: the coder of one module, the reviewer, or the lead."""

    role: Role
    module: Module | None = None
    claimed_by: str = "scope"  # "scope" or "TASKGATE_AGENT"

    @property
    def name(self) -> str:
        if self.module is not None:
            return f"coder of '{self.module.name}'"
        return self.role.value


class Side(Protocol):
    """One side of a change (before or after): read files by path."""

    def read(self, path: str) -> bytes | None:
        """The file's content, or None when absent on this side."""
        ...

    def exists(self, paths: Iterable[str]) -> set[str]:
        """The subset of `paths` present (as files) on this side."""
        ...


class EmptySide:
    """The side before a repository's first commit."""

    def read(self, path: str) -> bytes | None:
        return None

    def exists(self, paths: Iterable[str]) -> set[str]:
        return set()


class FileChange(NamedTuple):
    """One changed path. For renames and copies `old_path` differs from `path`."""

    status: str  # A added, M modified, D deleted, R renamed, C copied, T type changed
    path: str
    old_path: str
    old: Entry | None
    new: Entry | None

    @property
    def paths(self) -> tuple[str, ...]:
        """Both sides: a rename counts where it comes from and where it goes."""
        if self.status in "RC" and self.old_path != self.path:
            # A copy leaves its source untouched; only the destination is changed.
            return (self.old_path, self.path) if self.status == "R" else (self.path,)
        return (self.path,)

    @property
    def added(self) -> bool:
        return self.status in "AC" or (self.status == "R" and self.old is None)

    @property
    def deleted(self) -> bool:
        return self.status == "D"


class Change:
    """What one commit (or the staged index) does, plus who does it and why."""

    def __init__(
        self,
        *,
        files: tuple[FileChange, ...],
        before: Side,
        after: Side,
        stage: Stage,
        structure: Structure | None = None,
        message: CommitMessage | None = None,
        actor: Actor | None = None,
        agent_claim: str | None = None,
        is_merge: bool = False,
        commit: str | None = None,
        hints: Hints | Callable[[], Hints | None] | None = None,
        merge_content: bool = False,
    ) -> None:
        self.files = files
        self.before = before
        self.after = after
        self.stage = stage
        self.structure = structure
        self.message = message
        self.actor = actor
        self.agent_claim = agent_claim
        self.is_merge = is_merge
        self.commit = commit
        # A merge whose `files` are its own content (its tree against git's automatic merge
        # of its parents, see taskgate.merges): every rule judges it like any commit.
        self.merge_content = merge_content
        # git's added and removed lines of modified files, when a hook had git compute them
        # (a callable: collected on first use, so a commit no rule reads them for never waits).
        self._hints = hints
        self._memo: dict[str, Any] = {}

    @property
    def unjudged_merge(self) -> bool:
        """A merge seen against its first parent only: its files are other commits' work."""
        return self.is_merge and not self.merge_content

    @property
    def hints(self) -> Hints | None:
        if callable(self._hints):
            self._hints = self._hints()
        return self._hints

    def __iter__(self) -> Iterator[FileChange]:
        return iter(self.files)

    def touched_paths(self) -> list[str]:
        """Every path the change touches, both sides of renames, in order, once."""
        seen: dict[str, None] = {}
        for fc in self.files:
            for p in fc.paths:
                seen.setdefault(p, None)
        return list(seen)

    def file(self, path: str) -> FileChange | None:
        for fc in self.files:
            if path in (fc.path, fc.old_path):
                return fc
        return None

    def text_before(self, path: str) -> str | None:
        return _text(self.before.read(path))

    def text_after(self, path: str) -> str | None:
        return _text(self.after.read(path))

    def memo(self, key: str, compute: Any) -> Any:
        """Compute once per change (boards, plans, ASTs shared between rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def modules_touched(self) -> list[Module]:
        if self.structure is None:
            return []
        found: dict[str, Module] = {}
        for path in self.touched_paths():
            module = self.structure.module_of(path)
            if module is not None:
                found.setdefault(module.name, module)
        return list(found.values())


def _text(data: bytes | None) -> str | None:
    if data is None or b"\0" in data[:8000]:
        return None
    return data.decode("utf-8", "replace")

"""Change: everything the rules may look at, whatever git state it was built from.

Built by `taskgate.builders` from the staged index (hooks, `check`) or from one
commit (`ci`, pre-push, pre-receive). Rules never know which, and never run git:
file contents come through the two `Side`s, which the builders back with one
`git cat-file --batch` process. Rules read them through `change.reader(side)`
(`taskgate.reading`): text, JSON, the board and syntax trees parsed once per change.
What the entry points and builders add for the rules is in typed attributes: the
identity verdict, whether git keeps an empty message, the validated-blob cache.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, NamedTuple, Protocol, TypeVar, cast

from taskgate.git import Entry, Hints
from taskgate.message import CommitMessage
from taskgate.reading import SideReader
from taskgate.workflow.blobcache import ValidatedBlobs
from taskgate.workflow.structure import Module, Structure

if TYPE_CHECKING:
    from taskgate.identity.verdict import Verdict

T = TypeVar("T")


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
    """One side of a change (before or after): files by path, as git stores them."""

    def read(self, path: str) -> bytes | None:
        """The file's content, or None when absent on this side."""
        ...

    def exists(self, paths: Iterable[str]) -> set[str]:
        """The subset of `paths` present (as files) on this side."""
        ...

    def prefetch(self, paths: Iterable[str]) -> None:
        """Fetch many files at once, so that `read` then answers from memory."""
        ...

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Sizes of blobs by id, without reading them (those the side can tell)."""
        ...

    def entry(self, path: str) -> Entry | None:
        """The entry at `path` (its mode tells a symlink), or None (absent, or unknown)."""
        ...

    def entries(self, paths: Sequence[str]) -> dict[str, Entry] | None:
        """Every entry under `paths` (folders or files); None when the side cannot list."""
        ...


class PlainSide:
    """What a side with no object store behind it can tell: nothing to fetch ahead, no
    sizes without reading, no entries. A side held in memory adds `read` and `exists`."""

    def prefetch(self, paths: Iterable[str]) -> None:
        return None

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        return {}

    def entry(self, path: str) -> Entry | None:
        return None

    def entries(self, paths: Sequence[str]) -> dict[str, Entry] | None:
        return None


class EmptySide(PlainSide):
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


class Derived(Generic[T]):
    """The typed name of a value rules derive from a change and share (a line delta, a
    parsed configuration file): `Change.derived` keeps one value per key and `about`.
    Keys are compared by identity, so two rule families never fill each other's slot."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"Derived({self.what!r})"


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
        verdict: "Verdict | None" = None,
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
        # Signed mode (SPEC §10.4): what the builder proved about the actor; None: claimed.
        self.verdict = verdict
        # Set by the commit-msg hook: git keeps an empty message (--allow-empty-message).
        self.stores_empty_message = False
        # Workflow-file blobs already validated (by blob id). The workflow checks consult it
        # and add what they validate; the entry points load it before and save it after.
        self.validated_blobs = ValidatedBlobs()
        self._readers: dict[str, SideReader] = {}
        self._derived: dict[tuple[Derived[object], tuple[str, ...]], object] = {}

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

    def reader(self, side: str) -> SideReader:
        """The side "before" or "after", read through the change's cache of parsed files."""
        raw = self.after if side == "after" else self.before
        found = self._readers.get(side)
        if found is None or found.side is not raw:
            found = self._readers[side] = SideReader(raw)
        return found

    def text_before(self, path: str) -> str | None:
        return self.reader("before").text(path)

    def text_after(self, path: str) -> str | None:
        return self.reader("after").text(path)

    def derived(self, key: Derived[T], compute: Callable[[], T], *about: str) -> T:
        """`compute()` once per change for `key` and `about` (what it is about: paths)."""
        slot = (cast(Derived[object], key), about)
        if slot not in self._derived:
            self._derived[slot] = compute()
        return cast(T, self._derived[slot])

    def modules_touched(self) -> list[Module]:
        if self.structure is None:
            return []
        found: dict[str, Module] = {}
        for path in self.touched_paths():
            module = self.structure.module_of(path)
            if module is not None:
                found.setdefault(module.name, module)
        return list(found.values())

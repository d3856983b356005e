"""The lines a change adds and removes, read from the two sides of each file.

What the integrity rules (TG601–TG605) and the contract rule (TG501) share: the
text, bytes and syntax tree of a file on one side, read once per change and
prefetched in one exchange where the side can; the added and removed lines by
multiset; and picking the new occurrences of a thing (a skip marker, a
suppression) so what was already there before the commit is never reported again.
"""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from taskgate.change import Change, Derived, FileChange, Role
from taskgate.git import NO_LINES, LineHint
from taskgate.reading import PYTHON_SUFFIXES, recoded

if TYPE_CHECKING:
    import ast


def coder_commit(change: Change) -> bool:
    """A commit by the coder of a module (not a merge: its parts are checked one by one)."""
    return (
        change.actor is not None and change.actor.role is Role.CODER and not change.unjudged_merge
    )


def before_path(fc: FileChange) -> str | None:
    """The path of this file on the before side, or None when it is new.

    A copy is new content: comparing it with its source would hide what it adds.
    """
    if fc.old is None or fc.status in "AC":
        return None
    return fc.old_path


def after_path(fc: FileChange) -> str | None:
    return None if fc.new is None or fc.deleted else fc.path


def side_text(change: Change, fc: FileChange, side: str) -> str | None:
    """The file's text on one side ("before" or "after"); None for binaries,
    symlinks, submodules and absent files. Read once per change."""
    path = before_path(fc) if side == "before" else after_path(fc)
    entry = fc.old if side == "before" else fc.new
    if path is None or entry is None or entry.is_symlink or entry.is_gitlink:
        return None
    return change.reader(side).text(path)


def prefetch(change: Change, files: Iterable[FileChange], side: str) -> None:
    """Read these files of one side in one pipelined exchange, when the side can (the
    git-backed sides can): a round trip per file would cost more than the rules."""
    reader = change.before if side == "before" else change.after
    pick = before_path if side == "before" else after_path
    paths = [p for fc in files if (p := pick(fc)) is not None]
    if paths:
        reader.prefetch(paths)


def line_hint(change: Change, fc: FileChange) -> LineHint | None:
    """git's added and removed lines of a file present on both sides, when the change
    has them (a hook's staged change); None: the rule reads the file to find out.
    Only ever a reason to skip a file (see taskgate.git.patch), never to report one."""
    if fc.old is None or fc.new is None or before_path(fc) is None or after_path(fc) is None:
        return None  # a new file (or a copy) is all new: there is nothing to narrow
    if fc.old.oid == fc.new.oid:
        return NO_LINES
    # Asked only now: a change of new files alone never waits for git's patch.
    hints = change.hints
    hint = hints.get((fc.old.oid, fc.new.oid)) if hints is not None else None
    if hint is not None and _recoded(fc.path, hint):
        return None  # git's lines are UTF-8; Python reads this file with another codec
    return hint


def _recoded(path: str, hint: LineHint) -> bool:
    """A Python file whose change touches a coding declaration (or a BOM): its lines as
    git shows them are not the text Python runs (taskgate.pytext), so they prove nothing."""
    if not path.endswith(PYTHON_SUFFIXES):
        return False
    return any("coding" in line or "\ufeff" in line for line in (*hint.added, *hint.removed))


def side_bytes(change: Change, fc: FileChange, side: str) -> bytes:
    """The file's raw content on one side (empty for absent files, symlinks, submodules),
    for first looks that need no decoding."""
    path = before_path(fc) if side == "before" else after_path(fc)
    entry = fc.old if side == "before" else fc.new
    if path is None or entry is None or entry.is_symlink or entry.is_gitlink:
        return b""
    reader = change.before if side == "before" else change.after
    raw = reader.read(path) or b""
    if raw and recoded(path, raw):
        # A Python file with a BOM or a coding declaration: what Python reads, so a first
        # look cannot be dodged by a codec (`# coding: utf-7`); see taskgate.pytext.
        text = change.reader(side).text(path)
        return raw if text is None else text.encode("utf-8", "surrogatepass")
    return raw


class LineDelta(NamedTuple):
    """Which lines of the after side are new, and which lines of the before side went."""

    added: frozenset[int]  # 1-based line numbers on the after side
    removed: Counter[str]  # stripped text of the lines gone from the before side
    lines: tuple[tuple[int, str], ...]  # the added lines: (number, text), in order


_LINE_DELTA: Derived[LineDelta] = Derived("line delta")


def line_delta(change: Change, fc: FileChange) -> LineDelta:
    """Added and removed lines by multiset: a line counts as kept while the before
    side still has an unmatched copy of it (fast and order-free, unlike difflib).
    The common head and tail are set aside first, by string comparison, so only the
    region the commit touched is walked line by line."""

    def compute() -> LineDelta:
        before = side_text(change, fc, "before") or ""
        after = side_text(change, fc, "after") or ""
        if not before or not after:
            new = after.split("\n") if after else []
            gone = Counter(t for t in (line.strip() for line in before.split("\n")) if t)
            return LineDelta(frozenset(range(1, len(new) + 1)), gone, tuple(enumerate(new, 1)))
        # Whole lines of the common prefix and of the common suffix are the same on both
        # sides; only the middle is split and walked.
        start = before.rfind("\n", 0, _common_head(before, after)) + 1
        skip = before.count("\n", 0, start)
        rest_b, rest_a = before[start:], after[start:]
        same = _common_tail(rest_b, rest_a)
        cut = rest_b[len(rest_b) - same :].find("\n")  # the tail's whole lines follow it
        old = rest_b[: len(rest_b) - same + cut] if cut >= 0 else rest_b
        new_text = rest_a[: len(rest_a) - same + cut] if cut >= 0 else rest_a
        counts = Counter(old.split("\n"))
        lines = []
        for number, line in enumerate(new_text.split("\n"), start=skip + 1):
            if counts[line] > 0:
                counts[line] -= 1
            else:
                lines.append((number, line))
        removed = Counter[str]()
        for line, n in counts.items():
            if n > 0 and line.strip():
                removed[line.strip()] += n
        return LineDelta(frozenset(n for n, _ in lines), removed, tuple(lines))

    return change.derived(_LINE_DELTA, compute, fc.old_path, fc.path)


def _common_head(x: str, y: str) -> int:
    """Length of the longest common prefix, by halving (each test a C-speed comparison)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[:mid] == y[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_tail(x: str, y: str) -> int:
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[len(x) - mid :] == y[len(y) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


_ADDED_TEXT: Derived[str] = Derived("added text")


def added_text(change: Change, fc: FileChange) -> str:
    """The after side's added lines joined by newlines (all of it for a new file): where
    anything a rule reports as new must show up, so what the cheap looks are run on."""

    def compute() -> str:
        after = side_text(change, fc, "after")
        if after is None:
            return ""
        if side_text(change, fc, "before") is None:
            return after
        return "\n".join(text for _, text in line_delta(change, fc).lines)

    return change.derived(_ADDED_TEXT, compute, fc.old_path, fc.path)


_REMOVED_POOL: Derived[Counter[str]] = Derived("removed lines")


def removed_pool(change: Change) -> Counter[str]:
    """Every line removed anywhere in the change (stripped): a line added in one file
    and removed from another moved, it is not new. A fresh copy callers may consume."""

    def compute() -> Counter[str]:
        pool = Counter[str]()
        for fc in change.files:
            if before_path(fc) is None:
                continue  # a new file (or a copy) removes no line
            pool.update(line_delta(change, fc).removed)
        return pool

    return change.derived(_REMOVED_POOL, compute).copy()


class Occurrence(NamedTuple):
    """One thing a rule counts (a skip marker, a suppression) at a line of one side."""

    kind: str
    line: int


def pick_new(
    before: Sequence[Occurrence], after: Sequence[Occurrence], added: frozenset[int]
) -> list[Occurrence]:
    """The occurrences of `after` that the commit adds: per kind, as many as the count
    grew by, preferring those on added lines (an existing marker is never reported)."""
    had = Counter(o.kind for o in before)
    by_kind: dict[str, list[Occurrence]] = {}
    for o in after:
        by_kind.setdefault(o.kind, []).append(o)
    out: list[Occurrence] = []
    for kind, found in by_kind.items():
        grew = len(found) - had[kind]
        if grew <= 0:
            continue
        fresh = [o for o in found if o.line in added]
        stale = [o for o in found if o.line not in added]
        out.extend((fresh + stale[::-1])[:grew])
    return sorted(out, key=lambda o: o.line)


def drop_moved(
    occurrences: Iterable[Occurrence], lines: Sequence[str], pool: Counter[str]
) -> list[Occurrence]:
    """Drop occurrences whose line was removed elsewhere in the change (moved code);
    `pool` is consumed so one removed line excuses one added line."""
    out = []
    for o in occurrences:
        text = lines[o.line - 1].strip() if 0 < o.line <= len(lines) else ""
        if text and pool[text] > 0:
            pool[text] -= 1
            continue
        out.append(o)
    return out


def line_of(text: str, needles: Sequence[str], prefer: frozenset[int]) -> int | None:
    """The first line containing a needle, preferring added lines; None when none does."""
    first: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if any(n and n in line for n in needles):
            if number in prefer:
                return number
            if first is None:
                first = number
    return first


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def parsed(change: Change, fc: FileChange, side: str) -> "ast.Module | None":
    """The file's syntax tree on one side, parsed once per change; None when unparsable."""
    path = before_path(fc) if side == "before" else after_path(fc)
    if path is None or side_text(change, fc, side) is None:
        return None  # absent, binary, a symlink or a submodule
    return change.reader(side).ast(path)

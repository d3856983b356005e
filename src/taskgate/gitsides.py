"""The sides of a change as git holds them: the staged index and a commit's tree.

Both read through the repository's one `cat-file` process, by blob id where the diff
gave one; a path git could not hold (`../x`, '') is simply absent.
"""

# No `from __future__ import annotations` here: on the hook's path (see taskgate.git).

from collections.abc import Iterable, Mapping, Sequence

from taskgate.change import FileChange
from taskgate.git import Entry, RawDiff, Repo, is_null_oid
from taskgate.repopath import is_tracked_form


class IndexSide:
    """The staged side: the index git is about to commit (GIT_INDEX_FILE honoured)."""

    def __init__(self, repo: Repo, staged: dict[str, str | None] | None = None) -> None:
        self._repo = repo
        # The change's own paths (blob id, or None: gone from the index), known from the diff:
        # read by id, cat-file need not load a 50,000-entry index to resolve ":0:path".
        self._staged = staged or {}

    def read(self, path: str) -> bytes | None:
        if not is_tracked_form(path):
            return None
        if path in self._staged:
            oid = self._staged[path]
            return self._repo.objects.read(oid, "blob") if oid else None
        if "\n" in path:
            entry = self._repo.index_entries([path]).get(path)
            return self._repo.objects.read(entry.oid, "blob") if entry else None
        return self._repo.objects.read(f":0:{path}", "blob")

    def prefetch(self, paths: Iterable[str]) -> None:
        """Fetch many files in one pipelined exchange; `read` then answers from memory."""
        names = [
            self._staged.get(p) or f":0:{p}"
            for p in paths
            if is_tracked_form(p) and "\n" not in p and self._staged.get(p, "") is not None
        ]
        self._repo.objects.read_many(names, kind="blob")

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Blob sizes by id without reading the blobs."""
        return self._repo.objects.sizes(oids)

    def entry(self, path: str) -> Entry | None:
        """The staged entry at `path` (its mode tells a symlink), or None."""
        if not is_tracked_form(path):
            return None
        return self._repo.index_entries([path]).get(path)

    def entries(self, paths: Sequence[str]) -> dict[str, Entry]:
        """The staged entries under `paths` (`ls-files`: GIT_INDEX_FILE is honoured)."""
        return self._repo.index_entries(paths)

    def exists(self, paths: Iterable[str]) -> set[str]:
        wanted = [p for p in paths if is_tracked_form(p)]
        found = {p for p in wanted if self._staged.get(p)}
        rest = [p for p in wanted if p not in self._staged]
        if rest:
            # Through the open cat-file process first (no `ls-files` to start: the
            # pre-commit hook asks for a module's pyproject.toml on every commit); what it
            # does not show as a blob (a gitlink, an odd name, an absent path) asks ls-files.
            names = {f":0:{p}": p for p in rest if "\n" not in p}
            read = self._repo.objects.read_many(list(names), kind="blob")
            found |= {names[n] for n, data in read.items() if data is not None}
            unsure = [p for p in rest if p not in found]
            if unsure:
                found |= set(self._repo.index_entries(unsure)) & set(unsure)
        return found


def staged_entries(files: Iterable[FileChange]) -> dict[str, str | None]:
    """Path → staged blob id (None: removed) for the paths a staged change touches."""
    out: dict[str, str | None] = {}
    changes = list(files)
    for fc in changes:
        if fc.status == "R":
            out[fc.old_path] = None
        if fc.new is None:
            out[fc.path] = None
    for fc in changes:
        # Gitlinks are not blobs: they keep the ":0:path" / ls-files route.
        if fc.new is not None and not fc.new.is_gitlink:
            # An unmerged path has no stage-0 entry (diff-index shows a null id): absent.
            out[fc.path] = None if is_null_oid(fc.new.oid) else fc.new.oid
    return out


class TreeSide:
    """A commit's side: files as they are in that commit's tree."""

    def __init__(self, repo: Repo, rev: str, known: Mapping[str, str] | None = None) -> None:
        self._repo = repo
        self.rev = rev
        # Blob ids the diff already gave (path -> id): read by id, which `ci` prefetches.
        self._known = known or {}

    def read(self, path: str) -> bytes | None:
        oid = self._known.get(path)
        if oid is not None:
            return self._repo.objects.read(oid, "blob")
        if not is_tracked_form(path):
            return None
        if "\n" in path:
            entry = self._repo.tree_entries(self.rev, [path]).get(path)
            return self._repo.objects.read(entry.oid, "blob") if entry else None
        return self._repo.objects.read(f"{self.rev}:{path}", "blob")

    def prefetch(self, paths: Iterable[str]) -> None:
        """Fetch many files in one pipelined exchange; `read` then answers from memory."""
        names = []
        for p in paths:
            oid = self._known.get(p)
            if oid is not None:
                names.append(oid)
            elif is_tracked_form(p) and "\n" not in p:
                names.append(f"{self.rev}:{p}")
        self._repo.objects.read_many(names, kind="blob")

    def blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Blob sizes by id without reading the blobs."""
        return self._repo.objects.sizes(oids)

    def entry(self, path: str) -> Entry | None:
        """The tree entry at `path` (its mode tells a symlink), or None."""
        if not is_tracked_form(path):
            return None
        return self._repo.tree_entries(self.rev, [path]).get(path)

    def entries(self, paths: Sequence[str]) -> dict[str, Entry]:
        """The commit's entries under `paths` (`ls-tree`)."""
        return self._repo.tree_entries(self.rev, paths)

    def exists(self, paths: Iterable[str]) -> set[str]:
        wanted = [p for p in paths if is_tracked_form(p)]
        # `rev:path` through the open cat-file process: ls-tree would be a process per
        # commit when `ci` checks thousands of them; a name with "\n" cannot go that way.
        odd = [p for p in wanted if "\n" in p]
        names = {f"{self.rev}:{p}": p for p in wanted if "\n" not in p}
        found = self._repo.objects.read_many(list(names), kind="blob")
        out = {names[n] for n, data in found.items() if data is not None}
        if odd:
            out |= set(self._repo.tree_entries(self.rev, odd)) & set(odd)
        return out


def new_blobs(diff: Iterable[RawDiff]) -> dict[str, str]:
    """path -> blob id of every file a diff leaves in place (gitlinks are not blobs)."""
    return {d.new_path: d.new_oid for d in diff if d.status != "D" and d.new_mode != "160000"}


def old_blobs(diff: Iterable[RawDiff]) -> dict[str, str]:
    """path -> blob id of every file a diff starts from."""
    return {d.old_path: d.old_oid for d in diff if d.status != "A" and d.old_mode != "160000"}


def file_changes(diff: Iterable[RawDiff]) -> tuple[FileChange, ...]:
    out = []
    for d in diff:
        old = None if d.status == "A" else Entry(d.old_path, d.old_mode, d.old_oid)
        new = None if d.status == "D" else Entry(d.new_path, d.new_mode, d.new_oid)
        out.append(FileChange(d.status, d.new_path, d.old_path, old, new))
    return tuple(out)

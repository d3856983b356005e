"""What git's plumbing prints, parsed (entries of `ls-files`/`ls-tree`, commits, raw diffs
of `diff-* --raw -z --no-abbrev`), and one `cat-file --batch` process that reads objects."""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

import subprocess
from collections.abc import Iterable, Sequence
from typing import IO, NamedTuple

from taskgate.errors import GitError
from taskgate.git.process import Git

ZERO_OID_CHARS = frozenset("0")


def is_null_oid(oid: str) -> bool:
    return bool(oid) and set(oid) <= ZERO_OID_CHARS


class Entry(NamedTuple):
    """One path on one side of a change: its mode and object id."""

    path: str
    mode: str
    oid: str

    @property
    def is_symlink(self) -> bool:
        return self.mode == "120000"

    @property
    def is_gitlink(self) -> bool:
        return self.mode == "160000"


class CommitInfo(NamedTuple):
    """A commit read from `cat-file --batch`."""

    sha: str
    parents: tuple[str, ...]
    tree: str
    message: bytes
    raw: bytes = b""  # the whole object, as signed commits need it (taskgate.identity)

    @property
    def subject(self) -> str:
        first = self.message.split(b"\n", 1)[0]
        return first.decode("utf-8", "replace").strip()


class CatFile:
    """A persistent `git cat-file --batch`: one process reads any number of objects."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._proc: subprocess.Popen[bytes] | None = None
        self._cache: dict[str, tuple[str, bytes] | None] = {}
        self._ids: dict[str, str] = {}
        self._asked: list[str] = []  # sent by `send`, answers not read yet

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._proc is None:
            self._proc = self._git.popen("cat-file", "--batch")
        if self._proc.stdin is None or self._proc.stdout is None:
            raise GitError("git cat-file could not be started with pipes")
        return self._proc.stdin, self._proc.stdout

    def start(self) -> None:
        """Start the process now (it is otherwise started by the first read)."""
        self._pipes()

    def send(self, names: Sequence[str]) -> None:
        """Ask for objects now and read the answers when first needed: git looks them up
        while Python does something else (the agent's guard imports the rules)."""
        wanted = [n for n in dict.fromkeys(names) if n not in self._cache and "\n" not in n]
        wanted = [n for n in wanted if n not in self._asked]
        if wanted:
            stdin, _ = self._pipes()
            stdin.write(b"".join(n.encode("utf-8", "surrogateescape") + b"\n" for n in wanted))
            stdin.flush()
            self._asked.extend(wanted)

    def _receive(self, stdout: IO[bytes]) -> None:
        """Read the answers `send` asked for, in order, before any new question."""
        for name in self._asked:
            self._cache[name] = self._answer(name, stdout)
        self._asked.clear()

    def read(self, name: str, kind: str | None = None) -> bytes | None:
        """Object content by id or `rev:path`; None when missing (or not of `kind`)."""
        if "\n" in name:
            raise GitError(f"object name with a newline cannot be read: {name!r}")
        if name not in self._cache:
            stdin, stdout = self._pipes()
            self._receive(stdout)
            if name not in self._cache:
                stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
                stdin.flush()
                self._cache[name] = self._answer(name, stdout)
        found = self._cache[name]
        if found is None or (kind is not None and found[0] != kind):
            return None
        return found[1]

    def object_id(self, name: str, kind: str) -> str | None:
        """The id `name` resolves to when it is an object of `kind` (via the same process)."""
        self.read(name)
        return self._ids.get(name) if (self._cache.get(name) or ("",))[0] == kind else None

    def _answer(self, name: str, stdout: IO[bytes]) -> tuple[str, bytes] | None:
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file ended unexpectedly")
        parts = header.split()
        if len(parts) != 3:
            return None  # "<name> missing" or "<name> ambiguous"
        self._ids[name] = parts[0].decode()
        size = int(parts[2])
        return parts[1].decode(), stdout.read(size + 1)[:size]

    def read_many(self, names: Sequence[str], kind: str | None = None) -> dict[str, bytes | None]:
        """Pipelined reads: a chunk of requests is written before its answers are read."""
        if self._asked and any(n not in self._cache for n in names):
            self._receive(self._pipes()[1])
        wanted = [n for n in dict.fromkeys(names) if n not in self._cache]
        if wanted:
            stdin, stdout = self._pipes()
            # Small chunks: writing everything first could fill both pipes and deadlock.
            for start in range(0, len(wanted), 128):
                chunk = wanted[start : start + 128]
                stdin.write(b"".join(n.encode("utf-8", "surrogateescape") + b"\n" for n in chunk))
                stdin.flush()
                for name in chunk:
                    self._cache[name] = self._answer(name, stdout)
        out: dict[str, bytes | None] = {}
        for n in names:
            found = self._cache[n]
            out[n] = None if found is None or (kind and found[0] != kind) else found[1]
        return out

    def sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """Object sizes by id: from memory, or one `cat-file --batch-check` for the rest
        (it inflates only each object's header)."""
        out: dict[str, int] = {}
        ask: list[str] = []
        for oid in dict.fromkeys(oids):
            found = self._cache.get(oid)
            if found is not None:
                out[oid] = len(found[1])
            elif oid not in self._cache and "\n" not in oid:
                ask.append(oid)
        if ask:
            lines = self._git.run(
                "cat-file", "--batch-check", stdin="".join(o + "\n" for o in ask).encode()
            )
            for line in lines.decode("utf-8", "replace").split("\n"):
                parts = line.split(" ")
                if len(parts) == 3 and parts[2].isdigit():
                    out[parts[0]] = int(parts[2])
        return out

    def clear(self) -> None:
        """Forget every answer read so far: a long history check keeps memory to one batch."""
        if self._asked and self._proc is not None:
            self._receive(self._pipes()[1])
        self._cache.clear()
        self._ids.clear()

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc.wait()
            self._proc = None
            self._asked.clear()


def parse_ls(data: bytes, *, tree: bool) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for record in data.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        path = raw_path.decode("utf-8", "surrogateescape")
        parts = meta.decode().split()
        if tree:
            mode, _type, oid = parts
        else:
            mode, oid, stage = parts
            if stage != "0":
                continue
        out[path] = Entry(path, mode, oid)
    return out


def parse_commit(sha: str, raw: bytes) -> CommitInfo:
    header, _, message = raw.partition(b"\n\n")
    parents: list[str] = []
    tree = ""
    for line in header.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
    return CommitInfo(sha, tuple(parents), tree, message, raw)


# --- raw diffs -----------------------------------------------------------------


class RawDiff(NamedTuple):
    """One line of `git diff --raw -z`: status letter plus both sides."""

    status: str  # A, M, D, R, C, T, U (score dropped)
    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    old_path: str
    new_path: str


# What the index changes against a commit: rename and copy detection, submodules shown.
STAGED_DIFF = ("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "-C",
               "--ignore-submodules=none")  # fmt: skip

# A hook asks for the raw diff and the patch in one process (one comparison of the index
# with HEAD, which on a 50,000-file index is most of git's work): the raw records come
# first, then the patch, whose added and removed lines the rules take their first looks
# in (see taskgate.git.patch). No context, full blob ids to key each file by, no content
# for deletions, nothing from the user's diff settings.
STAGED_DIFF_AND_PATCH = (*STAGED_DIFF, "-p", "-U0", "--full-index", "--irreversible-delete",
                         "--submodule=short", "--no-color", "--no-ext-diff",
                         "--no-textconv")  # fmt: skip
# Where the raw records end and the patch begins: an empty field, then the first header.
PATCH_START = b"\0\0diff --git "


def parse_raw_diff(data: bytes) -> list[RawDiff]:
    """Parse `git diff-* --raw -z --no-abbrev` output."""
    out: list[RawDiff] = []
    fields = data.split(b"\0")
    i = 0
    while i < len(fields):
        head = fields[i]
        if not head.startswith(b":"):
            i += 1
            continue
        old_mode, new_mode, old_oid, new_oid, status = head[1:].decode().split(" ")
        letter = status[0]
        if letter in "RC":
            old_path = fields[i + 1].decode("utf-8", "surrogateescape")
            new_path = fields[i + 2].decode("utf-8", "surrogateescape")
            i += 3
        else:
            old_path = new_path = fields[i + 1].decode("utf-8", "surrogateescape")
            i += 2
        out.append(RawDiff(letter, old_mode, new_mode, old_oid, new_oid, old_path, new_path))
    return out

"""Every git call taskgate makes: plumbing only, NUL-separated, never a shell string.

This is also the one place that knows which environment variables git sets for
hooks and scrubs them from child processes that are not git reading this
repository.
"""

# No `from __future__ import annotations` here: NamedTuple turns string annotations
# into ForwardRefs and compiles each one at import (~0.2 ms a field on the hook's path).

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, NamedTuple

from taskgate.errors import GitError, GitMissing

ZERO_OID_CHARS = frozenset("0")

# Every git process taskgate starts reads objects as they are: a pushed or local
# `refs/replace/*` ref must never make git show a good commit in place of a bad one.
GIT = ("git",)
NO_REPLACE = "GIT_NO_REPLACE_OBJECTS"


def git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git process taskgate starts: replace objects off."""
    out = dict(os.environ if env is None else env)
    out[NO_REPLACE] = "1"
    return out


# `git merge-tree --write-tree` (a merge's automatic result, judged against its tree).
MIN_GIT_FOR_MERGES = (2, 38)

# Variables a child process may keep; everything else named GIT_* is what git
# exports to hooks (GIT_INDEX_FILE, GIT_DIR, GIT_WORK_TREE, GIT_PREFIX, ...).
# A leaked GIT_INDEX_FILE makes a test's own `git add` write into the commit
# being made (see pre-commit's no_git_env for the same lesson).
_KEEP_GIT_VARS = frozenset(
    {
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_ALLOW_PROTOCOL",
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
    }
)


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must not see the hook's repository state."""
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if (
            name.startswith("GIT_")
            and name not in _KEEP_GIT_VARS
            and not name.startswith("GIT_CONFIG_KEY_")
        ):
            if name.startswith(("GIT_CONFIG_VALUE_", "GIT_CONFIG_COUNT")):
                continue
            del env[name]
    return env


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


class RawDiff(NamedTuple):
    """One line of `git diff --raw -z`: status letter plus both sides."""

    status: str  # A, M, D, R, C, T, U (score dropped)
    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    old_path: str
    new_path: str


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


# What the index changes against a commit: rename and copy detection, submodules shown.
_STAGED_DIFF = ("diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "-C",
                "--ignore-submodules=none")  # fmt: skip

# A hook asks for the raw diff and the patch in one process (one comparison of the index
# with HEAD, which on a 50,000-file index is most of git's work): the raw records come
# first, then the patch, whose added and removed lines the rules take their first looks
# in (see taskgate.linehints). No context, full blob ids to key each file by, no content
# for deletions, nothing from the user's diff settings.
_STAGED_DIFF_AND_PATCH = (*_STAGED_DIFF, "-p", "-U0", "--full-index", "--irreversible-delete",
                          "--submodule=short", "--no-color", "--no-ext-diff",
                          "--no-textconv")  # fmt: skip
# Where the raw records end and the patch begins: an empty field, then the first header.
_PATCH_START = b"\0\0diff --git "


class Git:
    """Runs git in one directory; raises GitError with git's own words on failure."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        ok_codes: Sequence[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> bytes:
        try:
            proc = subprocess.run(
                [*GIT, *args],
                cwd=self.cwd,
                input=stdin,
                capture_output=True,
                check=False,
                env=git_env(env),
            )
        except FileNotFoundError as exc:
            # Popen says FileNotFoundError for a missing cwd as well as a missing git.
            if not self.cwd.is_dir():
                raise GitError(f"no such directory: {self.cwd}") from exc
            raise GitMissing("git is not installed or not on PATH; install git") from exc
        except NotADirectoryError as exc:
            raise GitError(f"not a directory: {self.cwd}") from exc
        if proc.returncode not in ok_codes:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {args[0]} failed: {err or f'exit {proc.returncode}'}")
        return proc.stdout

    def start(self, *args: str) -> "subprocess.Popen[bytes] | None":
        """Start git with its output piped, to be collected later; None if it cannot start."""
        try:
            return subprocess.Popen(
                [*GIT, *args],
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
        except OSError:
            return None  # run() will say why when the answer is needed

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                [*GIT, *args],
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=git_env(),
            )
        except FileNotFoundError as exc:
            raise GitMissing("git is not installed or not on PATH; install git") from exc


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


def _parse_ls(data: bytes, *, tree: bool) -> dict[str, Entry]:
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


class Repo:
    """A git repository as taskgate sees it: where it is and how to read it."""

    def __init__(
        self,
        cwd: Path | None = None,
        *,
        hook: bool = False,
        layout: tuple[str, str, str] | None = None,
    ) -> None:
        """`hook`: start the processes a commit hook needs at once. `layout`: the top
        level, git directory and common directory, already known (no rev-parse)."""
        start = Path.cwd() if cwd is None else cwd
        self.git = Git(start)
        plain = _plain_top_level(start) if hook and cwd is None else None
        if layout is not None:
            top, git_dir, common_dir = layout
            shallow = str(os.path.exists(os.path.join(common_dir, "shallow"))).lower()
            answers = ["false", git_dir, common_dir, shallow, top, ""]
        elif plain is not None:
            # git runs hooks in the top level; there, an ordinary .git needs no rev-parse.
            shallow = str((plain / "shallow").exists()).lower()
            answers = ["false", str(plain), str(plain), shallow, str(start), ""]
        else:
            # One rev-parse answers everything; --show-toplevel fails in a bare repository.
            asks = ("--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
                    "--is-shallow-repository")  # fmt: skip
            try:
                out = self.git.run("rev-parse", *asks, "--show-toplevel")
            except GitError:
                out = self.git.run("rev-parse", *asks)
            answers = out.decode("utf-8", "surrogateescape").split("\n")
        bare, git_dir, common_dir, shallow = answers[:4]
        self.bare = bare == "true"
        self.git_dir = Path(git_dir)
        common = Path(common_dir)
        self.common_dir = common if common.is_absolute() else (start / common).resolve()
        self.shallow = shallow == "true"
        self.root = self.git_dir if self.bare or len(answers) < 6 else Path(answers[4])
        # Paths in plumbing output and pathspecs are relative to the top level.
        self.git = Git(self.root)
        self.objects = CatFile(self.git)
        self._config: dict[str, str] | None = None
        self._started: dict[str, subprocess.Popen[bytes] | None] = {}
        self._patch_head = b""
        if hook:
            self._start_hook_processes()
        self._head: str | None = None
        self._head_known = False

    def close(self) -> None:
        self.objects.close()
        for proc in self._started.values():
            if proc is not None:
                proc.kill()
                proc.communicate()
        self._started.clear()

    def _start_hook_processes(self) -> None:
        """Start the three git processes every commit hook needs (config, objects, staged
        diff), so that git works while Python imports the rules; collected when asked."""
        self._started["config"] = self.git.start("config", "-z", "--list")
        if not amend_in_progress():
            # HEAD is the base unless amending; on an unborn branch this one just fails.
            self._started["diff HEAD"] = self.git.start(*_STAGED_DIFF_AND_PATCH, "HEAD")
        try:
            self.objects.start()
        except BaseException:
            self.close()  # the constructor fails: nobody else will reap the others
            raise

    def start_config(self) -> None:
        """Start `git config --list` now (it works while Python does something else);
        `config` collects its answer when first asked."""
        if self._config is None and "config" not in self._started:
            self._started["config"] = self.git.start("config", "-z", "--list")

    def _collect(self, key: str) -> bytes | None:
        """The output of a process started early, or None (not started, or it failed)."""
        proc = self._started.pop(key, None)
        if proc is None:
            return None
        out, _ = proc.communicate()
        return out if proc.returncode == 0 else None

    def __enter__(self) -> "Repo":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- configuration -------------------------------------------------
    def config(self, key: str) -> str | None:
        """A config value (last one wins, as git does); keys compare case-insensitively."""
        if self._config is None:
            raw = self._collect("config")
            if raw is None:
                raw = self.git.run("config", "-z", "--list", ok_codes=(0, 1))
            conf: dict[str, str] = {}
            for item in raw.split(b"\0"):
                if not item:
                    continue
                k, _, v = item.decode("utf-8", "replace").partition("\n")
                conf[k.lower()] = v
            self._config = conf
        return self._config.get(key.lower())

    # --- refs and objects ----------------------------------------------
    def head(self) -> str | None:
        """HEAD's commit id, or None on an unborn branch (first commit)."""
        if not self._head_known:
            self._head = self.objects.object_id("HEAD", "commit")
            self._head_known = True
        return self._head

    def resolve(self, rev: str) -> str | None:
        out = self.git.run("rev-parse", "-q", "--verify", f"{rev}^{{commit}}", ok_codes=(0, 1))
        return out.decode().strip() or None

    def empty_tree(self) -> str:
        return self.git.run("hash-object", "-t", "tree", "--stdin", stdin=b"").decode().strip()

    def read_commits(self, shas: Sequence[str]) -> list[CommitInfo]:
        raw = self.objects.read_many(shas, kind="commit")
        out = []
        for sha in shas:
            data = raw[sha]
            if data is None:
                raise GitError(f"commit {sha} is missing from the repository")
            out.append(parse_commit(sha, data))
        return out

    # --- sides of a change ---------------------------------------------
    def index_entries(self, paths: Iterable[str] | None = None) -> dict[str, Entry]:
        """Stage-0 index entries (honours GIT_INDEX_FILE, as git commit -a needs)."""
        args = ["--literal-pathspecs", "ls-files", "-s", "-z", "--full-name"]
        if paths is None:
            return _parse_ls(self.git.run(*args), tree=False)
        out: dict[str, Entry] = {}
        plist = list(paths)
        for start in range(0, len(plist), 500):
            chunk = plist[start : start + 500]
            out.update(_parse_ls(self.git.run(*args, "--", *chunk), tree=False))
        return out

    def tree_entries(self, treeish: str, paths: Iterable[str] | None = None) -> dict[str, Entry]:
        args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", treeish]
        if paths is None:
            return _parse_ls(self.git.run(*args), tree=True)
        out: dict[str, Entry] = {}
        plist = list(paths)
        for start in range(0, len(plist), 500):
            chunk = plist[start : start + 500]
            out.update(_parse_ls(self.git.run(*args, "--", *chunk), tree=True))
        return out

    def staged_diff(self, base: str | None) -> list[RawDiff]:
        """What the index changes relative to `base` (a commit, or None for no HEAD)."""
        if base is not None and base == self.head():
            early = self._raw_part("diff HEAD")
            if early is not None:
                return parse_raw_diff(early)
        against = base if base is not None else self.empty_tree()
        return parse_raw_diff(self.git.run(*_STAGED_DIFF, against))

    def _raw_part(self, key: str) -> bytes | None:
        """The raw records of an early raw-and-patch process, read as soon as they are out;
        the process stays, as "patch", for `staged_patch` to read the rest."""
        proc = self._started.pop(key, None)
        if proc is None or proc.stdout is None:
            return None
        data = bytearray()  # grows in place: a raw diff of 100,000 files is megabytes
        fd = proc.stdout.fileno()  # unbuffered reads: `communicate` later gets the rest
        while True:
            chunk = os.read(fd, 1 << 16)
            data += chunk
            # The boundary may straddle two reads: look from just before this one.
            cut = data.find(_PATCH_START, max(0, len(data) - len(chunk) - len(_PATCH_START)))
            if cut >= 0:
                self._started["patch"] = proc
                self._patch_head = bytes(data[cut + 2 :])
                return bytes(data[: cut + 1])
            if not chunk:  # the end, and no patch: no change, or git failed
                proc.communicate()
                return bytes(data) if proc.returncode == 0 else None

    def staged_patch(self) -> bytes | None:
        """The rest of a hook's early raw-and-patch process: the patch of the staged change
        (None when there is none, or git failed: the rules then read the files)."""
        proc = self._started.pop("patch", None)
        if proc is None:
            return None
        rest, _ = proc.communicate()
        return self._patch_head + rest if proc.returncode == 0 else None

    def commit_diff(self, parent: str | None, commit: str) -> list[RawDiff]:
        against = parent if parent is not None else self.empty_tree()
        out = self.git.run(
            "diff-tree", "-r", "-z", "--raw", "--no-abbrev", "-M", "-C", against, commit
        )
        return parse_raw_diff(out)

    def commit_diffs(self, pairs: Sequence[tuple[str | None, str]]) -> list[list[RawDiff]]:
        """Many `(parent, commit)` diffs from one `diff-tree --stdin` process."""
        if not pairs:
            return []
        # diff-tree --stdin reads "<commit> <parent>"; a lone commit with --root is a root diff.
        lines = b"".join((f"{c} {p}" if p else c).encode() + b"\n" for p, c in pairs)
        return self._diffs_stdin(lines, pairs)

    def tree_diffs(self, pairs: Sequence[tuple[str, str]]) -> list[list[RawDiff]]:
        """Many `(old tree, new tree)` diffs (tree ids) from one `diff-tree --stdin` process."""
        if not pairs:
            return []
        # Two trees on a line: the first is the old side (unlike "<commit> <parent>").
        lines = b"".join(f"{old} {new}".encode() + b"\n" for old, new in pairs)
        return self._diffs_stdin(lines, list(pairs))

    def _diffs_stdin(
        self, lines: bytes, pairs: Sequence[tuple[str | None, str]]
    ) -> list[list[RawDiff]]:
        out = self.git.run(
            "diff-tree", "--stdin", "--root", "--always", "-r", "-z", "--raw", "--no-abbrev",
            "-M", "-C", stdin=lines,
        )  # fmt: skip
        # Each answer starts with the id of the commit it answers (--always: even when empty);
        # walk the fields in order so a path that looks like an id is never taken for one.
        fields = out.split(b"\0")
        by_commit: list[list[bytes]] = []
        i = 0
        while i < len(fields):
            field = fields[i]
            if field[:1] == b":" and by_commit:
                width = 3 if field.split(b" ")[-1][:1] in (b"R", b"C") else 2
                by_commit[-1].extend(fields[i : i + width])
                i += width
                continue
            if field:
                by_commit.append([])
            i += 1
        if len(by_commit) != len(pairs):
            # Never guess an alignment: fall back to one process per commit.
            return [self.commit_diff(p, c) for p, c in pairs]
        return [parse_raw_diff(b"\0".join(fields)) for fields in by_commit]

    def version(self) -> tuple[int, ...]:
        """git's version as numbers, e.g. (2, 39, 5)."""
        out = self.git.run("version").decode("utf-8", "replace").split()
        numbers = []
        for part in (out[2] if len(out) > 2 else "").split("."):
            if not part.isdigit():
                break
            numbers.append(int(part))
        return tuple(numbers)

    def require_merge_tree(self) -> None:
        """Exit 2 on a git too old to compute a merge's automatic result."""
        found = self.version()
        if found < MIN_GIT_FOR_MERGES:
            need = ".".join(map(str, MIN_GIT_FOR_MERGES))
            have = ".".join(map(str, found)) or "unknown"
            raise GitError(
                f"git {have} is too old: taskgate needs git >= {need} to judge merge commits "
                "(`git merge-tree --write-tree`); upgrade git"
            )

    def merge_trees(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, bool]]:
        """git's automatic merge of each `(first, second)` pair: (tree id, clean?).

        A conflicted merge still yields a tree (with conflict markers): what a merge commit
        holds beyond it is its resolution. Several merge-tree processes run at once.
        """
        if not pairs:
            return []
        self.require_merge_tree()
        args = ("merge-tree", "--write-tree", "--no-messages", "--allow-unrelated-histories")
        out: list[tuple[str, bool]] = []
        width = 8
        for start in range(0, len(pairs), width):
            procs = []
            for first, second in pairs[start : start + width]:
                procs.append(
                    subprocess.Popen(
                        [*GIT, *args, first, second],
                        cwd=self.root,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=git_env(),
                    )
                )
            for proc in procs:
                stdout, stderr = proc.communicate()
                tree = stdout.split(b"\n", 1)[0].decode().strip()
                if proc.returncode not in (0, 1) or len(tree) < 40:
                    err = stderr.decode("utf-8", "replace").strip()
                    raise GitError(f"git merge-tree failed: {err or f'exit {proc.returncode}'}")
                out.append((tree, proc.returncode == 0))
        return out

    def rev_list(self, *args: str) -> list[str]:
        out = self.git.run("rev-list", *args)
        return out.decode().split()

    def export_entries(self, entries: Iterable[Entry], dest: Path, index_file: Path) -> None:
        """Write `entries` under `dest` through a private index file; the real index is untouched.

        `checkout-index --prefix` exports what an index holds; a private index built from the
        listing makes the export exactly what was listed, for a staged index and a commit alike.
        """
        env = {**os.environ, "GIT_INDEX_FILE": str(index_file)}
        records = b"".join(
            f"{e.mode} {e.oid}\t".encode() + e.path.encode("utf-8", "surrogateescape") + b"\0"
            for e in entries
        )
        # No hooks: a post-index-change hook must not run for an index the user never sees.
        no_hooks = ("-c", "core.hooksPath=/dev/null")
        self.git.run(*no_hooks, "update-index", "-z", "--index-info", stdin=records, env=env)
        self.git.run(*no_hooks, "checkout-index", "-a", f"--prefix={dest}/", env=env)

    # --- state files -----------------------------------------------------
    def merge_in_progress(self) -> bool:
        return (self.git_dir / "MERGE_HEAD").exists()

    def hooks_dir(self) -> Path:
        out = self.git.run("rev-parse", "--git-path", "hooks").decode().strip()
        path = Path(out)
        return path if path.is_absolute() else (self.root / path)


def _plain_top_level(start: Path) -> Path | None:
    """`start/.git` when `start` is the top level of an ordinary repository, else None.

    A hook saves a git process this way (rev-parse), but only where git's discovery
    has one answer: no GIT_DIR/GIT_WORK_TREE (git sets GIT_DIR for the hooks of linked
    worktrees), a `.git` directory (not the file of a worktree or submodule) with a
    HEAD, and a config with no core.worktree, core.bare or include (those can move
    the top level). Anything else asks rev-parse.
    """
    if any(v in os.environ for v in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")):
        return None
    git_dir = start / ".git"
    try:
        config = (git_dir / "config").read_bytes()
    except OSError:
        return None
    squeezed = config.lower().replace(b" ", b"").replace(b"\t", b"")
    if b"worktree" in squeezed or b"bare=true" in squeezed or b"[include" in squeezed:
        return None
    if not (git_dir / "HEAD").is_file() or (git_dir / "commondir").exists():
        return None
    return git_dir


def amend_in_progress() -> bool:
    """True when the git process that runs the hook is `git commit --amend`.

    git does not tell pre-commit or commit-msg that the commit is an amend; the command
    line of the git process does (Linux /proc; elsewhere assume not). That process is
    found by its executable (/proc/PID/exe), not by its argv[0], which `exec -a` can set
    to anything; an alias (`git fix` for `commit --amend`) is expanded, and `--amend` may
    be abbreviated as git allows (`--am`, `--amen`). The prepare-commit-msg hook is the
    first signal (taskgate.amend); this is the fallback, and pre-commit's only one.
    """
    return _commit_option("--amend", 4)


def allow_empty_message_in_progress() -> bool:
    """True when the git process that runs the hook is `git commit --allow-empty-message`
    (which stores an empty message instead of aborting), read as `amend_in_progress` is."""
    return _commit_option("--allow-empty-message", len("--allow-empty") + 1)


def _commit_option(option: str, shortest: int) -> bool:
    """Whether the git process running the hook is a `git commit` given `option`."""
    pid = os.getppid()
    for _ in range(6):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0")]
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            exe = args[0] if args else ""
        names = {Path(exe).name, Path(args[0]).name if args else ""}
        if names & {"git", "git.exe"}:
            return _commit_has(args[1:], option, shortest)
        # ppid is field 4 of /proc/PID/stat, after the parenthesised command name.
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            return False
        if pid <= 1:
            return False
    return False


_NOT_ALIASES = frozenset({"merge", "pull", "rebase", "cherry-pick", "revert", "am", "stash",
                          "push", "notes", "tag", "checkout", "switch"})  # fmt: skip


def _commit_has(args: list[str], option: str, shortest: int) -> bool:
    """Whether git's arguments (after `git`) are a `commit` given `option` (or a prefix of
    it of at least `shortest` characters, as git accepts), through one alias."""
    rest = list(args)
    aliases: dict[str, str] = {}
    while rest and rest[0].startswith("-"):
        opt = rest.pop(0)
        if opt == "-c" and rest:
            key, _, value = rest.pop(0).partition("=")
            if key.lower().startswith("alias."):
                aliases[key[6:].lower()] = value
        elif opt in ("-C", "--git-dir", "--work-tree", "--namespace") and rest:
            rest.pop(0)
    if not rest:
        return False
    command, tail = rest[0], rest[1:]
    if command in _NOT_ALIASES:
        return False  # git's own commands cannot be aliased: no config to read
    if command != "commit":
        expansion = aliases.get(command.lower()) or _alias(command)
        if not expansion or expansion.startswith("!"):
            return False
        words = expansion.split()
        if not words or words[0] != "commit":
            return False
        tail = words[1:] + tail
    for arg in tail:
        if arg == "--":
            break
        if len(arg) >= shortest and option.startswith(arg):
            return True
    return False


def _alias(name: str) -> str | None:
    """`git config alias.<name>`, read without the repository's hook environment."""
    if not name or name.startswith("-") or "\n" in name:
        return None
    try:
        out = subprocess.run(
            [*GIT, "config", "--get", f"alias.{name}"],
            capture_output=True,
            check=False,
            env=git_env(),
        )
    except OSError:
        return None
    return out.stdout.decode("utf-8", "replace").strip() or None

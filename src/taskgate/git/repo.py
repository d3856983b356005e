"""A repository as taskgate sees it: where it is, how to read it, and the processes a
commit hook starts early so that git works while Python imports the rules."""

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from taskgate.errors import GitError
from taskgate.git.objects import (
    PATCH_START,
    STAGED_DIFF,
    STAGED_DIFF_AND_PATCH,
    CatFile,
    CommitInfo,
    Entry,
    RawDiff,
    parse_commit,
    parse_ls,
    parse_raw_diff,
)
from taskgate.git.process import GIT, Git, amend_in_progress, git_env

# `git merge-tree --write-tree` (a merge's automatic result, judged against its tree).
MIN_GIT_FOR_MERGES = (2, 38)


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
            # One rev-parse answers everything. --show-toplevel fails (exit 128) where there
            # is no work tree (a bare repository, the git folder), after the four answers
            # before it are written: those are the whole answer there.
            asks = ("--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
                    "--is-shallow-repository")  # fmt: skip
            out = self.git.run("rev-parse", *asks, "--show-toplevel", ok_codes=(0, 128))
            answers = out.decode("utf-8", "surrogateescape").split("\n")
            if len(answers) < 5 or answers[0] not in ("true", "false"):
                # Not a repository at all (or an unreadable one): git's own error.
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
            self._started["diff HEAD"] = self.git.start(*STAGED_DIFF_AND_PATCH, "HEAD")
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
        """The commit `rev` names (or peels to); None when it names none. Asked of the
        persistent `cat-file --batch` (the process that reads the commits next), not a
        `rev-parse` process of its own, unless the name cannot travel on one line."""
        if rev and rev.isprintable() and rev.strip() == rev:
            return self.objects.object_id(f"{rev}^{{commit}}", "commit")
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
        return self._ls(["ls-files", "-s", "-z", "--full-name"], paths, tree=False)

    def tree_entries(self, treeish: str, paths: Iterable[str] | None = None) -> dict[str, Entry]:
        return self._ls(["ls-tree", "-r", "-z", "--full-tree", treeish], paths, tree=True)

    def _ls(self, args: list[str], paths: Iterable[str] | None, *, tree: bool) -> dict[str, Entry]:
        args = ["--literal-pathspecs", *args]
        if paths is None:
            return parse_ls(self.git.run(*args), tree=tree)
        out: dict[str, Entry] = {}
        plist = list(paths)
        for start in range(0, len(plist), 500):  # a command line of bounded length
            chunk = plist[start : start + 500]
            out.update(parse_ls(self.git.run(*args, "--", *chunk), tree=tree))
        return out

    def staged_diff(self, base: str | None) -> list[RawDiff]:
        """What the index changes relative to `base` (a commit, or None for no HEAD)."""
        if base is not None and base == self.head():
            early = self._raw_part("diff HEAD")
            if early is not None:
                return parse_raw_diff(early)
        against = base if base is not None else self.empty_tree()
        return parse_raw_diff(self.git.run(*STAGED_DIFF, against))

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
            cut = data.find(PATCH_START, max(0, len(data) - len(chunk) - len(PATCH_START)))
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

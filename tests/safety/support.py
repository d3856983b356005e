"""Helpers for the data-safety suite: the repository's state, byte for byte, and gate policies."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from tests.conftest import GitRepo

SNAPSHOT_PREFIX = "taskgate-"  # the gate's snapshot folders (and nothing else of ours)


class RepoState(NamedTuple):
    """Everything taskgate must never change: tree, index, status, refs, git's state files."""

    worktree: dict[str, tuple[str, bytes]]
    index: bytes
    ls_files: str
    status: str
    refs: str
    head: str
    git_files: dict[str, bytes]


def _git(repo: GitRepo, *args: str) -> str:
    # --no-optional-locks: our own `git status` must not refresh (rewrite) the index.
    return repo.git("--no-optional-locks", *args).stdout


def git_dir(repo: GitRepo) -> Path:
    return Path(repo.git("rev-parse", "--absolute-git-dir").stdout.strip())


def capture(repo: GitRepo, *, skip_hooks: bool = False) -> RepoState:
    worktree: dict[str, tuple[str, bytes]] = {}
    for folder, dirs, files in os.walk(repo.path):
        if Path(folder) == repo.path:
            dirs[:] = [d for d in dirs if d != ".git"]
            files = [f for f in files if f != ".git"]
        for name in [*files, *[d for d in dirs if os.path.islink(os.path.join(folder, d))]]:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, repo.path)
            if os.path.islink(path):
                worktree[rel] = ("link", os.readlink(path).encode())
            else:
                mode = "x" if os.access(path, os.X_OK) else "f"
                worktree[rel] = (mode, Path(path).read_bytes())
    gdir = git_dir(repo)
    git_files = {
        p.name: p.read_bytes() for p in gdir.iterdir() if p.is_file() and p.name != "index"
    }
    if not skip_hooks:
        hooks = gdir / "hooks"
        for p in sorted(hooks.iterdir()) if hooks.is_dir() else []:
            git_files[f"hooks/{p.name}"] = p.read_bytes() if p.is_file() else b"<dir>"
    index = gdir / "index"
    head = repo.git("rev-parse", "-q", "--verify", "HEAD", check=False).stdout
    head += repo.git("symbolic-ref", "-q", "HEAD", check=False).stdout
    return RepoState(
        worktree=worktree,
        index=index.read_bytes() if index.exists() else b"",
        ls_files=_git(repo, "ls-files", "-s", "--debug"),
        status=_git(repo, "status", "--porcelain=v2", "-z", "--untracked-files=all", "--branch"),
        refs=_git(repo, "for-each-ref", "--format=%(refname) %(objectname) %(symref)"),
        head=head,
        git_files=git_files,
    )


def settle(repo: GitRepo) -> None:
    """Refresh the index once, so that nothing but taskgate could change it afterwards."""
    repo.git("update-index", "-q", "--really-refresh", check=False)


def assert_same(before: RepoState, after: RepoState) -> None:
    for field in RepoState._fields:
        assert getattr(before, field) == getattr(after, field), f"{field} changed"


# --- gate policies that leave evidence of where they ran ---------------------------


def recorder(marker: Path, *, exit_code: int = 0, sleep: float = 0.0) -> str:
    """A gate command that appends its cwd and pid to `marker`, then sleeps and exits."""
    code = (
        "import os, sys, time; "
        "f = open(sys.argv[1], 'a'); f.write(f'{os.getcwd()} {os.getpid()}\\n'); f.close(); "
        f"time.sleep({sleep}); sys.exit({exit_code})"
    )
    return f"python -c {shlex.quote(code)} {shlex.quote(str(marker))}"


def gate_policy(command: str, *, timeout: float | None = None) -> str:
    extra = f"timeout = {timeout}\n" if timeout is not None else ""
    return f"[gate.modules.web]\ncommands = [{json.dumps(command)}]\n{extra}"


def use_policy(repo: GitRepo, policy: str) -> None:
    repo.write("taskgate.toml", policy)
    repo.git("add", "taskgate.toml")
    repo.commit_no_hooks("chore(lead): policy")


def recorded(marker: Path) -> list[tuple[Path, int]]:
    if not marker.exists():
        return []
    out = []
    for line in marker.read_text().splitlines():
        cwd, pid = line.rsplit(" ", 1)
        out.append((Path(cwd), int(pid)))
    return out


def snapshot_base(cwd: Path) -> Path:
    """The snapshot folder a gate command ran in (the `taskgate-*` ancestor of its cwd)."""
    for parent in [cwd, *cwd.parents]:
        if parent.name.startswith(SNAPSHOT_PREFIX):
            return parent
    raise AssertionError(f"{cwd} is not inside a taskgate snapshot")


def process_gone(pid: int) -> bool:
    """True when `pid` no longer runs (absent, or a zombie waiting for its reaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def start_taskgate(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """taskgate in its own session, as a terminal's foreground job would be."""
    return subprocess.Popen(
        [sys.executable, "-m", "taskgate", *args], cwd=cwd, env={**os.environ, **env},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip

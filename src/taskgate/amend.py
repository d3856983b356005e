"""Is this commit an amend? git tells the prepare-commit-msg hook; /proc is the fallback.

git does not tell pre-commit or commit-msg that `git commit --amend` is running. It does
pass prepare-commit-msg `<file> commit <name>` when the message comes from a commit (an
amend: the name `HEAD`; also `-c`/`-C` with any name of HEAD, judged the same way, the
stricter one). That
hook runs between pre-commit and commit-msg, in the same git process, so it leaves a
note keyed by that process's id for commit-msg to read. The command line of the git
process under /proc (`--amend`) is the fallback, and the only signal pre-commit has;
`exec -a othername git commit --amend` hides that one, not the hook's arguments.

Where the two disagree, the older base wins: an amend is judged against HEAD's parent,
so whatever HEAD already changed is judged again with it.
"""

from __future__ import annotations

import os
from pathlib import Path

from taskgate.git import Repo, amend_in_progress
from taskgate.outcome import Outcome

_NOTE = "prepare-commit-msg"


def _note_path(repo: Repo) -> Path:
    return repo.common_dir / "taskgate" / f"{_NOTE}-{os.getppid()}"


def _git_started() -> str:
    """When the git process running the hook started (clock ticks since boot, field 22 of
    /proc/PID/stat), "" where /proc cannot tell: with the pid it names one process."""
    try:
        stat = Path(f"/proc/{os.getppid()}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def record_amend(repo: Repo, source: str | None, sha: str | None) -> Outcome:
    """The prepare-commit-msg hook: note `commit <name>` when `<name>` is HEAD. (The shim
    starts taskgate for that source only: other sources leave nothing to note.)"""
    path = _note_path(repo)
    _forget_stale(path.parent)
    head = repo.head()
    # `--amend` hands over the name `HEAD`, `-c`/`-C` whatever name was typed: resolve it.
    amend = (
        source == "commit"
        and sha is not None
        and head is not None
        and (sha == head or repo.resolve(sha) == head)
    )
    if amend:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{head} {_git_started()}\n", encoding="ascii")
    else:
        path.unlink(missing_ok=True)
    return Outcome(title="prepare-commit-msg")


def _forget_stale(folder: Path) -> None:
    """Notes of git processes that are gone (a commit aborted in the editor)."""
    for note in folder.glob(f"{_NOTE}-*"):
        pid = note.name.rsplit("-", 1)[1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            note.unlink(missing_ok=True)
        except OSError:
            pass  # alive, another user's: leave it


def amend_state(repo: Repo) -> bool:
    """commit-msg: an amend when the prepare-commit-msg note of this git process says so,
    or /proc does (the older base wins when they disagree)."""
    path = _note_path(repo)
    try:
        noted, _, started = path.read_text(encoding="ascii").strip().partition(" ")
    except OSError:
        noted = started = ""
    else:
        path.unlink(missing_ok=True)
    # A note left by an aborted commit whose pid this git process reuses is not its own.
    from_hook = bool(noted) and noted == repo.head() and started == _git_started()
    return from_hook or amend_in_progress()

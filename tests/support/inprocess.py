"""`taskgate.cli.main` in the test's own process, shaped like a finished subprocess.

Starting `python -m taskgate` costs an interpreter and the package's imports (~100 ms);
a table of a hundred message cases pays that a hundred times for the same code path.
`run_main` calls the same entry point the console script calls, with the working
directory and environment a process would have had, and captures what it writes.
Keep at least one real-process test next to every table that uses it: the console
script, `__main__` and the hook shims are only exercised by a real process.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TypeVar

import pytest

from taskgate.cli import main

T = TypeVar("T")


def run_main(
    *args: str, cwd: Path, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` run in process from `cwd`; `env` sets (or, with None, removes)
    variables for the call only. stdout and stderr are captured as text."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        for key, value in (env or {}).items():
            if value is None:
                mp.delenv(key, raising=False)
            else:
                mp.setenv(key, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    return subprocess.CompletedProcess(["taskgate", *args], code, out.getvalue(), err.getvalue())


def commit_hooks(
    repo: Path, message: str, *, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """What `git commit -m message` runs, in process, without making the commit: the
    pre-commit hook, then (if it passed) the commit-msg hook on the message file git would
    write. The result's exit status is the hook that decided (0: the commit would land);
    stdout and stderr are both hooks' output, as git shows them.

    The same entry points (`taskgate hook pre-commit`, `taskgate hook commit-msg`) read the
    same staged change from git as the shims run; what only a real `git commit` covers
    (the shim, chained hooks, git's own environment) keeps its end-to-end tests.
    """
    pre = run_main("hook", "pre-commit", cwd=repo, env=env)
    if pre.returncode != 0:
        return pre
    message_file = _git_dir(repo) / "COMMIT_EDITMSG"
    message_file.write_text(message + "\n", encoding="utf-8")
    msg = run_main("hook", "commit-msg", str(message_file), cwd=repo, env=env)
    return subprocess.CompletedProcess(
        ["git", "commit", "-m", message], msg.returncode, pre.stdout + msg.stdout,
        pre.stderr + msg.stderr,
    )  # fmt: skip


def _git_dir(repo: Path) -> Path:
    """The repository's git folder: `.git` when it is one (no process), else git's answer
    (a linked worktree's `.git` file, a subfolder)."""
    if (repo / ".git").is_dir():
        return (repo / ".git").resolve()
    return Path(
        subprocess.run(
            ["git", "rev-parse", "--absolute-git-dir"], cwd=repo, capture_output=True,
            text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip


def one_per_rule(
    cases: Sequence[T], expected: Callable[[T], Iterable[tuple[str, object]]]
) -> list[T]:
    """The cases a table keeps as real `git commit`s: the first that lands, and for every
    rule id the table expects, the first case that expects it (the end-to-end proof per
    rule; the whole table runs in process)."""
    chosen: list[T] = []
    seen: set[str] = set()
    for case in cases:
        rules = {rule for rule, _ in expected(case)}
        if (not rules and not any(not list(expected(c)) for c in chosen)) or rules - seen:
            chosen.append(case)
            seen |= rules
    return chosen

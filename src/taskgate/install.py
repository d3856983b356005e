"""`taskgate install` / `uninstall`: hook shims in and out, foreign hooks chained, never lost."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from taskgate.errors import TaskgateError
from taskgate.git import Repo
from taskgate.resources import hook_template

DEFAULT_HOOKS = ("pre-commit", "commit-msg", "pre-merge-commit", "pre-push")
HOOK_TYPES = (*DEFAULT_HOOKS, "pre-receive")
STDIN_HOOKS = frozenset({"pre-push", "pre-receive"})
MARKER = "taskgate-managed hook"
CHAINED_SUFFIX = ".taskgate-chained"


def is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return MARKER.encode() in fh.read(400)
    except OSError:
        return False


def render_shim(hook: str, python: str) -> str:
    """The shim for `hook`: run the chained hook first, then taskgate (absolute interpreter)."""
    run = f'{shlex.quote(python)} -m taskgate hook {hook} "$@"'
    if hook in STDIN_HOOKS:
        # Both hooks read the same ref lines: keep them in a variable, not a temporary file.
        capture = "input=$(cat)"
        chained = 'printf \'%s\\n\' "$input" | "$chained" "$@"'
        own = f"printf '%s\\n' \"$input\" | exec {run}"
    else:
        capture = ""
        chained = '"$chained" "$@"'
        own = f"exec {run}"
    return (
        hook_template()
        .replace("__HOOK__", hook)
        .replace("__STDIN_CAPTURE__\n", capture + ("\n" if capture else ""))
        .replace("__RUN_CHAINED__", chained)
        .replace("__RUN_TASKGATE__", own)
    )


def install(repo: Repo, hooks: list[str] | None = None, python: str | None = None) -> list[str]:
    """Write shims into the hooks folder git uses; returns what was done, line by line."""
    wanted = hooks or (["pre-receive"] if repo.bare else list(DEFAULT_HOOKS))
    for hook in wanted:
        if hook not in HOOK_TYPES:
            raise TaskgateError(f"unknown hook type '{hook}' (known: {', '.join(HOOK_TYPES)})")
    interpreter = python or sys.executable
    hooks_dir = repo.hooks_dir()
    hooks_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for hook in wanted:
        path = hooks_dir / hook
        chained = hooks_dir / (hook + CHAINED_SUFFIX)
        note = ""
        if (path.exists() or path.is_symlink()) and not is_ours(path):
            if chained.exists() or chained.is_symlink():
                raise TaskgateError(
                    f"{path} is not taskgate's and {chained.name} already exists; "
                    "move one of them away, then run install again"
                )
            path.rename(chained)
            note = f" (existing hook kept as {chained.name}, runs first)"
        tmp = path.with_name(f".{hook}.taskgate-tmp")
        try:
            tmp.write_text(render_shim(hook, interpreter), encoding="utf-8")
            tmp.chmod(0o755)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        done.append(f"installed {hook} → {path}{note}")
    return done


def uninstall(repo: Repo) -> list[str]:
    """Remove taskgate's shims and put chained hooks back where they were."""
    hooks_dir = repo.hooks_dir()
    done = []
    for hook in HOOK_TYPES:
        path = hooks_dir / hook
        chained = hooks_dir / (hook + CHAINED_SUFFIX)
        if path.exists() and is_ours(path):
            path.unlink()
            if chained.exists() or chained.is_symlink():
                chained.rename(path)
                done.append(f"removed {hook}; restored the hook that was there before")
            else:
                done.append(f"removed {hook}")
    if not done:
        done.append(f"no taskgate hooks in {hooks_dir}")
    return done

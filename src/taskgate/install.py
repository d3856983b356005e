"""`taskgate install` / `uninstall`: hook shims in and out, foreign hooks chained, never lost."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from taskgate.atomic import atomic_write
from taskgate.errors import TaskgateError
from taskgate.git import Repo
from taskgate.resources import hook_template

# prepare-commit-msg: git passes it `commit <sha>` for an amend (taskgate.amend).
DEFAULT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "pre-merge-commit", "pre-push")
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
    """The shim for `hook`: run the chained hook first, then taskgate (absolute interpreter).

    `-P` keeps the repository's own folders off sys.path, so a directory named
    `taskgate` at the top of the repository cannot stand in for taskgate.
    """
    run = f'"$python" -P -m taskgate hook {hook} "$@"'
    if hook in STDIN_HOOKS:
        # Both hooks read the same ref lines: keep them, trailing newlines and all, in a variable.
        capture = "input=$(cat; echo x)\ninput=${input%x}"
        chained = 'printf \'%s\' "$input" | "$chained" "$@"'
        own = f"printf '%s' \"$input\" | {run}"
    else:
        capture = ""
        chained = '"$chained" "$@"'
        own = f"exec {run}"
        if hook == "prepare-commit-msg":
            # Only `commit <sha>` (an amend, -c, -C) leaves a note for commit-msg; any other
            # source needs no interpreter (~40 ms a commit).
            own = f'[ "$2" = commit ] || exit 0\n{own}'
    return (
        hook_template()
        .replace("__PYTHON__", shlex.quote(python))
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
    try:
        hooks_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TaskgateError(
            f"cannot use {hooks_dir} as the hooks folder ({exc.strerror or exc}); "
            "make it a directory, or point core.hooksPath at one"
        ) from exc
    done = []
    for hook in wanted:
        try:
            done.append(_install_one(hooks_dir, hook, interpreter))
        except OSError as exc:
            raise TaskgateError(
                f"cannot write the {hook} hook in {hooks_dir}: {exc.strerror or exc}"
            ) from exc
    if "pre-receive" in wanted:
        # git's own object checks refuse `..`, `.git` and their variants in pushed trees.
        # A server repository is bare; elsewhere install touches only the hooks folder.
        if repo.bare:
            repo.git.run("config", "receive.fsckObjects", "true")
            done.append(
                "set receive.fsckObjects = true (git checks every pushed object: no tree "
                "entry named '.', '..' or '.git')"
            )
        else:
            done.append(
                "this repository is not bare: receive.fsckObjects left as it is (on a "
                "server, run `git config receive.fsckObjects true` there)"
            )
    return done


def _install_one(hooks_dir: Path, hook: str, interpreter: str) -> str:
    path = hooks_dir / hook
    chained = hooks_dir / (hook + CHAINED_SUFFIX)
    foreign = (path.exists() or path.is_symlink()) and not is_ours(path)
    if foreign and (chained.exists() or chained.is_symlink()):
        raise TaskgateError(
            f"{path} is not taskgate's and {chained.name} already exists; "
            "move one of them away, then run install again"
        )
    # The shim is complete on disk before the foreign hook moves: a failure leaves both as
    # they were, and the foreign hook is put back if the final rename fails.
    moved: list[bool] = []

    def move_foreign() -> None:
        path.rename(chained)
        moved.append(True)

    try:
        atomic_write(
            path,
            render_shim(hook, interpreter).encode("utf-8"),
            mode=0o755,
            before_replace=move_foreign if foreign else None,
        )
    except OSError:
        if moved:
            chained.rename(path)
        raise
    note = f" (existing hook kept as {chained.name}, runs first)" if foreign else ""
    return f"installed {hook} → {path}{note}"


def uninstall(repo: Repo) -> list[str]:
    """Remove taskgate's shims and put chained hooks back where they were."""
    hooks_dir = repo.hooks_dir()
    done = []
    for hook in HOOK_TYPES:
        path = hooks_dir / hook
        chained = hooks_dir / (hook + CHAINED_SUFFIX)
        has_chained = chained.exists() or chained.is_symlink()
        ours = path.exists() and is_ours(path)
        try:
            if ours:
                path.unlink()
            if has_chained and not (path.exists() or path.is_symlink()):
                chained.rename(path)
        except OSError as exc:
            raise TaskgateError(f"cannot remove the {hook} hook: {exc.strerror or exc}") from exc
        if ours and has_chained:
            done.append(f"removed {hook}; restored the hook that was there before")
        elif ours:
            done.append(f"removed {hook}")
        elif has_chained and not chained.exists():
            done.append(f"restored the {hook} hook that taskgate had chained")
    if not done:
        done.append(f"no taskgate hooks in {hooks_dir}")
    done.extend(_legacy_shims(hooks_dir))
    done.extend(left_in_place(repo))
    return done


def _legacy_shims(hooks_dir: Path) -> list[str]:
    """The framework moved our shim to `<hook>.legacy` and runs it first: remove it too."""
    done = []
    for hook in HOOK_TYPES:
        legacy = hooks_dir / f"{hook}.legacy"
        if is_ours(legacy):
            try:
                legacy.unlink()
            except OSError as exc:
                raise TaskgateError(f"cannot remove {legacy}: {exc.strerror or exc}") from exc
            done.append(f"removed {legacy.name} (taskgate's shim, kept by pre-commit install)")
    return done


def left_in_place(repo: Repo) -> list[str]:
    """What uninstall does not touch, said out loud: none of it runs taskgate's shims."""
    hooks_dir = repo.hooks_dir()
    kept = []
    for hook in HOOK_TYPES:
        path = hooks_dir / hook
        if (path.exists() or path.is_symlink()) and not is_ours(path):
            kept.append(f"the {hook} hook, which is not taskgate's ({path})")
        legacy = hooks_dir / f"{hook}.legacy"
        if legacy.exists() and not is_ours(legacy):
            kept.append(f"{legacy} (the pre-commit framework's copy of an earlier hook)")
    if not repo.bare and (repo.root / ".pre-commit-config.yaml").exists():
        kept.append(".pre-commit-config.yaml (remove its taskgate hooks and run "
                    "`pre-commit install` again to leave the framework route)")  # fmt: skip
    state = repo.common_dir / "taskgate"
    if state.is_dir():
        kept.append(f"{state} (caches and the rejection log; delete it freely)")
    return [f"left in place: {item}" for item in kept]

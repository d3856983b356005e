"""Scenes built once and copied per test: a copied folder of repositories is complete, and
copying it costs a tenth of building it again (git processes, `taskgate install`,
ssh-keygen, commits through the hooks).

A template is built at module or session scope, before the per-test environment of
`tests.conftest._clean_env` exists: `template_env` gives its processes the same git
(no user or system config, the tests' identity). `copy_scene` copies the template's folder
to the test's and rewrites the template's absolute path where git keeps one (a remote's
URL, a recorded key path, a linked worktree's back-pointer). `build_template` and
`copy_template` do the same for a single repository at session scope.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import GitRepo

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
# `git push --receive-pack=…`: the server's git without its hooks, for a scene's push (the
# pushes a test is about go through the server's pre-receive).
HOOKLESS_RECEIVE = "git -c core.hooksPath=/dev/null receive-pack"
# The files in which git writes absolute paths of a repository's folders.
_PATH_FILES = ("config", "config.worktree", "gitdir", "commondir")
# What `_clean_env` removes from every test's environment.
_DROPPED = (
    "TASKGATE_AGENT", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "NO_COLOR",
    "GITHUB_ACTIONS", "GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "TASKGATE_DEBUG", "COLUMNS", "LINES",
    "PYTHONDONTWRITEBYTECODE",
)  # fmt: skip


def template_env(root: Path) -> dict[str, str]:
    """The environment a template's processes run in: a home of its own under `root`,
    the same configuration `_clean_env` gives every test."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n'
        "[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n[receive]\n\tautogc = false\n"
    )
    tmp = root / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, **IDENTITY, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(config),
           "GIT_EDITOR": ":", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "TMPDIR": str(tmp)}  # fmt: skip
    for var in _DROPPED:
        env.pop(var, None)
    return env


def run(
    args: Sequence[str], cwd: Path, env: dict[str, str], *, input: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """A template's process, which must succeed (its output in the failure)."""
    proc = subprocess.run(
        list(args), cwd=cwd, env=env, input=input, capture_output=True, check=False
    )
    out = subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )  # fmt: skip
    assert proc.returncode == 0, f"{' '.join(args)}:\n{out.stdout}\n{out.stderr}"
    return out


def taskgate(args: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
    """`python -m taskgate ARGS` for a template (a real process: the test's in-process
    state must not hold the template's environment); its stdout."""
    return run([sys.executable, "-m", "taskgate", *args], cwd, env).stdout


def copy_scene(template: Path, dest: Path, names: Sequence[str]) -> None:
    """Copy the folders `names` of `template` into `dest` (which may exist), and point
    every absolute path git recorded under `template` at `dest` instead."""
    dest.mkdir(parents=True, exist_ok=True)
    old, new = str(template), str(dest)
    for name in names:
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(template / name, target, symlinks=True)
        for folder, _dirs, files in os.walk(target):
            for file in files:
                if file in _PATH_FILES:
                    path = Path(folder) / file
                    text = path.read_text(encoding="utf-8", errors="surrogateescape")
                    if old in text:
                        path.write_text(
                            text.replace(old, new), encoding="utf-8", errors="surrogateescape"
                        )


def build_pushed_scene(workflow: Path, root: Path, board: object) -> None:
    """Under `root`: `repo`, a copy of the `workflow_template` repository `workflow` whose
    lead commits `board` through the hooks, pushed through pre-push and pre-receive to
    `server.git`, a bare server with taskgate's pre-receive (`origin`, tracked)."""
    env = template_env(root)
    repo = root / "repo"
    shutil.copytree(workflow, repo, symlinks=True)
    (repo / "shared" / "task_list.json").write_text(
        json.dumps(board, indent=2) + "\n", encoding="utf-8"
    )
    run(["git", "add", "shared/task_list.json"], repo, env)
    run(["git", "commit", "-q", "-m", "chore(lead): start T1 and T2"], repo, env)
    server = root / "server.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(server)], root, env)
    taskgate(["install", "--hook-type", "pre-receive"], server, env)
    run(["git", "remote", "add", "origin", str(server)], repo, env)
    run(["git", "push", "-q", "-u", "origin", "main"], repo, env)


@contextmanager
def template_environment(root: Path) -> Iterator[None]:
    """`os.environ` is `template_env(root)` inside: `GitRepo` and the helpers that take the
    process environment build a template as they would build a test's scene."""
    env = template_env(root)
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key not in env:
                mp.delenv(key)
        for key, value in env.items():
            mp.setenv(key, value)
        yield


def build_template(
    factory: pytest.TempPathFactory, name: str, source: Path, build: Callable[[GitRepo], None]
) -> Path:
    """A copy of the repository at `source`, changed by `build` (in the environment every
    test gets, see `template_environment`), kept for the session."""
    folder = factory.mktemp(name)
    path = folder / "repo"
    shutil.copytree(source, path, symlinks=True)
    with template_environment(folder / "env"):
        build(GitRepo(path))
    shutil.rmtree(folder / "env")
    return path


def copy_template(template: Path, tmp_path: Path) -> GitRepo:
    """A fresh copy of `template` at tmp_path/repo (where the `repo` fixture puts one)."""
    path = tmp_path / "repo"
    if path.exists():
        shutil.rmtree(path)
    shutil.copytree(template, path, symlinks=True)
    return GitRepo(path)

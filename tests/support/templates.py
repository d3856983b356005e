"""Repositories built once per session (per xdist worker) and copied per test.

A copied repository is a complete repository: copying one is much cheaper than
replaying the git commands (and hook runs) that built it. `build_template` runs the
build in the environment every test gets (tests/conftest.py `_clean_env`), since the
per-test environment does not exist yet at session scope.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import GitRepo

# What `_clean_env` removes from every test's environment.
_DROPPED = (
    "TASKGATE_AGENT", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "NO_COLOR",
    "GITHUB_ACTIONS", "GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "TASKGATE_DEBUG", "COLUMNS", "LINES",
    "PYTHONDONTWRITEBYTECODE",
)  # fmt: skip


@contextmanager
def per_test_environment(folder: Path) -> Iterator[None]:
    """The environment of a test (identity, no user or system git config, hooks' and
    tools' settings), with its home and TMPDIR under `folder`, for the time of a build."""
    home = folder / "home"
    tmp = folder / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(exist_ok=True)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n'
        "[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        for var in _DROPPED:
            mp.delenv(var, raising=False)
        mp.setenv("GIT_EDITOR", ":")
        mp.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        mp.setenv("TMPDIR", str(tmp))
        yield


def build_template(
    factory: pytest.TempPathFactory, name: str, source: Path, build: Callable[[GitRepo], None]
) -> Path:
    """A copy of the repository at `source`, changed by `build`, kept for the session."""
    folder = factory.mktemp(name)
    path = folder / "repo"
    shutil.copytree(source, path, symlinks=True)
    with per_test_environment(folder / "env"):
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

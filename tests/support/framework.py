"""One taskgate source repository and one pre-commit home for the whole run.

The framework tests point a consumer's `.pre-commit-config.yaml` at a copy of this tree,
tagged v0.1.0, and the framework pip-installs it into an environment of its own (~4 s of
CPU). Every test that does so shares the copy and the framework's home, so the
environment is built once per run, not once per test (pre-commit locks its home while it
installs, so xdist workers may share it); each consumer repository stays the test's own.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.packaging import PIP_CACHE, ROOT, copy_package_tree

PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"


class Framework(NamedTuple):
    source: Path  # a repository of this tree, tagged v0.1.0
    home: Path  # PRE_COMMIT_HOME


def base_env(home: Path) -> dict[str, str]:
    """The environment of a user whose HOME is `home`, for the framework's processes (the
    per-test environment is not there at session scope: it is spelt out here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.pop("TASKGATE_AGENT", None)
    env.pop("PYTHONPATH", None)
    env.update(
        HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_EDITOR=":", PIP_CACHE_DIR=PIP_CACHE,
    )  # fmt: skip
    return env


def run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every xdist worker of this run shares (this run's only, never the last's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_framework(tmp_path_factory: pytest.TempPathFactory) -> Framework:
    """The run's source repository and pre-commit home, made by whichever test asks first."""
    root = run_root(tmp_path_factory) / "framework"
    root.mkdir(exist_ok=True)
    done = Framework(root / "taskgate-src", root / "pre-commit-home")
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "ready").exists():
            home = root / "home"
            home.mkdir(exist_ok=True)
            (home / ".gitconfig").write_text(
                "[user]\n\tname = Lead\n\temail = lead@example.invalid\n"
                "[init]\n\tdefaultBranch = main\n"
            )
            env = base_env(home)
            if done.source.exists():
                shutil.rmtree(done.source)  # an earlier attempt that failed half-way
            copy_package_tree(done.source)
            shutil.copy2(ROOT / ".pre-commit-hooks.yaml", done.source / ".pre-commit-hooks.yaml")
            for args in (["init", "-q", "-b", "main"], ["add", "."],
                         ["commit", "-q", "-m", "chore(release): taskgate 0.1.0"],
                         ["tag", "v0.1.0"]):  # fmt: skip
                subprocess.run(
                    ["git", *args], cwd=done.source, env=env, capture_output=True, check=True
                )
            (root / "ready").touch()
    return done

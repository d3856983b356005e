"""Route 4: a commit built on a looser, older policy is judged by the policy the range
lands on too (the target's old value, a `ci` range's base): it must pass both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.history.support import assert_caught, assert_lands, setup_pushed
from tests.support.templates import HOOKLESS_RECEIVE

# Slow: histories on an old base, through the hooks, a server and ci.
pytestmark = pytest.mark.slow

LAX = "[gate]\nenabled = false\n[rules]\nignore = ['TG603']\n"
STRICT = "[gate]\nenabled = false\n"
FILE = "services/api/app/calc.py"


def _stale_branch(repo: GitRepo, tmp_path: Path, code: str) -> GitRepo:
    """The lead drops a lax rule on main after the coder branched; the coder commits on the
    old base (its local hooks read the old policy) and the lead merges the branch. The
    lead's commits, and their push, are the scene: made with no hook process."""
    repo.write("taskgate.toml", LAX)
    repo.add()
    repo.commit_no_hooks("chore(lead): lax for now")  # the scene
    server = setup_pushed(repo, tmp_path)
    repo.git("branch", "py")
    repo.write("taskgate.toml", STRICT)
    repo.add()
    repo.commit_no_hooks("chore(lead): no more suppressions")  # the scene
    repo.git("push", "-q", "--no-verify", f"--receive-pack={HOOKLESS_RECEIVE}", "origin", "main")
    repo.git("checkout", "-q", "py")
    repo.write(FILE, code)
    repo.add()
    local = repo.commit("feat(python): calc")
    assert local.returncode == 0, local.stderr  # the old policy at the branch's HEAD
    repo.git("checkout", "-q", "main")
    merged = repo.git("merge", "--no-ff", "-m", "Merge branch 'py'", "py", check=False)
    assert merged.returncode == 0, merged.stderr
    return server


def test_suppression_on_a_stale_base_is_refused(workflow_repo: GitRepo, tmp_path: Path) -> None:
    server = _stale_branch(
        workflow_repo, tmp_path, "def f() -> int:\n    return g()  # type: ignore\n"
    )
    assert_caught(workflow_repo, server, tmp_path, {("TG603", FILE)})


def test_clean_work_on_a_stale_base_lands(workflow_repo: GitRepo, tmp_path: Path) -> None:
    server = _stale_branch(workflow_repo, tmp_path, "def f() -> int:\n    return 1\n")
    assert_lands(workflow_repo, server, tmp_path)

"""Route 5: pre-receive checks every new commit whatever ref brings it (real notes commits
aside), refuses refs/replace/* unless the policy allows it, and reads objects with replace
objects disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.history.support import push_refused, server_ids, setup_pushed

# Slow: refs pushed to a server through its hook.
pytestmark = pytest.mark.slow

MSG = "COMMIT_EDITMSG"


def _bad_commit(repo: GitRepo) -> str:
    repo.write("web/index.html", "<p>bad</p>\n")
    repo.add()
    repo.commit("Bad one", "--no-verify", check=True)
    return repo.head()


def test_a_commit_pushed_to_a_notes_ref_is_checked(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    bad = _bad_commit(repo)
    push_refused(repo, server, {"TG101"}, f"{bad}:refs/notes/commits")
    push_refused(repo, server, {"TG101"}, "HEAD:main")


def test_a_real_git_notes_push_lands(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.git("notes", "add", "-m", "reviewed by the lead", "HEAD")
    proc = repo.git("push", "origin", "refs/notes/commits", check=False)
    assert proc.returncode == 0, proc.stderr
    assert server.git("notes", "show", "main").stdout.strip() == "reviewed by the lead"


def test_replace_refs_are_refused(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    good = repo.head()
    bad = _bad_commit(repo)
    repo.git("replace", bad, good)
    proc = push_refused(repo, server, {"TG210"}, f"refs/replace/{bad}:refs/replace/{bad}")
    assert f"refs/replace/{bad}" in proc
    # A local replace ref does not fool ci either: the bad commit is read as it is.
    ci = repo.taskgate("ci", "--range", "origin/main..HEAD", "--no-gate")
    assert ci.returncode == 1, ci.stderr
    assert "TG101" in ci.stderr


def test_allowed_replace_ref_still_cannot_hide_a_bad_commit(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[history]\nallow_replace_refs = true\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): replace refs allowed")  # the scene
    server = setup_pushed(repo, tmp_path)
    good = repo.head()
    bad = _bad_commit(repo)
    repo.git("replace", bad, good)
    landed = repo.git("push", "origin", f"refs/replace/{bad}:refs/replace/{bad}", check=False)
    assert landed.returncode == 0, landed.stderr
    # The pusher's own git must not follow the replace ref either to send the bad commit.
    proc = repo.git(
        "push", "--no-verify", "origin", f"{bad}:main", check=False,
        env={"GIT_NO_REPLACE_OBJECTS": "1"},
    )  # fmt: skip
    assert proc.returncode != 0
    assert "TG101" in server_ids(proc.stderr), proc.stderr
    assert server.git("rev-parse", "main").stdout.strip() == good

"""Route 8: pre-push trusts only the remote's old ids from its standard input, never a
remote-tracking ref the coder can write. Route 9: an amend is known from the
prepare-commit-msg hook's arguments, whatever the git process is called."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo, finding_ids
from tests.history.support import pre_push_refused, setup_pushed

# Slow: histories through the hooks, a server and ci.
pytestmark = pytest.mark.slow


def _bad(repo: GitRepo) -> None:
    repo.write("web/index.html", "<p>bad</p>\n")
    repo.add()
    repo.commit("Bad one", "--no-verify", check=True)


def test_a_forged_remote_tracking_ref_hides_nothing(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    setup_pushed(repo, tmp_path)
    _bad(repo)
    repo.git("update-ref", "refs/remotes/origin/zzz", "HEAD")
    pre_push_refused(repo, {"TG101"}, "HEAD:main")
    # A new branch: no old id on stdin; the forged ref is still not taken as proof.
    proc = pre_push_refused(repo, {"TG101"}, "HEAD:refs/heads/topic")
    assert "partial check" in proc


def test_a_new_good_branch_lands_and_says_the_check_is_partial(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("web/index.html", "<p>good</p>\n")
    repo.add()
    assert repo.commit("feat(web): good").returncode == 0
    proc = repo.git("push", "origin", "HEAD:refs/heads/topic", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "partial check" in proc.stderr
    assert server.git("rev-parse", "topic").stdout == repo.git("rev-parse", "HEAD").stdout


def _renamed_git(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`exec -a othername git …`: /proc shows no `git` and no recognisable command line."""
    real = shutil.which("git")
    assert real is not None
    return subprocess.run(
        ["othername", *args], executable=real, cwd=repo.path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_amend_under_another_process_name_is_judged_against_the_older_base(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    setup_pushed(repo, tmp_path)
    # HEAD already changes another module (made with --no-verify) ...
    repo.write("web/index.html", "<p>not mine</p>\n")
    repo.write("services/api/app/users.py", "X = 1\n")
    repo.add()
    repo.commit("feat(python): users", "--no-verify", check=True)
    head = repo.head()
    # ... and the amend only touches the coder's own file: judged against HEAD alone it passes.
    repo.write("services/api/app/users.py", "X = 2\n")
    repo.add()
    proc = _renamed_git(repo, "commit", "--amend", "-m", "feat(python): users")
    assert proc.returncode == 1, proc.stderr
    assert "TG201" in finding_ids(proc)  # type: ignore[arg-type]
    assert "web/index.html" in proc.stderr
    assert repo.head() == head


def test_amend_through_an_alias_of_a_good_commit_lands(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    setup_pushed(repo, tmp_path)
    repo.write("services/api/app/users.py", "X = 1\n")
    repo.add()
    assert repo.commit("feat(python): users").returncode == 0
    repo.git("config", "alias.fix", "commit --amend")
    repo.write("services/api/app/users.py", "X = 2\n")
    repo.add()
    proc = repo.git("fix", "-m", "feat(python): users, amended", check=False)
    assert proc.returncode == 0, proc.stderr
    # Without -m git hands prepare-commit-msg `commit <HEAD>`: the note is read and removed.
    repo.write("services/api/app/users.py", "X = 3\n")
    repo.add()
    again = repo.git("fix", "--no-edit", check=False)
    assert again.returncode == 0, again.stderr
    assert repo.git("log", "-1", "--format=%s").stdout.strip() == "feat(python): users, amended"
    assert not list((repo.path / ".git" / "taskgate").glob("prepare-commit-msg-*"))

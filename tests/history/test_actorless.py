"""Route 2: a commit whose actor cannot be told is refused (TG113), at every stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo, finding_ids
from tests.history.support import assert_caught, assert_lands, setup_pushed

MSG = "COMMIT_EDITMSG"


@pytest.mark.parametrize("message", ["", "   \n\t\n"])
def test_empty_message_refused_at_commit_msg(workflow_repo: GitRepo, message: str) -> None:
    repo = workflow_repo
    head = repo.head()
    repo.write("web/index.html", "<p>no one did this</p>\n")
    repo.add()
    proc = repo.git("commit", "--allow-empty-message", "-m", message, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "TG113" in finding_ids(proc)
    assert MSG in proc.stderr
    assert repo.head() == head


@pytest.mark.slow  # through the hooks, a server and ci
def test_empty_message_refused_by_ci_pre_push_and_server(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("web/index.html", "<p>web change</p>\n")
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[rules]\nignore = ['TG201']\n")
    repo.git("rm", "-q", "services/api/pyproject.toml")
    repo.add()
    repo.git("commit", "-q", "--no-verify", "--allow-empty-message", "-m", "")
    assert_caught(repo, server, tmp_path, {("TG113", MSG)})


@pytest.mark.slow  # through the hooks, a server and ci
def test_scope_less_subject_without_required_scope_is_refused(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    """`require_scope = false` with a module map: the scope-less commit has no actor."""
    repo = workflow_repo
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[commit]\nrequire_scope = false\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): scopes optional")  # the scene
    server = setup_pushed(repo, tmp_path)
    repo.write("web/index.html", "<p>whose?</p>\n")
    repo.add()
    local = repo.commit("feat: a page")
    assert local.returncode == 1
    assert "TG113" in finding_ids(local)
    repo.commit("feat: a page", "--no-verify", check=True)
    assert_caught(repo, server, tmp_path, {("TG113", MSG)})


@pytest.mark.slow  # through the hooks, a server and ci
def test_the_scoped_twin_lands(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("web/index.html", "<p>web change</p>\n")
    repo.add()
    proc = repo.commit("feat(web): a page")
    assert proc.returncode == 0, proc.stderr
    assert_lands(repo, server, tmp_path)

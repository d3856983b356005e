"""Route 3: a parentless commit in a repository with history is refused (TG208) and never
brings its own policy; the lead's new root lands where [history] allow_new_roots says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.history.support import (
    assert_caught,
    assert_lands,
    ci_fresh_clone,
    push_refused,
    setup_pushed,
)

# Slow: each route through the hooks, a server and ci on a clone.
pytestmark = pytest.mark.slow


def _orphan(repo: GitRepo, subject: str) -> str:
    """An orphan commit holding only web/index.html (no module map, no policy)."""
    repo.git("checkout", "-q", "--orphan", "orphan")
    repo.git("rm", "-q", "-r", "--cached", ".")
    repo.write("web/index.html", "<p>from nowhere</p>\n")
    repo.add("web/index.html")
    repo.git("commit", "-q", "--no-verify", "-m", subject)
    return repo.head()


def test_orphan_brought_in_by_an_unrelated_merge_is_refused(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _orphan(repo, "feat(web): start over")
    repo.git("checkout", "-q", "-f", "main")
    repo.git("merge", "-q", "--no-verify", "--allow-unrelated-histories", "-X", "theirs",
             "-m", "chore(web): bring the new page", "orphan")  # fmt: skip
    assert_caught(repo, server, tmp_path, {("TG208", None)})


def test_orphan_branch_pushed_on_its_own_is_refused(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _orphan(repo, "feat(web): start over")
    found, _ = ci_fresh_clone(repo, tmp_path)
    assert ("TG208", None) in found
    push_refused(repo, server, {"TG208"}, "orphan:refs/heads/orphan")


def test_leads_new_root_lands_where_the_policy_allows(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[history]\nallow_new_roots = true\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): allow new roots")  # the scene
    server = setup_pushed(repo, tmp_path)
    _orphan(repo, "docs(lead): a fresh documentation branch")
    assert_lands(repo, server, tmp_path, "orphan:refs/heads/docs")


def test_a_coders_new_root_is_refused_even_where_the_lead_may(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[history]\nallow_new_roots = true\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): allow new roots")  # the scene
    server = setup_pushed(repo, tmp_path)
    _orphan(repo, "feat(web): start over")
    push_refused(repo, server, {"TG208"}, "orphan:refs/heads/orphan")

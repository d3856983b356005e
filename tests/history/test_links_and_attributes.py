"""Route 7: a symlink's target is resolved through the tree, following earlier links
(TG205). Route 10: every `.gitattributes`, nested too, is a lead-only policy file (TG204)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import GitRepo, finding_ids
from tests.history.support import assert_caught, assert_lands, setup_pushed

# Slow: each route through the hooks, a server and ci on a clone.
pytestmark = pytest.mark.slow


def _lead_link_up(repo: GitRepo) -> None:
    os.symlink("..", repo.path / "services/api/up")
    repo.add("services/api/up")
    repo.commit_no_hooks("chore(lead): a link to the services folder")  # the scene


def test_symlink_chain_out_of_the_module_is_refused(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    _lead_link_up(repo)
    server = setup_pushed(repo, tmp_path)
    # Lexically inside services/api/; through the link `up` it is web/index.html.
    os.symlink("up/../web/index.html", repo.path / "services/api/l")
    repo.add("services/api/l")
    local = repo.commit("feat(python): a link")
    assert local.returncode == 1, local.stderr
    assert "TG205" in finding_ids(local)
    assert "services/api/l" in local.stderr
    repo.commit("feat(python): a link", "--no-verify", check=True)
    assert_caught(repo, server, tmp_path, {("TG205", "services/api/l")})


def test_symlink_loop_through_another_module_counts_as_outside(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    """A loop reaches nothing; one that passes through another module's links is outside.
    (A loop whose links all stay in the module escapes nothing: tests/hostile keeps it.)"""
    repo = workflow_repo
    _lead_link_up(repo)
    os.symlink("../services/api/l", repo.path / "web/back")
    repo.add("web/back")
    repo.commit_no_hooks("chore(lead): a link back")  # the scene
    server = setup_pushed(repo, tmp_path)
    os.symlink("up/../web/back", repo.path / "services/api/l")
    repo.add("services/api/l")
    repo.commit("feat(python): a loop", "--no-verify", check=True)
    assert_caught(repo, server, tmp_path, {("TG205", "services/api/l")})


def test_symlink_through_a_link_that_stays_inside_lands(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    _lead_link_up(repo)
    server = setup_pushed(repo, tmp_path)
    os.symlink("up/api/app/__init__.py", repo.path / "services/api/init")
    repo.add("services/api/init")
    proc = repo.commit("feat(python): a link to the package")
    assert proc.returncode == 0, proc.stderr
    assert_lands(repo, server, tmp_path)


def test_nested_gitattributes_is_the_leads(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("services/api/.gitattributes", "app/** export-ignore\n")
    repo.add()
    local = repo.commit("feat(python): attributes")
    assert local.returncode == 1, local.stderr
    assert "TG204" in finding_ids(local)
    repo.commit("feat(python): attributes", "--no-verify", check=True)
    assert_caught(repo, server, tmp_path, {("TG204", "services/api/.gitattributes")})


def test_the_lead_adds_a_nested_gitattributes(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("services/api/.gitattributes", "*.py text eol=lf\n")
    repo.add()
    proc = repo.commit("chore(lead): attributes")
    assert proc.returncode == 0, proc.stderr
    assert_lands(repo, server, tmp_path)

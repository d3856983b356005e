"""Fixtures of the data-safety suite: a busy repository and a private TMPDIR."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> dict[str, str]:
    """TMPDIR pointing at an empty folder this test owns (checked empty afterwards)."""
    folder = tmp_path / "TMPDIR"
    folder.mkdir()
    return {"TMPDIR": str(folder)}


@pytest.fixture
def busy_repo(workflow_repo: GitRepo) -> GitRepo:
    """The workflow repository with every kind of state a user may have lying around:
    a staged change, an unstaged edit of another file, a partially staged file, an
    untracked file, an ignored file, a stash-like branch and a tag."""
    repo = workflow_repo
    repo.git("tag", "v0")
    repo.git("branch", "feature")
    repo.write(".gitignore", "*.log\n")
    repo.write("web/partial.html", "one\n")
    repo.add(".gitignore", "web/partial.html")
    repo.commit_no_hooks("chore(lead): more files")
    repo.write("web/index.html", "<p>staged</p>\n")
    repo.write("web/partial.html", "one\ntwo\n")
    repo.add("web/index.html", "web/partial.html")
    repo.write("web/partial.html", "one\ntwo\nthree (unstaged)\n")
    repo.write("services/api/app/__init__.py", "# unstaged edit\n")
    repo.write("notes.txt", "untracked\n")
    repo.write("debug.log", "ignored\n")
    return repo

"""Route 6: tree entries `.`, `..`, `.git` and git's variants are refused (TG211); the
server install turns on receive.fsckObjects as well."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.history.support import (
    assert_lands,
    ci_fresh_clone,
    commit_tree,
    pre_push_refused,
    push_refused,
    setup_pushed,
    tree_with,
)

# Slow: each route through the hooks, a server and ci on a clone.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["..", ".GIT", "git~1", ".git\u200c"])
def test_dangerous_tree_entry_is_refused(workflow_repo: GitRepo, tmp_path: Path, name: str) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    assert server.git("config", "receive.fsckObjects").stdout.strip() == "true"
    blob = repo.git("hash-object", "-w", "--stdin", input=b"<p>x</p>\n").stdout.strip()
    parts = ["services", "api", name, "web", "app.js"]
    tree = tree_with(repo, repo.git("rev-parse", "HEAD^{tree}").stdout.strip(), parts, blob)
    bad = commit_tree(repo, tree, "feat(python): a file", repo.head())
    repo.git("update-ref", "refs/heads/bad", bad)
    path = "/".join(parts)
    found, _ = ci_fresh_clone(repo, tmp_path, "bad")
    assert ("TG211", path) in found, found
    pre_push_refused(repo, {"TG211"}, "bad:main")
    # git's own fsck stops it first on a server installed by taskgate ...
    fsck = repo.git("push", "--no-verify", "origin", "bad:main", check=False)
    assert fsck.returncode != 0
    # ... and the hook stops it where fsck is off.
    server.git("config", "receive.fsckObjects", "false")
    push_refused(repo, server, {"TG211"}, "bad:main")


def test_ordinary_dotted_names_land(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    repo.write("services/api/.gitignore", "*.pyc\n")
    repo.write("services/api/..data", "x\n")
    repo.add()
    assert repo.commit("feat(python): ignore files").returncode == 0
    assert_lands(repo, server, tmp_path)

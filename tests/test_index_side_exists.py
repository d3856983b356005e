"""`IndexSide.exists` answers from the open cat-file process and asks ls-files only for
what that cannot show as a blob (issue 14: no extra git process on every pre-commit)."""

from __future__ import annotations

from taskgate.git import Repo
from taskgate.gitsides import IndexSide
from tests.conftest import GitRepo

SUBMODULE_COMMIT = "1" * 40


def test_exists_sees_files_links_gitlinks_and_intent_to_add(repo: GitRepo) -> None:
    repo.write("mod/pyproject.toml", "[project]\n")
    repo.write("mod/app.py", "x = 1\n")
    (repo.path / "mod" / "link").symlink_to("app.py")
    repo.git("add", ".")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE_COMMIT},mod/sub")
    repo.git("commit", "-q", "--no-verify", "-m", "chore: set up")
    repo.write("mod/later.py", "y = 2\n")
    repo.git("add", "--intent-to-add", "mod/later.py")
    repo.git("rm", "-q", "--cached", "mod/app.py")
    asked = ["mod/pyproject.toml", "mod/link", "mod/sub", "mod/later.py", "mod/app.py", "gone"]
    with Repo(repo.path) as r:
        listed = set(r.index_entries(asked))
        side = IndexSide(r, {"mod/app.py": None})
        assert side.exists(asked) == listed
    assert listed == {"mod/pyproject.toml", "mod/link", "mod/sub", "mod/later.py"}

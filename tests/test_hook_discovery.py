"""The commit hooks find an ordinary repository without `git rev-parse`.

`Repo(hook=True)` reads `.git` itself in the one layout where git's discovery has a
single answer, and must then agree with rev-parse exactly; every other layout (linked
worktree, `.git` file, core.worktree, shallow clone, a subdirectory) is checked
against rev-parse too, end to end through real `git commit`s where git runs hooks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taskgate.git import Repo, _plain_top_level
from tests.conftest import GitRepo, finding_ids


def layout(repo: Repo) -> tuple[object, ...]:
    return (repo.bare, repo.git_dir, repo.common_dir, repo.shallow, repo.root)


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[object, ...], ...]:
    monkeypatch.chdir(path)
    with Repo(hook=True) as fast, Repo(path) as asked:
        return layout(fast), layout(asked)


def test_ordinary_repository_is_read_without_rev_parse(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _plain_top_level(workflow_repo.path) == workflow_repo.path / ".git"
    fast, asked = both_ways(workflow_repo.path, monkeypatch)
    assert fast == asked


def test_shallow_clone_agrees(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow_repo.write("web/index.html", "<p>two</p>\n")
    workflow_repo.add()
    workflow_repo.commit_no_hooks("chore(lead): second")
    clone = tmp_path / "shallow"
    workflow_repo.git("clone", "-q", "--depth", "1", f"file://{workflow_repo.path}", str(clone))
    fast, asked = both_ways(clone, monkeypatch)
    assert fast == asked
    assert fast[3] is True


def test_core_worktree_and_git_file_ask_rev_parse(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow_repo.git("config", "core.worktree", str(workflow_repo.path))
    assert _plain_top_level(workflow_repo.path) is None
    workflow_repo.git("config", "--unset", "core.worktree")
    linked = tmp_path / "linked"
    workflow_repo.git("worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()
    assert _plain_top_level(linked) is None
    fast, asked = both_ways(linked, monkeypatch)
    assert fast == asked


def test_git_dir_in_the_environment_asks_rev_parse(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_DIR", str(workflow_repo.path / ".git"))
    assert _plain_top_level(workflow_repo.path) is None


@pytest.mark.parametrize("where", ["top", "linked worktree", "subdirectory"])
def test_commit_msg_hook_judges_alike_in_every_layout(
    workflow_repo: GitRepo, tmp_path: Path, where: str
) -> None:
    cwd = workflow_repo.path
    if where == "linked worktree":
        cwd = tmp_path / "linked"
        workflow_repo.git("worktree", "add", "-q", str(cwd))
    elif where == "subdirectory":
        cwd = workflow_repo.path / "web"
    target = (cwd / "index.html") if where == "subdirectory" else (cwd / "web" / "index.html")
    target.write_text("<p>changed</p>\n")
    workflow_repo.git("add", str(target), cwd=cwd)
    refused = workflow_repo.git("commit", "-m", "Changed the page", check=False, cwd=cwd)
    assert refused.returncode != 0
    assert finding_ids(refused) == ["TG101"]
    assert "COMMIT_EDITMSG" in refused.stderr
    landed = workflow_repo.git("commit", "-m", "chore(lead): change the page", check=False, cwd=cwd)
    assert landed.returncode == 0, landed.stderr


# The commit hooks start config, cat-file and diff-index against HEAD before the rules
# are imported; the cases where HEAD is not the base must not use that early diff.


def test_first_commit_has_no_head_to_diff_against(repo: GitRepo) -> None:
    from tests.conftest import PLAN, POLICY_NO_GATE, STRUCTURE

    repo.write_json("shared/project_structure.json", STRUCTURE)
    repo.write("shared/plan.md", PLAN)
    repo.write("taskgate.toml", POLICY_NO_GATE)
    repo.add()
    repo.install()
    refused = repo.commit("Set up the workflow")
    assert refused.returncode != 0
    assert finding_ids(refused) == ["TG101"]
    assert "COMMIT_EDITMSG" in refused.stderr
    landed = repo.commit("chore(lead): set up the workflow")
    assert landed.returncode == 0, landed.stderr


def test_amend_is_checked_against_the_parent_not_head(workflow_repo: GitRepo) -> None:
    workflow_repo.write("web/index.html", "<p>lead's page</p>\n")
    workflow_repo.add("web/index.html")
    lead = workflow_repo.commit("chore(lead): reword the page")
    assert lead.returncode == 0, lead.stderr
    # Nothing staged: against HEAD the amend changes nothing, against its parent it
    # changes web/index.html, which the python coder does not own.
    amended = workflow_repo.commit("feat(python): reword the page", "--amend")
    assert amended.returncode != 0
    assert finding_ids(amended) == ["TG201", "TG203"], amended.stderr
    for line in amended.stderr.splitlines():
        if line.startswith(("TG201", "TG203")):
            assert "web/index.html" in line

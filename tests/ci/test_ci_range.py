"""Which commits `taskgate ci` checks: default ranges, incomplete histories, batched reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.support import (
    USERS_V1,
    board,
    by_commit,
    ci_json,
    clone,
    commit,
    workflow_files,
)
from tests.conftest import GitRepo
from tests.support.gitlog import counting_git

MSG = "COMMIT_EDITMSG"


@pytest.fixture
def server(tmp_path: Path, workflow_repo: GitRepo) -> Path:
    """A bare copy of the workflow repository with three more commits on main."""
    commit(workflow_repo, "docs(lead): one", {"web/index.html": "<p>1</p>\n"}, verify=False)
    commit(workflow_repo, "docs(lead): two", {"web/index.html": "<p>2</p>\n"}, verify=False)
    commit(workflow_repo, "docs(lead): three", {"web/index.html": "<p>3</p>\n"}, verify=False)
    path = tmp_path / "server.git"
    workflow_repo.git("clone", "-q", "--bare", str(workflow_repo.path), str(path))
    return path


def test_shallow_clone_is_an_error_that_says_how_to_fetch(server: Path, tmp_path: Path) -> None:
    shallow = clone(server, tmp_path / "shallow", "--depth", "1")
    for args in (("--range", "HEAD~2..HEAD"), (), ("--range", "origin/main..HEAD")):
        proc = shallow.taskgate("ci", *args, "--format", "json")
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == ""
        assert "shallow" in proc.stderr
        assert "fetch-depth: 0" in proc.stderr
        assert "git fetch --unshallow" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_missing_base_is_an_error_not_a_pass(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("ci", "--range", "origin/main..HEAD")
    assert proc.returncode == 2
    assert "'origin/main', is not in this clone" in proc.stderr
    assert "fetch-depth: 0" in proc.stderr
    bad_tip = workflow_repo.taskgate("ci", "--range", "HEAD..nosuch")
    assert bad_tip.returncode == 2
    assert "'nosuch' is not a commit" in bad_tip.stderr
    option = workflow_repo.taskgate("ci", "--range=--all..HEAD")
    assert option.returncode == 2
    assert "not a revision" in option.stderr


def test_no_range_and_no_upstream_says_how_to_pass_one(workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("ci")
    assert proc.returncode == 2
    assert "--range origin/main..HEAD" in proc.stderr


def _feature_branch(server: Path, tmp_path: Path) -> tuple[GitRepo, str]:
    work = clone(server, tmp_path / "work")
    work.git("switch", "-q", "-c", "feature")
    bad = commit(work, "Tweak the page", {"web/index.html": "<p>4</p>\n"}, verify=False)
    commit(work, "docs(lead): four", {"web/index.html": "<p>5</p>\n"}, verify=False)
    return work, bad


def test_github_pull_request_range(server: Path, tmp_path: Path) -> None:
    work, bad = _feature_branch(server, tmp_path)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main"}
    doc = ci_json(work, env=env, process=False)
    assert by_commit(doc) == {bad: [("TG101", MSG)]}
    assert any("2 commits in origin/main...HEAD" in note for note in doc["notes"])


def test_gitlab_merge_request_range(server: Path, tmp_path: Path) -> None:
    work, bad = _feature_branch(server, tmp_path)
    doc = ci_json(work, env={"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}, process=False)
    assert by_commit(doc) == {bad: [("TG101", MSG)]}


def test_github_base_branch_not_fetched(server: Path, tmp_path: Path) -> None:
    work, _bad = _feature_branch(server, tmp_path)
    proc = work.taskgate("ci", env={"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "release"})
    assert proc.returncode == 2
    assert "origin/release" in proc.stderr
    assert "fetch-depth: 0" in proc.stderr


def test_upstream_range(server: Path, tmp_path: Path) -> None:
    work, bad = _feature_branch(server, tmp_path)
    work.git("branch", "-q", "--set-upstream-to", "origin/main")
    doc = ci_json(work, process=False)
    assert by_commit(doc) == {bad: [("TG101", MSG)]}
    assert any("in @{upstream}..HEAD" in note for note in doc["notes"])


def _starts(repo: GitRepo, env: dict[str, str], log: Path, rng: str) -> list[str]:
    log.write_text("")
    doc = ci_json(repo, "--range", rng, env=env)
    assert doc["findings"], "the range should hold bad commits"
    return log.read_text().split()


def test_history_is_read_in_batches_not_a_process_per_commit(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    base = workflow_repo.head()
    commit(workflow_repo, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=False)  # fmt: skip
    for i in range(3):
        commit(workflow_repo, f"Bad {i}", {"services/api/app/users.py": f"X = {i}\n"}, verify=False)
    short = workflow_repo.head()
    for i in range(3, 40):
        commit(workflow_repo, f"Bad {i}", {"services/api/app/users.py": f"X = {i}\n"}, verify=False)
    env, log = counting_git(tmp_path)
    few = _starts(workflow_repo, env, log, f"{base}..{short}")
    many = _starts(workflow_repo, env, log, f"{base}..HEAD")
    assert len(many) == len(few), (few, many)
    assert many.count("cat-file") == 1
    assert many.count("diff-tree") == 1
    assert many.count("rev-list") == 1


def test_root_commit_and_files_from_the_index_fixture(repo: GitRepo) -> None:
    """A range that starts at the repository's first commit (no parent to diff against)."""
    commit(repo, "chore(lead): set up", dict(workflow_files()), verify=False)
    commit(repo, "oops", {"web/index.html": "<p>x</p>\n"}, verify=False)
    found = by_commit(ci_json(repo, "--range", "HEAD", process=False))
    assert found == {repo.head(): [("TG101", MSG)]}

"""`taskgate ci` over real histories: exactly the bad commits, with their rule ids and paths.

The histories are made the ways bad commits reach shared history in practice:
`git commit --no-verify`, `git cherry-pick` and `git rebase` (none of which runs
the commit hooks), plus a merge (exempt) and a fixup! commit (TG107 in CI only).
Good commits go through the installed hooks, so they are good by construction.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.ci.support import (
    TESTS_V1,
    USERS_V1,
    USERS_V2,
    USERS_V3,
    board,
    by_commit,
    ci_json,
    commit,
    sha_of,
)
from tests.conftest import GitRepo
from tests.support.inprocess import run_main
from tests.support.templates import copy_scene, template_environment

# Slow: ci over histories of many commits.
pytestmark = pytest.mark.slow

MSG = "COMMIT_EDITMSG"


def _message_history(repo: GitRepo) -> tuple[str, dict[str, list[tuple[str, str]]], list[str]]:
    """Base, the bad commits with their expected findings, and the good commits."""
    base = repo.head()
    good = [
        commit(
            repo,
            "feat(python): start the users endpoint",
            {
                "shared/task_list.json": board(T1={"status": "in_progress"}),
                "services/api/app/users.py": USERS_V1,
            },
            verify=True,
        )
    ]
    bad: dict[str, list[tuple[str, str]]] = {}
    c2 = commit(repo, "Added user lookup", {"services/api/app/users.py": USERS_V2}, verify=False)
    bad[c2] = [("TG101", MSG)]
    good.append(
        commit(
            repo,
            "test(python): cover the user lookup",
            {"services/api/tests/test_users.py": TESTS_V1},
            verify=True,
        )
    )
    c4 = commit(
        repo,
        "fixup! feat(python): start the users endpoint",
        {"services/api/app/users.py": USERS_V2 + "\n"},
        verify=False,
    )
    bad[c4] = [("TG107", MSG)]

    # A bad type written on a side branch, brought over by cherry-pick (no hooks run).
    repo.git("switch", "-q", "-c", "spike")
    commit(
        repo, "feature(python): list users", {"services/api/app/users.py": USERS_V3}, verify=False
    )
    repo.git("switch", "-q", "main")
    repo.git("cherry-pick", "spike")
    bad[repo.head()] = [("TG102", MSG)]

    # A topic branch started before the cherry-pick, rebased onto main (no hooks run).
    repo.git("switch", "-q", "-c", "topic", c4)
    commit(repo, "docs(python): describe the users module",
           {"services/api/README.md": "# users\n"}, verify=False)  # fmt: skip
    commit(repo, "docs(pyhton): fix a typo", {"services/api/README.md": "# Users\n"}, verify=False)
    repo.git("rebase", "-q", "main")
    good.append(sha_of(repo, "docs(python): describe the users module"))
    bad[sha_of(repo, "docs(pyhton): fix a typo")] = [("TG104", MSG)]

    # Merged with a merge commit: the merge itself is exempt.
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "Merge branch 'topic'", "topic")
    good.append(repo.head())
    good.append(
        commit(
            repo, "chore(lead): note the users work", {"shared/plan.md": "# Plan\n"}, verify=True
        )
    )
    return base, bad, good


History = tuple[GitRepo, str, dict[str, list[tuple[str, str]]], list[str]]


@pytest.fixture(scope="module")
def history_template(
    workflow_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, dict[str, list[tuple[str, str]]], list[str]]:
    """`_message_history` on the workflow repository, made once per module (its good
    commits through the installed hooks): the folder, base, bad and good commits."""
    root = tmp_path_factory.mktemp("history-template")
    shutil.copytree(workflow_template, root / "repo", symlinks=True)
    with template_environment(root):
        base, bad, good = _message_history(GitRepo(root / "repo"))
    return root, base, bad, good


@pytest.fixture
def history(
    history_template: tuple[Path, str, dict[str, list[tuple[str, str]]], list[str]],
    tmp_path: Path,
) -> History:
    """A copy of the history: (repository, base, bad commits with findings, good commits)."""
    root, base, bad, good = history_template
    copy_scene(root, tmp_path, ("repo",))
    return GitRepo(tmp_path / "repo"), base, bad, good


def test_ci_reports_exactly_the_bad_commits(history: History) -> None:
    workflow_repo, base, bad, good = history
    doc = ci_json(workflow_repo, "--range", f"{base}..HEAD", process=False)
    found = by_commit(doc)
    assert found == bad
    assert not set(found) & set(good)
    assert doc["ok"] is False
    assert any("8 commits, 1 merge exempt" in note for note in doc["notes"])


def test_text_output_names_each_commit_by_short_sha_and_subject(history: History) -> None:
    workflow_repo, base, bad, _good = history
    proc = workflow_repo.taskgate("ci", "--range", f"{base}..HEAD")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    for sha, expected in bad.items():
        subject = workflow_repo.git("log", "-1", "--format=%s", sha).stdout.strip()
        at = lines.index(f"{sha[:10]} {subject}")
        rule, path = expected[0]
        assert lines[at + 1].startswith(f"{rule} error  {path}:1: ")
    assert lines[-1].startswith("taskgate ci: 4 errors, 0 warnings in ")


def test_three_dot_range_and_single_revision(history: History) -> None:
    workflow_repo, base, bad, _good = history
    workflow_repo.git("branch", "base", base)
    assert by_commit(ci_json(workflow_repo, "--range", "base...HEAD", process=False)) == bad
    # A single revision is its whole history: the lead's set-up commit is good.
    assert by_commit(ci_json(workflow_repo, "--range", "HEAD", process=False)) == bad


def test_fixup_allowed_from_the_commit_after_the_lead_allows_it(workflow_repo: GitRepo) -> None:
    """The policy of each commit is its first parent's: a commit cannot excuse itself."""
    base = workflow_repo.head()
    commit(workflow_repo, "feat(python): start the users endpoint",
           {"shared/task_list.json": board(T1={"status": "in_progress"}),
            "services/api/app/users.py": USERS_V1}, verify=True)  # fmt: skip
    early = commit(
        workflow_repo,
        "fixup! feat(python): start the users endpoint",
        {"services/api/app/users.py": USERS_V2},
        verify=False,
    )
    policy = "[gate]\nenabled = false\n\n[commit]\nallow_fixup_in_ci = true\n"
    # The fixup in the same commit that allows fixups is still checked by the old policy.
    same = commit(
        workflow_repo,
        "fixup! chore(lead): allow fixups in CI",
        {"taskgate.toml": policy},
        verify=False,
    )
    commit(
        workflow_repo,
        "fixup! feat(python): start the users endpoint",
        {"services/api/app/users.py": USERS_V3},
        verify=False,
    )
    found = by_commit(ci_json(workflow_repo, "--range", f"{base}..HEAD", process=False))
    assert found == {early: [("TG107", "COMMIT_EDITMSG")], same: [("TG107", "COMMIT_EDITMSG")]}


def test_plan_lists_the_modules_the_range_touched(workflow_repo: GitRepo) -> None:
    base = workflow_repo.head()
    commit(
        workflow_repo,
        "docs(lead): reword the page",
        {"web/index.html": "<p>hello</p>\n"},
        verify=False,
    )
    assert json.loads(
        workflow_repo.taskgate("ci", "--plan", "--range", f"{base}..HEAD").stdout
    ) == ["web"]
    commit(
        workflow_repo,
        "feat(python): start",
        {"shared/task_list.json": board(T1={"status": "in_progress"}),
         "services/api/app/users.py": USERS_V1},
        verify=False,
    )  # fmt: skip
    proc = run_main("ci", "--plan", "--range", f"{base}..HEAD", cwd=workflow_repo.path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["web", "python"]
    # Nothing touched: an empty matrix (the example workflow skips the gate job then).
    head = workflow_repo.head()
    assert (
        json.loads(
            run_main("ci", "--plan", "--range", f"{head}..HEAD", cwd=workflow_repo.path).stdout
        )
        == []
    )


def test_merge_content_counts_for_the_plan(workflow_repo: GitRepo) -> None:
    """A merge is exempt from the per-commit rules, but what it brings is gated."""
    base = workflow_repo.head()
    workflow_repo.git("switch", "-q", "-c", "page")
    commit(
        workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>x</p>\n"}, verify=False
    )
    workflow_repo.git("switch", "-q", "main")
    commit(workflow_repo, "docs(lead): plan", {"shared/plan.md": "# Plan\n\n## Contracts\n"},
           verify=False)  # fmt: skip
    workflow_repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "Merge branch 'page'", "page")
    merge = workflow_repo.head()
    assert json.loads(
        run_main("ci", "--plan", "--range", f"{merge}^1..{merge}", cwd=workflow_repo.path).stdout
    ) == ["web"]
    doc = ci_json(workflow_repo, "--range", f"{base}..HEAD", process=False)
    assert by_commit(doc) == {}
    assert any("2 commits, 1 merge exempt" in note for note in doc["notes"])

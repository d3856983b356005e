"""Route 1: a merge is judged on what its tree holds beyond git's automatic merge of its
parents (plus its conflict resolutions), as a change by its actor; octopus merges are
the lead's; the gate runs on a merge for every module it changes against its first parent.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo, finding_ids
from tests.history.support import (
    BOARD_PATH,
    assert_caught,
    assert_lands,
    ci_fresh_clone,
    pre_push_refused,
    push_refused,
    setup_pushed,
    started_board,
)
from tests.support.templates import HOOKLESS_RECEIVE

# Slow: histories of several branches, merged through the hooks, pushed and checked in ci.
pytestmark = pytest.mark.slow

MSG = "COMMIT_EDITMSG"
INIT = "services/api/app/__init__.py"


def _ok(proc: object) -> None:
    assert getattr(proc, "returncode") == 0, getattr(proc, "stderr")  # noqa: B009


def _branch(
    repo: GitRepo, name: str, subject: str, files: dict[str, str], *, hooks: bool = False
) -> str:
    """A branch off main with one commit. Without `hooks` it is the scene, made with no
    hook process (ci, pre-push and the server judge it with the merge that brings it);
    with `hooks` the commit must pass the local hooks."""
    repo.git("checkout", "-q", "-b", name, "main")
    for path, text in files.items():
        repo.write(path, text)
    repo.add(*files)
    if hooks:
        _ok(repo.commit(subject))
    else:
        repo.commit_no_hooks(subject)
    repo.git("checkout", "-q", "main")
    return repo.git("rev-parse", name).stdout.strip()


def _conflicted_coder_merge(repo: GitRepo) -> None:
    """main and the python branch both change the api's __init__; the coder merges main."""
    repo.git("checkout", "-q", "-b", "py")
    repo.write(INIT, "VERSION = 2\n")
    repo.add(INIT)
    repo.commit_no_hooks("feat(python): version 2")  # judged with the merge, by ci and push
    repo.git("checkout", "-q", "main")
    repo.write(INIT, "VERSION = 1\n")
    repo.add(INIT)
    # The lead's commit the server already has: the scene, made and pushed with no hook.
    repo.commit_no_hooks("chore(lead): version 1")
    repo.git("push", "-q", "--no-verify", f"--receive-pack={HOOKLESS_RECEIVE}", "origin", "main")
    repo.git("checkout", "-q", "py")
    proc = repo.git("merge", "main", check=False)
    assert proc.returncode != 0
    assert "CONFLICT" in proc.stdout, proc.stdout
    repo.write(INIT, "VERSION = 3\n")
    repo.add(INIT)


def test_clean_merge_of_two_coders_branches_lands(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _branch(repo, "web", "feat(web): a page", {"web/page.html": "<p>page</p>\n"})
    _branch(repo, "py", "feat(python): users", {"services/api/app/users.py": "X = 1\n"})
    _ok(repo.git("merge", "--no-ff", "-m", "Merge branch 'web'", "web", check=False))
    _ok(repo.git("merge", "--no-ff", "-m", "Merge branch 'py'", "py", check=False))
    _found, doc = ci_fresh_clone(repo, tmp_path, process=True)
    assert any("2 merges exempt" in note for note in doc["notes"]), doc["notes"]
    assert_lands(repo, server, tmp_path)


def test_conflict_resolved_inside_the_mergers_module_lands(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _conflicted_coder_merge(repo)
    _ok(repo.commit("chore(python): merge main"))
    _found, doc = ci_fresh_clone(repo, tmp_path)
    assert any("1 merge judged on their own content" in n for n in doc["notes"]), doc["notes"]
    assert_lands(repo, server, tmp_path)


def test_resolution_that_edits_another_module_is_refused(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _conflicted_coder_merge(repo)
    repo.write("web/index.html", "<p>while I am here</p>\n")
    repo.add("web/index.html")
    head = repo.head()
    local = repo.commit("chore(python): merge main")
    assert local.returncode == 1, local.stderr
    assert "TG201" in finding_ids(local)
    assert "web/index.html" in local.stderr
    assert repo.head() == head
    repo.commit("chore(python): merge main", "--no-verify", check=True)
    assert_caught(repo, server, tmp_path, {("TG201", "web/index.html")})


def test_merge_no_commit_with_policy_and_board_edits_is_refused(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    """The issue's first route: edits made during `git merge --no-commit`."""
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _branch(repo, "py", "feat(python): users", {"services/api/app/users.py": "X = 1\n"})
    repo.git("merge", "--no-ff", "--no-commit", "py")
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[rules]\nignore = ['TG201', 'TG202']\n")
    repo.write("web/index.html", "<p>not mine</p>\n")
    repo.add()
    # git's default merge subject names nobody: no actor for the merge's own content.
    proc = repo.git("commit", "--no-edit", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "TG113" in finding_ids(proc)
    claimed = repo.git("commit", "--no-edit", env={"TASKGATE_AGENT": "python-coder"}, check=False)
    assert claimed.returncode == 1, claimed.stderr
    assert {"TG204", "TG201"} <= set(finding_ids(claimed)), claimed.stderr
    assert "taskgate.toml" in claimed.stderr
    assert "web/index.html" in claimed.stderr
    repo.git("commit", "-q", "--no-verify", "-m", "chore(python): merge users")
    assert_caught(repo, server, tmp_path, {("TG204", "taskgate.toml"), ("TG201", "web/index.html")})


def test_evil_merge_made_with_commit_tree_is_refused(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    side = _branch(repo, "py", "feat(python): users", {"services/api/app/users.py": "X = 1\n"})
    # The tree: main plus the branch plus a looser policy, written without any hook.
    repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "tmp", "py")
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[rules]\nignore = ['TG201']\n")
    repo.add("taskgate.toml")
    tree = repo.git("write-tree").stdout.strip()
    repo.git("reset", "-q", "--hard", "HEAD~1")
    for subject, rule in (("Merge branch 'py'", "TG113"), ("chore(python): merge", "TG204")):
        evil = repo.git("commit-tree", "-p", "main", "-p", side, "-m", subject, tree).stdout.strip()
        repo.git("update-ref", "refs/heads/evil", evil)
        found, _ = ci_fresh_clone(repo, tmp_path, "evil")
        path = MSG if rule == "TG113" else "taskgate.toml"
        assert (rule, path) in found, found
        pre_push_refused(repo, {rule}, "evil:main")
        push_refused(repo, server, {rule}, "evil:main")


def test_octopus_merge_is_the_leads_alone(workflow_repo: GitRepo, tmp_path: Path) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _branch(repo, "web", "feat(web): a page", {"web/page.html": "<p>page</p>\n"})
    _branch(repo, "py", "feat(python): users", {"services/api/app/users.py": "X = 1\n"})
    head = repo.head()
    local = repo.git("merge", "--no-ff", "-m", "chore(python): octopus", "web", "py", check=False)
    assert local.returncode != 0
    assert "TG209" in finding_ids(local), local.stderr
    repo.git("reset", "-q", "--hard", head)
    repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "chore(python): octopus", "web", "py")
    assert_caught(repo, server, tmp_path, {("TG209", None)})
    repo.git("reset", "-q", "--hard", head)
    _ok(
        repo.git(
            "merge", "--no-ff", "-m", "chore(lead): merge web and py", "web", "py", check=False
        )
    )
    assert_lands(repo, server, tmp_path)


def test_git_pull_of_a_coder_branch_by_the_lead_lands(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    server = setup_pushed(repo, tmp_path)
    _branch(repo, "py", "feat(python): users", {"services/api/app/users.py": "X = 1\n"})
    # Published with no hook process (the scene): ci below judges its commit.
    repo.git("push", "-q", "--no-verify", f"--receive-pack={HOOKLESS_RECEIVE}", "origin", "py")
    repo.git("branch", "-q", "-D", "py")
    repo.write("web/index.html", "<p>lead edit</p>\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): page")  # judged by ci and the push below
    _ok(repo.git("pull", "--no-rebase", "--no-edit", "origin", "py", check=False))
    assert len(repo.git("log", "-1", "--format=%P").stdout.split()) == 2
    assert_lands(repo, server, tmp_path)


PY = shlex.quote(sys.executable)
# Passes with either file alone, fails with both: each branch passes, their merge does not.
BOTH = (
    "import pathlib, sys; "
    "sys.exit(7 if len(list(pathlib.Path('.').glob('**/[ab].txt'))) > 1 else 0)"
)


def test_merge_that_breaks_a_modules_tests_is_stopped_by_the_gate(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    repo = workflow_repo
    policy = f'[gate.modules.web]\ncommands = ["{PY} -c \\"{BOTH}\\""]\n'
    repo.write("taskgate.toml", policy)
    repo.write_json(BOARD_PATH, started_board())
    repo.add()
    _ok(repo.commit("chore(lead): gate web"))
    _branch(repo, "a", "feat(web): a", {"web/a.txt": "a\n"}, hooks=True)
    _branch(repo, "b", "feat(web): b", {"web/b.txt": "b\n"}, hooks=True)
    _ok(repo.git("merge", "--no-ff", "-m", "Merge branch 'a'", "a", check=False))
    head = repo.head()
    # A clean merge: pre-merge-commit runs the gate on the merged tree for web.
    proc = repo.git("merge", "--no-ff", "-m", "Merge branch 'b'", "b", check=False)
    assert proc.returncode != 0
    assert "TG401" in finding_ids(proc), proc.stderr
    assert repo.head() == head
    repo.git("merge", "--abort")
    repo.git("merge", "-q", "--no-ff", "--no-verify", "-m", "Merge branch 'b'", "b")
    ci = repo.taskgate("ci", "--range", f"{head}..HEAD", "--format", "json")
    assert ci.returncode == 1, ci.stderr
    assert "TG401" in ci.stdout
    assert '"path": "web"' in ci.stdout

"""Every route around the local hooks is caught before the commits land: pre-push (a real
`git push`), pre-receive on a bare server, and `taskgate ci --range`.

Routes: `git commit --no-verify`, `--amend --no-verify`, `git rebase` (a fixup that merges
two modules' commits), `git cherry-pick` (a commit valid on its own branch, invalid here).
`git revert` of a good commit is git's own message and is exempt from the message rules;
its content is still checked like any commit, so a revert that brings a violation back
is caught (the decision, documented in docs/security.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BOARD, STRUCTURE, GitRepo, finding_ids
from tests.support.inprocess import run_main
from tests.support.templates import HOOKLESS_RECEIVE, build_pushed_scene, copy_scene

# Slow: each route rewrites history and pushes it to a server through every hook.
pytestmark = pytest.mark.slow

STRUCTURE_PATH = "shared/project_structure.json"
BOARD_PATH = "shared/task_list.json"
Pairs = set[tuple[str, str | None]]


@pytest.fixture(scope="module")
def pushed_template(workflow_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `pushed` scene, built once per module (the lead's commit through the hooks, the
    push through pre-push and pre-receive) and copied per test."""
    root = tmp_path_factory.mktemp("bypass-scene")
    board: dict[str, Any] = json.loads(json.dumps(BOARD))
    for task in board["tasks"]:
        task["status"] = "in_progress"
    build_pushed_scene(workflow_template, root, board)
    return root


@pytest.fixture
def pushed(pushed_template: Path, tmp_path: Path) -> tuple[GitRepo, GitRepo]:
    """Local repository (all hooks) and a bare server (pre-receive), in sync, tasks started
    (a copy of `pushed_template`, its remote pointed at the copied server)."""
    copy_scene(pushed_template, tmp_path, ("repo", "server.git"))
    return GitRepo(tmp_path / "repo"), GitRepo(tmp_path / "server.git")


def _ci(repo: GitRepo, *, process: bool = False) -> Pairs:
    """`taskgate ci` over what the server lacks: in process (`cli.main`) unless `process`
    (test_no_verify starts the real console process)."""
    args = ("ci", "--range", "origin/main..HEAD", "--no-gate", "--format", "json")
    proc = repo.taskgate(*args) if process else run_main(*args, cwd=repo.path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    for f in doc["findings"]:
        assert f["commit"], f  # each finding names the commit it is about
    return {(f["rule"], f["path"]) for f in doc["findings"] if f["severity"] == "error"}


def assert_caught(
    repo: GitRepo, server: GitRepo, expected: Pairs, *, process: bool = False
) -> None:
    """ci reports `expected`; pre-push and pre-receive both refuse the push."""
    remote_main = server.git("rev-parse", "main").stdout
    found = _ci(repo, process=process)
    assert expected <= found, found
    rules = {rule for rule, _ in expected}
    local = repo.git("push", "origin", "HEAD:main", check=False)
    assert local.returncode != 0
    assert "Traceback" not in local.stderr
    assert rules <= set(finding_ids(local)), local.stderr
    # The pre-push hook skipped too: the server has the last word.
    remote = repo.git("push", "--no-verify", "origin", "HEAD:main", check=False)
    assert remote.returncode != 0
    assert "Traceback" not in remote.stderr
    remote_ids = {line.split()[1] for line in remote.stderr.splitlines()
                  if line.startswith("remote: TG")}  # fmt: skip
    assert rules <= remote_ids, remote.stderr
    assert "pre-receive hook declined" in remote.stderr
    assert server.git("rev-parse", "main").stdout == remote_main


def assert_accepted(repo: GitRepo, server: GitRepo) -> None:
    assert _ci(repo) == set()
    proc = repo.git("push", "origin", "HEAD:main", check=False)
    assert proc.returncode == 0, proc.stderr
    assert server.git("rev-parse", "main").stdout == repo.git("rev-parse", "HEAD").stdout


def test_no_verify(pushed: tuple[GitRepo, GitRepo]) -> None:
    repo, server = pushed
    repo.write("web/index.html", "<p>sneaky</p>\n")
    repo.write("services/api/app/users.py", "x = 1\n")
    repo.add()
    repo.commit("feat(web): both modules at once", "--no-verify", check=True)
    assert_caught(repo, server, {("TG201", "services/api/app/users.py")}, process=True)


def test_amend_no_verify(pushed: tuple[GitRepo, GitRepo]) -> None:
    repo, server = pushed
    repo.write("web/index.html", "<p>fine</p>\n")
    repo.add()
    assert repo.commit("feat(web): a fine page").returncode == 0
    repo.git("commit", "--amend", "--no-verify", "-m", "Updated page")
    assert_caught(repo, server, {("TG101", "COMMIT_EDITMSG")})


def test_rebase_fixup_merges_two_modules(pushed: tuple[GitRepo, GitRepo]) -> None:
    repo, server = pushed
    repo.write("web/index.html", "<p>web</p>\n")
    repo.add()
    assert repo.commit("feat(web): the page").returncode == 0
    repo.write("services/api/app/users.py", "x = 1\n")
    repo.add()
    assert repo.commit("feat(python): users").returncode == 0
    # Each commit passed its hooks; squashing them does not run the hooks again.
    script = "sed -i -e '2s/^pick/fixup/'"
    proc = repo.git("rebase", "-i", "HEAD~2", env={"GIT_SEQUENCE_EDITOR": script}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert repo.git("log", "-1", "--format=%s").stdout.strip() == "feat(web): the page"
    assert_caught(repo, server, {("TG201", "services/api/app/users.py")})


def test_cherry_pick_from_a_branch_with_another_module_map(
    pushed: tuple[GitRepo, GitRepo],
) -> None:
    repo, server = pushed
    repo.git("checkout", "-q", "-b", "renamed")
    structure: dict[str, Any] = json.loads(json.dumps(STRUCTURE))
    structure["modules"]["api"] = structure["modules"].pop("python")
    repo.write_json(STRUCTURE_PATH, structure)
    board: dict[str, Any] = json.loads(repo.git("show", f"HEAD:{BOARD_PATH}").stdout)
    board["tasks"][0]["assignee"] = "api"
    repo.write_json(BOARD_PATH, board)
    repo.add()
    assert repo.commit("chore(lead): rename python to api").returncode == 0
    repo.write("services/api/app/users.py", "x = 1\n")
    repo.add()
    good_there = repo.commit("feat(api): users")
    assert good_there.returncode == 0, good_there.stderr
    picked = repo.head()
    repo.git("checkout", "-q", "main")
    repo.git("cherry-pick", picked)  # no hook runs; on main there is no module 'api'
    assert_caught(repo, server, {("TG104", "COMMIT_EDITMSG")})


def test_revert_of_a_good_commit_is_exempt(pushed: tuple[GitRepo, GitRepo]) -> None:
    repo, server = pushed
    repo.write("web/index.html", "<p>new</p>\n")
    repo.add()
    assert repo.commit("chore(lead): new page").returncode == 0
    repo.git("push", "-q", "origin", "main")
    repo.git("revert", "--no-edit", "HEAD")
    subject = repo.git("log", "-1", "--format=%s").stdout.strip()
    assert subject == 'Revert "chore(lead): new page"'
    assert_accepted(repo, server)


def test_revert_that_brings_a_violation_back_is_caught(pushed: tuple[GitRepo, GitRepo]) -> None:
    """The revert's message is exempt, its content is not: policy tightened in between."""
    repo, server = pushed
    # The lead's history, already on the server: the scene, made and pushed with no hook.
    repo.write("web/blob.bin", os.urandom(4096))
    repo.add()
    repo.commit_no_hooks("chore(lead): add a blob")
    repo.git("rm", "-q", "web/blob.bin")
    dropped = repo.commit_no_hooks("chore(lead): drop the blob")
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[integrity]\nmax_file_bytes = 1024\n")
    repo.add()
    repo.commit_no_hooks("chore(lead): files up to 1 KiB")
    repo.git("push", "-q", "--no-verify", f"--receive-pack={HOOKLESS_RECEIVE}", "origin", "main")
    repo.git("revert", "--no-edit", dropped)
    assert_caught(repo, server, {("TG605", "web/blob.bin")})


FAKE_REVERT = 'Revert "{subject}"\n\nThis reverts commit 1234567890abcdef.\n'


def test_hand_written_revert_is_judged_as_the_reverted_subjects_actor(
    pushed: tuple[GitRepo, GitRepo],
) -> None:
    """A `Revert "…"` message is exempt from the message rules, not from the lanes."""
    repo, server = pushed
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[rules]\nignore = ['TG201']\n")
    repo.write("web/index.html", "<p>not mine</p>\n")
    repo.add()
    msg = FAKE_REVERT.format(subject="feat(python): users")
    repo.git("commit", "-q", "--no-verify", "-m", msg)
    assert_caught(repo, server, {("TG204", "taskgate.toml"), ("TG201", "web/index.html")})


def test_hand_written_revert_cannot_shed_a_claimed_identity(workflow_repo: GitRepo) -> None:
    """With TASKGATE_AGENT set, a revert is that agent's commit, whatever it reverts."""
    repo = workflow_repo
    repo.write("taskgate.toml", "[gate]\nenabled = false\n[rules]\nignore = ['TG201']\n")
    repo.add()
    head = repo.head()
    msg = FAKE_REVERT.format(subject="anything at all")
    proc = repo.git("commit", "-m", msg, env={"TASKGATE_AGENT": "python-coder"}, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "TG204" in finding_ids(proc)
    assert "taskgate.toml" in proc.stderr
    assert repo.head() == head


def test_hand_written_revert_naming_no_scope_is_refused_in_ci(
    pushed: tuple[GitRepo, GitRepo],
) -> None:
    """Nobody can be named for `Revert "anything"`: that fails closed instead of skipping
    every lane rule (the commit touches another module)."""
    repo, server = pushed
    repo.write("web/index.html", "<p>not mine</p>\n")
    repo.add()
    repo.git("commit", "-q", "--no-verify", "-m", FAKE_REVERT.format(subject="anything at all"))
    assert_caught(repo, server, {("TG103", "COMMIT_EDITMSG")})

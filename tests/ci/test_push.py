"""Real pushes: pre-receive on a bare "server", pre-push on the pusher's side.

Commits made with `--no-verify` never met the commit hooks; these are the hooks that
stop them. Every rejected push leaves the remote ref where it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.support import (
    USERS_V1,
    USERS_V2,
    bare,
    board,
    clone,
    commit,
    pushed_findings,
    workflow_files,
)
from tests.conftest import GitRepo
from tests.support.templates import copy_scene, run, template_env

MSG = "COMMIT_EDITMSG"


def _ref(server: GitRepo, ref: str) -> str | None:
    proc = server.git("rev-parse", "-q", "--verify", ref, check=False)
    return proc.stdout.strip() or None


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`server.git`, a bare repository with taskgate's pre-receive hook (`taskgate install`
    in a bare repository), and `work`, its clone with no hooks of its own, set up and
    pushed: built once per module, copied per test."""
    root = tmp_path_factory.mktemp("push-scene")
    env = template_env(root)
    srv = root / "server.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(srv)], root, env)
    proc = run([sys.executable, "-m", "taskgate", "install"], srv, env)
    assert "pre-receive" in proc.stderr
    run(["git", "clone", "-q", f"file://{srv}", str(root / "work")], root, env)
    work = root / "work"
    for path, content in workflow_files().items():
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, indent=2) + "\n"
        target.write_text(text, encoding="utf-8")
    run(["git", "add", "."], work, env)
    run(["git", "-c", f"core.hooksPath={os.devnull}", "commit", "-q", "--no-verify", "-m",
         "chore(lead): set up the workflow"], work, env)  # fmt: skip
    run(["git", "push", "-q", "origin", "main"], work, env)
    return root


@pytest.fixture
def server(scene: Path, tmp_path: Path) -> GitRepo:
    """A copy of the scene's server (taskgate's pre-receive installed)."""
    copy_scene(scene, tmp_path, ("server.git",))
    srv = GitRepo(tmp_path / "server.git")
    hook = srv.path / "hooks" / "pre-receive"
    assert os.access(hook, os.X_OK)
    assert "hook pre-receive" in hook.read_text()
    assert not (srv.path / "hooks" / "pre-commit").exists()
    return srv


@pytest.fixture
def work(server: GitRepo, scene: Path, tmp_path: Path) -> GitRepo:
    """A clone of the server, with no hooks of its own, set up and pushed (a copy of the
    scene's, its remote pointed at the copied server)."""
    copy_scene(scene, tmp_path, ("work",))
    return GitRepo(tmp_path / "work")


def test_pre_receive_rejects_a_bad_push_and_accepts_a_good_one(
    server: GitRepo, work: GitRepo
) -> None:
    before = _ref(server, "main")
    good = commit(work, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=False)  # fmt: skip
    bad = commit(work, "Added user lookup", {"services/api/app/users.py": USERS_V2}, verify=False)
    proc = work.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert "pre-receive hook declined" in proc.stderr
    assert pushed_findings(proc.stderr) == [("TG101", MSG)]
    assert f"remote: {bad[:10]} Added user lookup" in proc.stderr
    assert _ref(server, "main") == before
    # The pushed objects were quarantined and dropped with the push: never in the server.
    assert server.git("cat-file", "-e", bad, check=False).returncode != 0

    work.git("reset", "-q", "--hard", good)
    commit(work, "fix(python): return the user", {"services/api/app/users.py": USERS_V2},
           verify=False)  # fmt: skip
    ok = work.git("push", "origin", "main", check=False)
    assert ok.returncode == 0, ok.stderr
    assert pushed_findings(ok.stderr) == []
    assert _ref(server, "main") == work.head()


def test_pre_receive_new_branch_deletion_and_fixup(server: GitRepo, work: GitRepo) -> None:
    main = _ref(server, "main")
    work.git("switch", "-q", "-c", "feature")
    commit(work, "docs(lead): reword the page", {"web/index.html": "<p>hello</p>\n"}, verify=False)
    ok = work.git("push", "origin", "feature", check=False)
    assert ok.returncode == 0, ok.stderr
    assert _ref(server, "feature") == work.head()

    deleted = work.git("push", "origin", "--delete", "feature", check=False)
    assert deleted.returncode == 0, deleted.stderr
    assert _ref(server, "feature") is None

    commit(
        work, "fixup! docs(lead): reword the page", {"web/index.html": "<p>hi!</p>\n"}, verify=False
    )
    fixup = work.git("push", "origin", "HEAD:refs/heads/other", check=False)
    assert fixup.returncode != 0
    assert pushed_findings(fixup.stderr) == [("TG107", MSG)]
    assert _ref(server, "other") is None
    assert _ref(server, "main") == main


def test_pre_receive_tags(server: GitRepo, work: GitRepo) -> None:
    """A tag is checked like a branch: it could otherwise carry unchecked commits in."""
    work.git("tag", "-a", "-m", "first release", "v1", "main")
    ok = work.git("push", "origin", "v1", check=False)
    assert ok.returncode == 0, ok.stderr
    assert _ref(server, "v1") is not None

    work.git("switch", "-q", "-c", "side")
    bad = commit(work, "wip", {"web/index.html": "<p>wip</p>\n"}, verify=False)
    work.git("tag", "-a", "-m", "sneaky", "v2", bad)
    proc = work.git("push", "origin", "v2", check=False)
    assert proc.returncode != 0
    assert pushed_findings(proc.stderr) == [("TG101", MSG)]
    assert _ref(server, "v2") is None


def test_pre_receive_explicit_hook_type(tmp_path: Path) -> None:
    srv = bare(tmp_path / "explicit.git")
    proc = srv.taskgate("install", "--hook-type", "pre-receive")
    assert proc.returncode == 0, proc.stderr
    work = clone(srv.path, tmp_path / "w")
    commit(work, "set up", workflow_files(), verify=False)
    rejected = work.git("push", "origin", "main", check=False)
    assert rejected.returncode != 0
    assert pushed_findings(rejected.stderr) == [("TG101", MSG)]
    assert _ref(srv, "main") is None


@pytest.mark.slow  # a pushed history through the hooks
def test_pre_push_stops_a_bad_push(workflow_repo: GitRepo, tmp_path: Path) -> None:
    """workflow_repo has taskgate's default hooks, pre-push among them."""
    remote = bare(tmp_path / "remote.git")
    workflow_repo.git("remote", "add", "origin", str(remote.path))
    # The scene: the remote holds the set-up commit (pushed past pre-push), and a good
    # commit made without hooks (the pushes below check it).
    first = workflow_repo.git("push", "-q", "--no-verify", "-u", "origin", "main", check=False)
    assert first.returncode == 0, first.stderr
    pushed = workflow_repo.head()
    commit(workflow_repo, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=False)  # fmt: skip
    commit(workflow_repo, "Quick fix", {"services/api/app/users.py": USERS_V2}, verify=False)
    proc = workflow_repo.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    assert pushed_findings(proc.stderr) == [("TG101", MSG)]
    assert "taskgate pre-push: 1 error" in proc.stderr
    assert _ref(remote, "main") == pushed

    workflow_repo.git("commit", "-q", "--amend", "--no-verify", "-m", "fix(python): guard ids")
    ok = workflow_repo.git("push", "origin", "main", check=False)
    assert ok.returncode == 0, ok.stderr
    assert _ref(remote, "main") == workflow_repo.head()
    # A new branch: only the commits the remote does not have are checked.
    workflow_repo.git("switch", "-q", "-c", "topic")
    commit(
        workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>x</p>\n"}, verify=False
    )
    new_branch = workflow_repo.git("push", "origin", "topic", check=False)
    assert new_branch.returncode == 0, new_branch.stderr
    assert "checked 1 commit not yet on origin" in new_branch.stderr
    # A fixup! passes the local commit hooks, and is stopped before it leaves.
    commit(workflow_repo, "fixup! docs(lead): reword the page", {"web/index.html": "<p>z</p>\n"},
           verify=True)  # fmt: skip
    fixup = workflow_repo.git("push", "origin", "topic", check=False)
    assert fixup.returncode != 0
    assert pushed_findings(fixup.stderr) == [("TG107", MSG)]


def test_pre_push_reads_the_pre_commit_environment(workflow_repo: GitRepo) -> None:
    """Under the pre-commit framework there is no stdin: the refs come in PRE_COMMIT_*."""
    base = workflow_repo.head()
    bad = commit(workflow_repo, "wip", {"web/index.html": "<p>x</p>\n"}, verify=False)
    commit(
        workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>y</p>\n"}, verify=False
    )
    env = {
        "PRE_COMMIT_FROM_REF": base,
        "PRE_COMMIT_TO_REF": workflow_repo.head(),
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
        "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main",
    }
    proc = workflow_repo.taskgate("hook", "pre-push", "--format", "json", input="", env=env)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["rule"], f["path"], f["commit"]) for f in doc["findings"]] == [("TG101", MSG, bad)]


def test_pre_push_of_a_root_under_the_pre_commit_framework(workflow_repo: GitRepo) -> None:
    """A push that reaches the root commit: the framework sets only the local branch."""
    bad = commit(workflow_repo, "wip", {"web/index.html": "<p>x</p>\n"}, verify=False)
    env = {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_NAME": "origin",
           "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main"}  # fmt: skip
    proc = workflow_repo.taskgate("hook", "pre-push", "--format", "json", input="", env=env)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["rule"], f["path"], f["commit"]) for f in doc["findings"]] == [("TG101", MSG, bad)]
    env["PRE_COMMIT_LOCAL_BRANCH"] = "refs/heads/no-such-branch"
    gone = workflow_repo.taskgate("hook", "pre-push", input="", env=env)
    assert gone.returncode == 2
    assert "PRE_COMMIT_LOCAL_BRANCH 'refs/heads/no-such-branch' is not a commit" in gone.stderr
    assert "Traceback" not in gone.stderr


@pytest.mark.slow  # the pre-commit framework
def test_pre_push_through_the_pre_commit_framework(repo: GitRepo, tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit is not None, "pre-commit is a dev dependency"
    config = (
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: taskgate-pre-push\n"
        "        name: taskgate (pre-push)\n"
        f"        entry: {sys.executable} -m taskgate hook pre-push\n"
        "        language: system\n"
        "        always_run: true\n"
        "        pass_filenames: false\n"
        "        stages: [pre-push]\n"
    )
    commit(repo, "chore(lead): set up", {**workflow_files(), ".pre-commit-config.yaml": config},
           verify=False)  # fmt: skip
    remote = bare(tmp_path / "remote.git")
    repo.git("remote", "add", "origin", str(remote.path))
    installed = subprocess.run(
        [pre_commit, "install", "--hook-type", "pre-push"],
        cwd=repo.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    # The scene's push, past the framework's hooks (the push below goes through them).
    first = repo.git("push", "-q", "--no-verify", "origin", "main", check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    bad = commit(repo, "wip", {"web/index.html": "<p>x</p>\n"}, verify=False)
    proc = repo.git("push", "origin", "main", check=False)
    assert proc.returncode != 0
    # pre-commit relays the hook's output on stdout.
    assert pushed_findings(proc.stdout + proc.stderr) == [("TG101", MSG)]
    assert f"{bad[:10]} wip" in proc.stdout + proc.stderr
    assert _ref(remote, "main") != bad

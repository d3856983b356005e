"""`taskgate dispute TASK --reason TEXT [--test NODEID]` and disputes on `taskgate board`.

The first test starts the real console process and commits through the hooks; the others
call the same entry point in process."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.conftest import GitRepo
from tests.support.inprocess import run_main

AGENT = {"TASKGATE_AGENT": "python-coder"}
BOARD_PATH = "shared/task_list.json"


def set_status(repo: GitRepo, task: str, status: str, **extra: object) -> None:
    doc = json.loads((repo.path / BOARD_PATH).read_text())
    for t in doc["tasks"]:
        if t["id"] == task:
            t["status"] = status
            t.update(extra)
    repo.write_json(BOARD_PATH, doc)


@pytest.fixture
def started(workflow_repo: GitRepo) -> GitRepo:
    """T1 (python) in_progress, moved by its coder (the scene: committed without hooks; the
    coder's start through the hooks is the lane tests' subject)."""
    set_status(workflow_repo, "T1", "in_progress")
    workflow_repo.add(BOARD_PATH)
    workflow_repo.commit_no_hooks("chore(python): start T1")
    return workflow_repo


def board(repo: GitRepo) -> dict[str, dict[str, object]]:
    return {t["id"]: t for t in json.loads((repo.path / BOARD_PATH).read_text())["tasks"]}


def commit_line(stdout: str) -> list[str]:
    line = next(x for x in stdout.splitlines() if x.strip().startswith("git commit"))
    return shlex.split(line)


def test_dispute_blocks_the_task_stages_only_the_board_and_commits(started: GitRepo) -> None:
    started.write("services/api/app/__init__.py", "x = 1\n")  # unrelated, unstaged work
    proc = started.taskgate(
        "dispute",
        "T1",
        "--reason",
        "test_missing expects 200 for a\nmissing user",
        "--test",
        "tests/test_users.py::test_missing",
        env=AGENT,
    )
    assert proc.returncode == 0, proc.stderr
    t1 = board(started)["T1"]
    assert t1["status"] == "blocked"
    assert t1["blocked_reason"] == (
        "DISPUTE: test_missing expects 200 for a missing user "
        "(disputed test: tests/test_users.py::test_missing)"
    )
    staged = started.git("diff", "--cached", "--name-only").stdout.split()
    assert staged == [BOARD_PATH]
    argv = commit_line(proc.stdout)
    assert argv[:4] == ["git", "commit", "-m", "chore(python): dispute T1"]
    done = started.git(*argv[1:], env=AGENT, check=False)
    assert done.returncode == 0, done.stderr  # the hooks accept the dispute commit
    assert started.git("status", "--porcelain").stdout.strip() == "M services/api/app/__init__.py"


def test_dispute_from_review_feedback_passes_the_board_rules(workflow_repo: GitRepo) -> None:
    set_status(
        workflow_repo,
        "T1",
        "review_feedback",
        outputs={"files": ["services/api/app/__init__.py"]},
        review_comments=[{"author": "review", "body": "404 please", "resolved": False}],
    )
    workflow_repo.add(BOARD_PATH)
    workflow_repo.commit_no_hooks("chore(lead): review T1")
    proc = run_main(
        "dispute", "T1", "--reason", "the 404 rule contradicts the contract",
        cwd=workflow_repo.path, env=AGENT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    done = workflow_repo.git(*commit_line(proc.stdout)[1:], env=AGENT, check=False)
    assert done.returncode == 0, done.stderr
    assert board(workflow_repo)["T1"]["status"] == "blocked"


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["T1", "--reason", "x"], AGENT, "is 'todo'; a coder disputes a task that is in_progress"),
        (["T2", "--reason", "x"], AGENT, "task T2 belongs to module 'web'"),
        (["T9", "--reason", "x"], AGENT, "no task 'T9'"),
        (["T1", "--reason", "  "], AGENT, "--reason must say why"),
    ],
)
def test_dispute_refuses(
    workflow_repo: GitRepo, args: list[str], env: dict[str, str], says: str
) -> None:
    before = (workflow_repo.path / BOARD_PATH).read_text()
    proc = run_main("dispute", *args, cwd=workflow_repo.path, env=env)
    assert proc.returncode == 2
    assert says in proc.stderr
    assert (workflow_repo.path / BOARD_PATH).read_text() == before
    assert workflow_repo.git("diff", "--cached", "--name-only").stdout == ""


def test_dispute_refuses_a_board_with_unstaged_changes(started: GitRepo) -> None:
    doc = json.loads((started.path / BOARD_PATH).read_text())
    doc["tasks"][0]["outputs"] = {"notes": "wip"}
    started.write_json(BOARD_PATH, doc)
    proc = run_main("dispute", "T1", "--reason", "x", cwd=started.path, env=AGENT)
    assert proc.returncode == 2
    assert "changes that are not staged" in proc.stderr
    assert started.git("diff", "--cached", "--name-only").stdout == ""


def test_board_lists_disputed_tasks_first(started: GitRepo) -> None:
    run_main("dispute", "T1", "--reason", "impossible test", cwd=started.path, env=AGENT)
    text = run_main("board", cwd=started.path, env={"COLUMNS": "200"}).stdout
    lines = text.splitlines()
    assert lines[2] == "DISPUTED (1): a person decides"
    assert lines[3] == "  python: T1 User CRUD: DISPUTE: impossible test"
    assert lines.index("DISPUTED (1): a person decides") < next(
        i for i, line in enumerate(lines) if line.startswith("python ")
    )
    doc = json.loads(run_main("board", "--format", "json", cwd=started.path).stdout)
    assert doc["disputed"] == [
        {
            "id": "T1",
            "module": "python",
            "title": "User CRUD",
            "reason": "DISPUTE: impossible test",
        }
    ]

"""Fixtures and helpers for the lane, board and workflow-file tests.

`lane_repo` is the shared `workflow_repo` fixture (modules python at services/api and
web at web; T1 python todo, T2 web todo depending on T1; the gate off; the hooks
installed), a copy of a repository built once per session.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import GitRepo
from tests.support.inprocess import run_main

TASKS = "shared/task_list.json"
STRUCT = "shared/project_structure.json"
USERS = "services/api/app/users.py"


@pytest.fixture
def lane_repo(workflow_repo: GitRepo) -> GitRepo:
    """A fresh copy of the workflow repository, hooks installed."""
    return workflow_repo


# --- board helpers -----------------------------------------------------------------------


def task(tid: str, assignee: str, status: str = "todo", **fields: Any) -> dict[str, Any]:
    return {"id": tid, "title": f"Task {tid}", "assignee": assignee, "status": status, **fields}


def base(
    t1: str = "todo", t2: str = "todo", t3: str = "todo", **t1_fields: Any
) -> list[dict[str, Any]]:
    """T1 (python), T2 (web, needs T1), T3 (python, needs T1)."""
    return [
        task("T1", "python", t1, **t1_fields),
        task("T2", "web", t2, depends_on=["T1"]),
        task("T3", "python", t3, depends_on=["T1"]),
    ]


def board_doc(tasks: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"version": 1, **top, "tasks": tasks}


def lead_setup(repo: GitRepo, files: dict[str, Any]) -> None:
    """Commit `files` as the lead without hooks: the state a test starts from."""
    for rel, content in files.items():
        if isinstance(content, dict | list):
            repo.write_json(rel, content)
        else:
            repo.write(rel, content)
    repo.add(*files)
    repo.commit_no_hooks("chore(lead): set the scene")


Edit = Callable[[list[dict[str, Any]]], None]


def edit_board(repo: GitRepo, edit: Edit, **top: Any) -> None:
    """Apply `edit` to the committed board's tasks and stage the result."""
    doc = json.loads((repo.path / TASKS).read_text())
    tasks = copy.deepcopy(doc["tasks"])
    edit(tasks)
    doc["tasks"] = tasks
    doc.update(top)
    repo.write_json(TASKS, doc)
    repo.add(TASKS)


# --- findings from a real commit ------------------------------------------------------------


def text_findings(stderr: str) -> list[tuple[str, str]]:
    """(rule, rest of the line) of each text-format finding line."""
    out = []
    for line in stderr.splitlines():
        word, _, rest = line.partition(" ")
        if len(word) == 5 and word.startswith("TG") and word[2:].isdigit():
            for severity in ("error", "warning"):
                if rest.startswith(severity):
                    rest = rest[len(severity) :].lstrip(" ")
            out.append((word, rest))
    return out


def assert_findings(
    proc: subprocess.CompletedProcess[str], expected: list[tuple[str, str]]
) -> None:
    """Exactly the `(rule, path)` findings expected, each on its own line; a rejection
    whenever any is expected, a landed commit otherwise."""
    found = text_findings(proc.stderr)
    unmatched = list(found)
    for rule, path in expected:
        hit = next((f for f in unmatched if f[0] == rule and f[1].startswith(path + ":")), None)
        assert hit is not None, f"no {rule} at {path} in:\n{proc.stderr}"
        unmatched.remove(hit)
    assert not unmatched, f"unexpected findings {unmatched} in:\n{proc.stderr}"
    if expected:
        assert proc.returncode != 0, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def check_json(
    repo: GitRepo, message: str, env: dict[str, str] | None = None
) -> list[tuple[str, str | None]]:
    """(rule, path) pairs from `taskgate check -m message --format json` on the staged state,
    through `cli.main` in this process (the tests that call it also commit for real)."""
    args = ("check", "-m", message, "--format", "json", "--no-gate")
    proc = run_main(*args, cwd=repo.path, env=dict(env) if env else None)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]]

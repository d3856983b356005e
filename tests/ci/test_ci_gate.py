"""The gate in `taskgate ci` (on the tip, for the modules the range touched) and in pre-push."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.ci.support import USERS_V1, bare, board, by_commit, ci_json, commit, pushed_findings
from tests.conftest import GitRepo
from tests.support.inprocess import run_main

PY = shlex.quote(sys.executable)


def _policy(pre_push: bool = False) -> str:
    return (
        f"[gate]\npre_push = {'true' if pre_push else 'false'}\n\n"
        f"[gate.modules.web]\ncommands = [\"{PY} -c 'import sys; sys.exit(3)'\"]\n\n"
        f"[gate.modules.python]\ncommands = [\"{PY} -c 'pass'\"]\n"
    )


@pytest.fixture
def gated(workflow_repo: GitRepo) -> tuple[GitRepo, str]:
    """The lead turns the gate on (web's command always fails); then web and python change."""
    commit(workflow_repo, "chore(lead): turn the gate on", {"taskgate.toml": _policy()},
           verify=False)  # fmt: skip
    base = workflow_repo.head()
    commit(workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>x</p>\n"},
           verify=False)  # fmt: skip
    commit(workflow_repo, "feat(python): start", {
        "shared/task_list.json": board(T1={"status": "in_progress"}),
        "services/api/app/users.py": USERS_V1}, verify=False)  # fmt: skip
    return workflow_repo, base


def test_ci_gates_the_tip_for_each_touched_module(gated: tuple[GitRepo, str]) -> None:
    repo, base = gated
    doc = ci_json(repo, "--range", f"{base}..HEAD", process=False)
    assert by_commit(doc) == {repo.head(): [("TG401", "web")]}
    assert any(note.startswith("gate: python") for note in doc["notes"])
    assert by_commit(ci_json(repo, "--range", f"{base}..HEAD", "--no-gate")) == {}


def test_gate_only_one_module_as_a_matrix_job(gated: tuple[GitRepo, str]) -> None:
    repo, base = gated
    rng = f"{base}..HEAD"
    plan = json.loads(repo.taskgate("ci", "--plan", "--range", rng).stdout)
    assert plan == ["web", "python"]
    web = ci_json(repo, "--gate-only", "--module", "web", "--range", rng, process=False)
    assert by_commit(web) == {repo.head(): [("TG401", "web")]}
    python = ci_json(repo, "--gate-only", "--module", "python", "--range", rng, process=False)
    assert python["findings"] == []
    assert python["ok"] is True
    # Without --module: every touched module's gate, still no per-commit rules.
    repo.git("commit", "-q", "--allow-empty", "--no-verify", "-m", "not conventional")
    both = ci_json(repo, "--gate-only", "--range", f"{base}..HEAD", process=False)
    assert by_commit(both) == {repo.head(): [("TG401", "web")]}


def test_gate_options_misused(gated: tuple[GitRepo, str]) -> None:
    repo, base = gated
    unknown = repo.taskgate("ci", "--gate-only", "--module", "nosuch", "--range", f"{base}..HEAD")
    assert unknown.returncode == 2
    assert "--module nosuch: no such module" in unknown.stderr
    assert "(modules: python, web)" in unknown.stderr
    alone = run_main("ci", "--module", "web", "--range", f"{base}..HEAD", cwd=repo.path)
    assert alone.returncode == 2
    assert "--gate-only" in alone.stderr
    both = run_main("ci", "--gate-only", "--no-gate", "--range", f"{base}..HEAD", cwd=repo.path)
    assert both.returncode == 2


def test_pre_push_gate_only_when_the_policy_says_so(workflow_repo: GitRepo, tmp_path: Path) -> None:
    remote = bare(tmp_path / "remote.git")
    workflow_repo.git("remote", "add", "origin", str(remote.path))
    commit(workflow_repo, "chore(lead): turn the gate on", {"taskgate.toml": _policy()},
           verify=False)  # fmt: skip
    assert workflow_repo.git("push", "-q", "origin", "main", check=False).returncode == 0
    commit(workflow_repo, "docs(lead): reword the page", {"web/index.html": "<p>x</p>\n"},
           verify=False)  # fmt: skip
    off = workflow_repo.git("push", "origin", "main", check=False)
    assert off.returncode == 0, off.stderr
    assert "gate: not run on pre-push" in off.stderr

    commit(workflow_repo, "chore(lead): gate pushes too", {"taskgate.toml": _policy(True)},
           verify=False)  # fmt: skip
    commit(workflow_repo, "docs(lead): reword again", {"web/index.html": "<p>y</p>\n"},
           verify=False)  # fmt: skip
    on = workflow_repo.git("push", "origin", "main", check=False)
    assert on.returncode != 0
    assert pushed_findings(on.stderr) == [("TG401", "web")]

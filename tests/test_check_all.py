"""`taskgate check --all` and `pre-commit run --all-files`: a whole tree, not a change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo, json_findings
from tests.support.framework import PRE_COMMIT, base_env, shared_framework

ROOT = Path(__file__).resolve().parent.parent
RUFF = ROOT / ".venv" / "bin" / "ruff"
BAD_PY = "import os\n\n\ndef f() -> int:\n    return 1\n"  # F401: `os` imported, unused


def _ruff_policy() -> str:
    return f'[gate.modules.python]\ncommands = ["{RUFF} check --no-cache ."]\n'


def test_check_all_gates_every_module_at_head(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("taskgate.toml", _ruff_policy())
    r.write("services/api/app/bad.py", BAD_PY)
    r.add()
    r.commit_no_hooks("chore(lead): a ruff error lands")
    # Nothing staged: the hooks and `check` see no change, `check --all` sees the tree.
    plain = r.taskgate("check", "--format", "json")
    assert json_findings(plain) == []
    proc = r.taskgate("check", "--all", "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert json_findings(proc) == [
        ("TG401", "services/api"),
        ("TG401", "services/api/app/bad.py"),  # the line ruff names
    ]
    assert "F401" in "\n".join(json.loads(proc.stdout)["findings"][0]["snippet"])


def test_check_all_worktree_sees_unstaged_edits(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    r.write("taskgate.toml", _ruff_policy())
    r.add()
    r.commit_no_hooks("chore(lead): ruff")
    head = r.taskgate("check", "--all", "--format", "json")
    assert json_findings(head) == [], head.stdout
    r.write("services/api/app/__init__.py", BAD_PY)  # edited, not staged
    index_before = (r.path / ".git" / "index").read_bytes()
    assert json_findings(r.taskgate("check", "--all", "--format", "json")) == []
    proc = r.taskgate("check", "--all", "--worktree", "--format", "json")
    assert json_findings(proc) == [
        ("TG401", "services/api"),
        ("TG401", "services/api/app/__init__.py"),  # the line ruff names
    ]
    assert (r.path / ".git" / "index").read_bytes() == index_before
    assert r.git("status", "--porcelain").stdout == " M services/api/app/__init__.py\n"


def test_check_all_judges_the_workflow_files(workflow_repo: GitRepo) -> None:
    r = workflow_repo
    board = json.loads((r.path / "shared/task_list.json").read_text())
    board["tasks"][0]["status"] = "started"
    r.write_json("shared/task_list.json", board)
    r.add()
    r.commit_no_hooks("chore(lead): a bad board lands")
    proc = r.taskgate("check", "--all", "--no-gate", "--format", "json")
    assert proc.returncode == 1
    assert ("TG302", "shared/task_list.json") in json_findings(proc)


def test_check_all_usage(workflow_repo: GitRepo, tmp_path: Path) -> None:
    assert workflow_repo.taskgate("check", "--worktree").returncode == 2
    assert workflow_repo.taskgate("check", "--all", "-m", "feat(web): x").returncode == 2
    empty = GitRepo(tmp_path / "empty")
    empty.path.mkdir()
    empty.git("init", "-q")
    empty_proc = empty.taskgate("check", "--all")
    assert empty_proc.returncode == 2
    assert "--worktree" in empty_proc.stderr


def test_hooks_manifest_offers_pre_merge_commit() -> None:
    proc = subprocess.run(
        [str(PRE_COMMIT), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: taskgate-pre-merge-commit" in text
    assert "stages: [pre-merge-commit]" in text


CONFIG = """default_install_hook_types: [pre-commit, commit-msg, pre-merge-commit]
repos:
  - repo: {source}
    rev: v0.1.0
    hooks: [{{id: taskgate}}, {{id: taskgate-commit-msg}}, {{id: taskgate-pre-merge-commit}}]
"""


@pytest.mark.slow
def test_pre_commit_run_all_files_fails_on_a_committed_ruff_error(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Lead\n\temail = lead@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    env = base_env(home)
    # The source repository and the framework's home are the run's (tests/support/framework.py).
    framework = shared_framework(tmp_path_factory)
    env["PRE_COMMIT_HOME"] = str(framework.home)
    source = framework.source

    def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)

    consumer = GitRepo(tmp_path / "consumer")
    consumer.path.mkdir()
    assert run(["git", "init", "-q", "-b", "main"], consumer.path).returncode == 0
    consumer.write(".pre-commit-config.yaml", CONFIG.format(source=source))
    consumer.write_json(
        "shared/project_structure.json",
        {"version": 1, "modules": {"python": {"path": "services/api", "agent": "py",
                                              "language": "python"}}},
    )  # fmt: skip
    consumer.write_json(
        "shared/task_list.json",
        {"version": 1, "tasks": [{"id": "T1", "title": "x", "assignee": "python",
                                  "status": "in_progress"}]},
    )  # fmt: skip
    consumer.write("taskgate.toml", _ruff_policy())
    consumer.write("services/api/pyproject.toml", '[project]\nname = "api"\nversion = "0"\n')
    consumer.write("services/api/app.py", BAD_PY)
    for args in (["git", "add", "."],
                 ["git", "commit", "-q", "--no-verify", "-m", "chore(lead): ruff error lands"],
                 [str(PRE_COMMIT), "install"]):  # fmt: skip
        done = run(args, consumer.path)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "pre-commit" in (consumer.path / ".git/hooks/pre-merge-commit").read_text()

    # A plain run sees no staged change; --all-files sees the committed ruff error.
    plain = run([str(PRE_COMMIT), "run"], consumer.path)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    every = run([str(PRE_COMMIT), "run", "--all-files"], consumer.path)
    assert every.returncode == 1, every.stdout + every.stderr
    out = every.stdout + every.stderr
    assert "TG401 error  services/api:" in out
    assert "F401" in out
    # The framework ran taskgate from an environment of its own, not from this one.
    assert list(framework.home.glob("repo*/py_env-*/bin/taskgate"))

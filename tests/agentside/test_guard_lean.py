"""The guard's lean path (issue 16's 50 ms budget): a real `python -m taskgate guard` process
starts one git process and loads neither argparse nor cli.py, yet judges as before.

Events are Claude Code PreToolUse inputs (https://docs.claude.com/en/docs/claude-code/hooks:
"cwd", "hook_event_name", "tool_name", "tool_input" with an absolute "file_path" for
Write and a "command" for Bash). git is the real git, reached through a logging wrapper
script put first on PATH, so each process the guard starts is counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PYTHON, GitRepo
from tests.support.gitlog import counting_git


def event(repo: Path, tool: str, tool_input: dict[str, str]) -> str:
    return json.dumps({"session_id": "s", "cwd": str(repo), "hook_event_name": "PreToolUse",
                       "tool_name": tool, "tool_input": tool_input})  # fmt: skip


def run_guard(repo: Path, stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "taskgate", "guard", "--runtime", "claude-code"],
        cwd=repo, input=stdin, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("how", ["environment", "worktree config"])
def test_one_git_process_then_none(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The first call after HEAD moves starts one git process and leaves the lane map; the
    calls after it start none (the quick path), with the same answers."""
    repo = workflow_repo.path
    if how == "environment":
        monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    else:
        workflow_repo.git("config", "extensions.worktreeConfig", "true")
        workflow_repo.git("config", "--worktree", "taskgate.agent", "python-coder")
    path, log = counting_git(tmp_path, whole_line=True)
    env = {**os.environ, **path}
    cases = [
        (event(repo, "Write", {"file_path": str(repo / "services/api/app/x.py")}), 0, None),
        (event(repo, "Write", {"file_path": str(repo / "web/x.ts")}), 2, "TG201"),
        (event(repo, "Bash", {"command": "git commit --no-verify -m x"}), 2, "TG801"),
        (event(repo, "Bash", {"command": "pytest -q && git commit -m x"}), 0, None),
    ]
    for round_ in ("first", "warm", "after a commit"):
        if round_ == "after a commit":
            workflow_repo.write("services/api/app/y.py", "Y = 1\n")
            workflow_repo.add()
            workflow_repo.commit_no_hooks("feat(python): y")
        for n, (stdin, status, rule) in enumerate(cases):
            log.write_text("")
            proc = run_guard(repo, stdin, env)
            assert proc.returncode == status, proc.stderr
            if rule is not None:
                assert proc.stderr.startswith(f"{rule} error"), proc.stderr
            if rule == "TG201":
                assert "web/x.ts" in proc.stderr.split("\n")[0]
            full_path = n == 0 and round_ != "warm"
            assert log.read_text().splitlines() == (["cat-file --batch"] if full_path else [])
    log.write_text("")  # a command that writes files asks git where the hooks folder is
    proc = run_guard(repo, event(repo, "Bash", {"command": "rm -rf build"}), env)
    assert proc.returncode == 0, proc.stderr
    assert log.read_text().splitlines() == [f"-C {repo} rev-parse --git-path hooks"]
    proc = run_guard(repo, event(repo, "Bash", {"command": "rm -rf .git/hooks"}), env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("TG804 error"), proc.stderr


def test_without_an_identity_in_the_repository_git_config_is_asked(
    workflow_repo: GitRepo, tmp_path: Path
) -> None:
    """The global file may name the agent: git answers (a second process), and does."""
    repo = workflow_repo.path
    workflow_repo.git("config", "--global", "taskgate.agent", "python-coder")
    path, log = counting_git(tmp_path, whole_line=True)
    env = {**os.environ, **path}
    proc = run_guard(repo, event(repo, "Write", {"file_path": str(repo / "web/x.ts")}), env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("TG201 error  web/x.ts"), proc.stderr
    assert sorted(log.read_text().splitlines()) == ["cat-file --batch", "config -z --list"]
    log.write_text("")  # the next call: the quick path, which asks git config alone
    proc = run_guard(repo, event(repo, "Write", {"file_path": str(repo / "web/x.ts")}), env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("TG201 error  web/x.ts"), proc.stderr
    assert log.read_text().splitlines() == [f"-C {repo} config -z --list"]


# What neither path loads, and what the quick path (a lane map for HEAD) leaves out too.
NEVER = {"argparse", "taskgate.cli", "jsonschema", "glob"}
NOT_QUICK = {
    "taskgate.agentside.guard", "taskgate.git", "taskgate.git.process", "taskgate.git.objects",
    "taskgate.git.repo", "taskgate.builders", "taskgate.change", "taskgate.policy",
    "taskgate.policytoml", "taskgate.actors", "taskgate.gitsides", "taskgate.rules.registry",
    "taskgate.rules.lanes", "taskgate.rules.catalog", "taskgate.workflow.structure",
    "taskgate.report.text", "pathlib", "subprocess", "tomllib", "json", "dataclasses",
}  # fmt: skip
# Nor these: the quick path loads no `typing`, `re` or `enum`, a shell command included.
NOT_QUICK_STDLIB = {"typing", "re", "enum", "shlex", "taskgate.finding", "collections"}


def imported(repo: Path, stdin: str) -> tuple[int, list[str], set[str]]:
    """A real guard process's exit status, what it said, and what it imported. It runs what
    the console script runs (`python -m` would load runpy, and with it `collections`)."""
    script = "import sys; from taskgate.launch import main; sys.exit(main())"
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", script, "guard", "--runtime", "claude-code"],
        cwd=repo, input=stdin, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = proc.stderr.splitlines()
    said = [line for line in lines if not line.startswith("import time:")]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in lines if "|" in line}
    return proc.returncode, said, loaded


def test_the_guard_loads_no_argparse_and_no_cli(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a real guard process imports (`-X importtime` lists it on stderr): the first
    call takes the full path (the rules), the next ones the quick path (none of them)."""
    repo = workflow_repo.path
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    edit = event(repo, "Write", {"file_path": str(repo / "services/api/app/x.py")})
    status, said, loaded = imported(repo, edit)
    assert status == 0, said
    assert "taskgate.agentside.guard" in loaded
    assert "taskgate.rules.lanes" in loaded
    assert not loaded & NEVER
    for stdin, expected in (
        (edit, 0),
        (event(repo, "Write", {"file_path": str(repo / "web/x.ts")}), 2),
        (event(repo, "Bash", {"command": "git push --force origin main"}), 2),
    ):
        status, said, loaded = imported(repo, stdin)
        assert status == expected, said
        if status:
            assert said[0].startswith(("TG201 error  web/x.ts", "TG802 error")), said
        assert "taskgate.agentside.quick" in loaded
        assert not loaded & (NEVER | NOT_QUICK), loaded & (NEVER | NOT_QUICK)
        assert not loaded & NOT_QUICK_STDLIB, loaded & NOT_QUICK_STDLIB


def test_a_guard_that_cannot_load_still_blocks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fail closed before any event is read: exit 2 (Claude Code's block), never 1."""
    from taskgate.agentside import run_guard as guard_entry

    monkeypatch.setitem(sys.modules, "taskgate.agentside.guard", None)  # import fails
    assert guard_entry(["--runtime", "claude-code"]) == 2
    assert capsys.readouterr().err.startswith("TG807 taskgate guard cannot run, so it blocks")

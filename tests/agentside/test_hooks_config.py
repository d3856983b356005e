"""`taskgate agent hooks --runtime R [--module M] [--check]`: golden files, merging, checks.

Event and tool names come from each runtime's documentation: Claude Code
https://docs.claude.com/en/docs/claude-code/hooks (settings.json, PreToolUse with a
tool-name matcher), Codex https://developers.openai.com/codex/hooks (.codex/hooks.json,
the same shape), Gemini CLI https://geminicli.com/docs/hooks/reference (settings.json,
BeforeTool with a regex matcher, timeout in ms), Cursor https://cursor.com/docs/hooks
(.cursor/hooks.json, version 1, camelCase events).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from taskgate.agentside.hooksconfig import RUNTIME_TABLE
from tests.conftest import GitRepo
from tests.support.inprocess import run_main

GOLDEN = Path(__file__).parent / "golden"


def _tg(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`taskgate ARGS` in process (the same entry point); the golden test's first write
    is the real console process."""
    return run_main(*args, cwd=repo.path)


RUNTIMES = list(RUNTIME_TABLE)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_written_file_matches_the_golden_file(runtime: str, workflow_repo: GitRepo) -> None:
    proc = workflow_repo.taskgate("agent", "hooks", "--runtime", runtime, "--module", "python")
    assert proc.returncode == 0, proc.stderr
    written = workflow_repo.path / RUNTIME_TABLE[runtime].file
    assert written.read_text() == (GOLDEN / f"{runtime}.json").read_text()
    check = _tg(
        workflow_repo, "agent", "hooks", "--runtime", runtime, "--module", "python", "--check"
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().endswith(": ok")
    # Writing twice changes nothing (the old entry is replaced, not doubled).
    _tg(workflow_repo, "agent", "hooks", "--runtime", runtime, "--module", "python")
    assert written.read_text() == (GOLDEN / f"{runtime}.json").read_text()


def test_merge_keeps_other_keys_and_hooks(workflow_repo: GitRepo) -> None:
    settings = workflow_repo.path / ".claude/settings.json"
    settings.parent.mkdir()
    mine = {"matcher": "Write", "hooks": [{"type": "command", "command": "prettier -w"}]}
    old = {
        "matcher": "Bash",
        "hooks": [{"type": "command", "command": "taskgate guard --runtime claude-code"}],
    }
    settings.write_text(
        json.dumps(
            {
                "permissions": {"allow": ["Bash(pytest:*)"]},
                "hooks": {"PreToolUse": [mine, old], "PostToolUse": [mine]},
                "model": "opus",
            }
        )
    )
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "claude-code")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(settings.read_text())
    assert doc["permissions"] == {"allow": ["Bash(pytest:*)"]}
    assert doc["model"] == "opus"
    assert doc["hooks"]["PostToolUse"] == [mine]
    pre = doc["hooks"]["PreToolUse"]
    assert pre[0] == mine
    assert len(pre) == 2
    assert pre[1]["matcher"] == "Write|Edit|MultiEdit|NotebookEdit|Bash"


@pytest.mark.parametrize(
    ("runtime", "wrong", "right"),
    [
        ("claude-code", "PreToolUSE", "PreToolUse"),
        ("claude-code", "PreToolUsse", "PreToolUse"),
        ("codex", "PreToolUze", "PreToolUse"),
        ("gemini", "BeforeTools", "BeforeTool"),
        ("cursor", "beforeShellExec", "beforeShellExecution"),
    ],
)
def test_check_catches_a_misspelt_event(
    runtime: str, wrong: str, right: str, workflow_repo: GitRepo
) -> None:
    _tg(workflow_repo, "agent", "hooks", "--runtime", runtime)
    path = workflow_repo.path / RUNTIME_TABLE[runtime].file
    doc = json.loads(path.read_text())
    doc["hooks"][wrong] = [{"command": "echo hi"}]
    path.write_text(json.dumps(doc))
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", runtime, "--check")
    assert proc.returncode == 1
    assert f"hooks.{wrong}: not a {runtime} event (did you mean {right}?)" in proc.stdout
    # Writing refuses to paper over it.
    again = _tg(workflow_repo, "agent", "hooks", "--runtime", runtime)
    assert again.returncode == 2
    assert wrong in again.stderr


def test_check_catches_a_misspelt_tool_in_the_matcher(workflow_repo: GitRepo) -> None:
    _tg(workflow_repo, "agent", "hooks", "--runtime", "claude-code")
    path = workflow_repo.path / ".claude/settings.json"
    path.write_text(path.read_text().replace("MultiEdit", "MultiEdt"))
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "claude-code", "--check")
    assert proc.returncode == 1
    assert "matcher names 'MultiEdt', not a claude-code tool (did you mean MultiEdit?)" in (
        proc.stdout
    )


def test_check_warns_on_an_unknown_event_and_fails_on_a_missing_file(
    workflow_repo: GitRepo,
) -> None:
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "gemini", "--check")
    assert proc.returncode == 1
    assert "the file does not exist" in proc.stdout
    _tg(workflow_repo, "agent", "hooks", "--runtime", "gemini")
    path = workflow_repo.path / ".gemini/settings.json"
    doc = json.loads(path.read_text())
    doc["hooks"]["OnSomethingNew"] = []
    path.write_text(json.dumps(doc))
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "gemini", "--check")
    assert proc.returncode == 0, proc.stdout
    assert "hooks.OnSomethingNew: not in taskgate's list" in proc.stdout


def test_check_catches_a_removed_guard_and_a_wrong_cursor_version(workflow_repo: GitRepo) -> None:
    _tg(workflow_repo, "agent", "hooks", "--runtime", "cursor")
    path = workflow_repo.path / ".cursor/hooks.json"
    doc = json.loads(path.read_text())
    doc["version"] = 2
    del doc["hooks"]["beforeShellExecution"]
    path.write_text(json.dumps(doc))
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "cursor", "--check")
    assert proc.returncode == 1
    assert "hooks.beforeShellExecution: taskgate's guard entry is missing" in proc.stdout
    assert "version must be 1" in proc.stdout


def test_unknown_module_and_broken_file_are_usage_errors(workflow_repo: GitRepo) -> None:
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "codex", "--module", "nope")
    assert proc.returncode == 2
    assert "no module named 'nope'" in proc.stderr
    (workflow_repo.path / ".codex").mkdir()
    (workflow_repo.path / ".codex/hooks.json").write_text("{oops")
    proc = _tg(workflow_repo, "agent", "hooks", "--runtime", "codex")
    assert proc.returncode == 2
    assert "not valid JSON" in proc.stderr
    assert (workflow_repo.path / ".codex/hooks.json").read_text() == "{oops"

"""`taskgate guard` end to end, per runtime, with real-shaped events (sources: support.py).

Each case runs against a real repository (the `workflow_repo` fixture: modules python at
services/api and web at web, the policy at HEAD) and reads the verdict back on the
runtime's own channel.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from taskgate.agentside import guard as guard_module
from tests.agentside.support import (
    RUNTIMES,
    assert_allowed,
    assert_blocked,
    edit_event,
    guard,
    shell_event,
)
from tests.conftest import PYTHON, GitRepo, run_taskgate


@pytest.fixture
def coder(workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The python module's agent is at work (TASKGATE_AGENT names it)."""
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    for name in (
        "CLAUDE_PROJECT_DIR",
        "GEMINI_PROJECT_DIR",
        "CODEX_PROJECT_DIR",
        "CURSOR_PROJECT_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    return workflow_repo


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_edit_inside_the_lane_is_allowed(runtime: str, coder: GitRepo) -> None:
    assert_allowed(
        runtime, guard(runtime, edit_event(runtime, coder.path, "services/api/app/u.py"))
    )


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_board_and_api_folder_are_allowed(runtime: str, coder: GitRepo) -> None:
    for rel in ("shared/task_list.json", "shared/api/openapi.json"):
        assert_allowed(runtime, guard(runtime, edit_event(runtime, coder.path, rel)))


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_edit_in_another_module_is_blocked_with_the_lane_rule(runtime: str, coder: GitRepo) -> None:
    verdict = guard(runtime, edit_event(runtime, coder.path, "web/app.ts"))
    assert_blocked(runtime, verdict, "TG201")
    # The hooks' own message and hint, path included.
    text = verdict.stdout if runtime == "cursor" else verdict.stderr
    assert "web/app.ts: outside module 'python' (services/api/), in module 'web'" in text
    assert "ask the owner of 'web'" in text


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_edit_of_a_lead_only_file_is_blocked(runtime: str, coder: GitRepo) -> None:
    for rel in ("taskgate.toml", "shared/project_structure.json", ".github/workflows/ci.yml"):
        assert_blocked(runtime, guard(runtime, edit_event(runtime, coder.path, rel)), "TG204")


BYPASSES = [
    ("git commit --no-verify -m 'feat(python): x'", "TG801"),
    ("git commit -n -m 'feat(python): x'", "TG801"),
    ("git push --no-verify origin main", "TG801"),
    ("git push -n origin main", "TG801"),
    ("git push --force origin main", "TG802"),
    ("git config core.hooksPath /dev/null", "TG803"),
    ("chmod -x .git/hooks/*", "TG804"),
    ("rm -f .git/hooks/commit-msg", "TG804"),
    ("git update-ref refs/heads/main HEAD", "TG805"),
    ("git replace HEAD HEAD", "TG805"),
    ("git filter-branch --msg-filter cat HEAD", "TG805"),
    ("env GIT_EDITOR=true bash -c 'pytest && git commit --no-verify -m x'", "TG801"),
]


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize(("command", "rule"), BYPASSES, ids=[c for c, _ in BYPASSES])
def test_bypass_commands_are_blocked(runtime: str, command: str, rule: str, coder: GitRepo) -> None:
    assert_blocked(runtime, guard(runtime, shell_event(runtime, coder.path, command)), rule)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_ordinary_commands_are_allowed(runtime: str, coder: GitRepo) -> None:
    for command in ("pytest -q && ruff check .", "git commit -m 'feat(python): x'", "git status"):
        assert_allowed(runtime, guard(runtime, shell_event(runtime, coder.path, command)))


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_corrupted_policy_blocks(runtime: str, coder: GitRepo) -> None:
    coder.write("taskgate.toml", "[gate\nenabled = ")
    coder.add("taskgate.toml")
    coder.commit(
        "chore(lead): break the policy", "--no-verify", check=True, env={"TASKGATE_AGENT": ""}
    )
    for event in (
        edit_event(runtime, coder.path, "services/api/app/u.py"),
        shell_event(runtime, coder.path, "git status"),
    ):
        assert_blocked(runtime, guard(runtime, event), "TG807")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_corrupted_module_map_blocks(runtime: str, coder: GitRepo) -> None:
    coder.write("shared/project_structure.json", '{"modules": [}')
    coder.add()
    coder.commit("chore(lead): break the map", "--no-verify", check=True)
    verdict = guard(runtime, edit_event(runtime, coder.path, "services/api/app/u.py"))
    assert_blocked(runtime, verdict, "TG310")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_event_that_is_not_json_blocks(runtime: str, coder: GitRepo) -> None:
    assert_blocked(runtime, guard(runtime, b"{not json"), "TG807")
    assert_blocked(runtime, guard(runtime, b'["a list"]'), "TG807")
    bad = {"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": 5}
    assert_blocked(runtime, guard(runtime, bad), "TG807")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_crash_blocks(runtime: str, coder: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(guard_module, "judge", boom)
    verdict = guard(runtime, edit_event(runtime, coder.path, "services/api/app/u.py"))
    assert_blocked(runtime, verdict, "TG807")
    assert "simulated crash" in (verdict.stdout + verdict.stderr)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_without_an_actor_edits_pass_and_bypasses_do_not(
    runtime: str, workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    repo = workflow_repo.path
    assert_allowed(runtime, guard(runtime, edit_event(runtime, repo, "web/app.ts")))
    assert_allowed(runtime, guard(runtime, edit_event(runtime, repo, "taskgate.toml")))
    assert_blocked(
        runtime, guard(runtime, shell_event(runtime, repo, "git commit -n -m x")), "TG801"
    )


def test_unknown_agent_identity_blocks(coder: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKGATE_AGENT", "pyhton-coder")
    verdict = guard("claude-code", edit_event("claude-code", coder.path, "services/api/x.py"))
    assert_blocked("claude-code", verdict, "TG807")
    assert "pyhton-coder" in verdict.stderr


def test_worktree_scoped_git_config_names_the_actor(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    workflow_repo.git("config", "extensions.worktreeConfig", "true")
    workflow_repo.git("config", "--worktree", "taskgate.agent", "frontend-coder")
    repo = workflow_repo.path
    assert_allowed("claude-code", guard("claude-code", edit_event("claude-code", repo, "web/a.ts")))
    verdict = guard("claude-code", edit_event("claude-code", repo, "services/api/x.py"))
    assert_blocked("claude-code", verdict, "TG201")


def test_linked_worktree_of_an_agent(
    workflow_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent in its own linked worktree, named by that worktree's config alone."""
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    tree = tmp_path / "web-agent"
    workflow_repo.git("worktree", "add", "-q", "-b", "web-work", str(tree))
    workflow_repo.git("config", "extensions.worktreeConfig", "true")
    workflow_repo.git("config", "--worktree", "taskgate.agent", "frontend-coder", cwd=tree)
    ok = guard("claude-code", edit_event("claude-code", tree, "web/app.ts"))
    assert_allowed("claude-code", ok)
    verdict = guard("claude-code", edit_event("claude-code", tree, "services/api/x.py"))
    assert_blocked("claude-code", verdict, "TG201")
    # The main worktree has no identity: its edits are not judged.
    main = guard("claude-code", edit_event("claude-code", workflow_repo.path, "services/api/x.py"))
    assert_allowed("claude-code", main)
    hooks = guard("claude-code", shell_event("claude-code", tree, "chmod -x ../repo/.git/hooks/*"))
    assert_blocked("claude-code", hooks, "TG804")


def test_module_option_names_the_actor_and_must_agree(
    workflow_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TASKGATE_AGENT", raising=False)
    repo = workflow_repo.path
    event = edit_event("claude-code", repo, "web/a.ts")
    assert_blocked("claude-code", guard("claude-code", event, "--module", "python"), "TG201")
    assert_allowed("claude-code", guard("claude-code", event, "--module", "web"))
    monkeypatch.setenv("TASKGATE_AGENT", "python-coder")
    assert_blocked("claude-code", guard("claude-code", event, "--module", "web"), "TG807")


def test_claude_code_edit_tools_and_paths(coder: GitRepo) -> None:
    """Edit, MultiEdit and NotebookEdit as Claude Code sends them; `..` and symlinks resolve."""
    repo = coder.path
    base = edit_event("claude-code", repo, "x")
    cases = [
        (
            "Edit",
            {"file_path": str(repo / "web/index.html"), "old_string": "a", "new_string": "b"},
            "TG201",
        ),
        (
            "MultiEdit",
            {
                "file_path": str(repo / "web/index.html"),
                "edits": [{"old_string": "a", "new_string": "b"}],
            },
            "TG201",
        ),
        ("NotebookEdit", {"notebook_path": str(repo / "web/n.ipynb"), "new_source": "x"}, "TG201"),
        ("Write", {"file_path": str(repo / "services/api/../../web/x.ts"), "content": ""}, "TG201"),
        ("Write", {"file_path": str(repo / ".git/hooks/pre-commit"), "content": ""}, "TG804"),
        ("Write", {"file_path": str(repo / ".git/config"), "content": ""}, "TG804"),
        ("Write", {"file_path": str(repo / ".claude/settings.json"), "content": "{}"}, "TG804"),
    ]
    for tool, tool_input, rule in cases:
        event = {**base, "tool_name": tool, "tool_input": tool_input}
        assert_blocked("claude-code", guard("claude-code", event), rule)
    os.symlink("../../web", repo / "services/api/web-link")
    event = {**base, "tool_input": {"file_path": str(repo / "services/api/web-link/i.html")}}
    assert_blocked("claude-code", guard("claude-code", event), "TG201")
    read = {**base, "tool_name": "Read", "tool_input": {"file_path": str(repo / "web/index.html")}}
    assert_allowed("claude-code", guard("claude-code", read))


def test_codex_patch_touching_two_modules_is_blocked(coder: GitRepo) -> None:
    patch = (
        "*** Begin Patch\n*** Update File: services/api/app/__init__.py\n@@\n+x = 1\n"
        "*** Update File: web/index.html\n@@\n+<p/>\n*** End Patch\n"
    )
    event = edit_event("codex", coder.path, "x")
    event["tool_input"] = {"command": patch}
    assert_blocked("codex", guard("codex", event), "TG201")


def test_cursor_after_file_edit_reports_what_slipped_by(coder: GitRepo) -> None:
    event = {
        "conversation_id": "c-1",
        "generation_id": "g-1",
        "hook_event_name": "afterFileEdit",
        "workspace_roots": [str(coder.path)],
        "file_path": str(coder.path / "web/index.html"),
        "edits": [{"old_string": "hi", "new_string": "ho"}],
    }
    verdict = guard("cursor", event)
    assert_blocked("cursor", verdict, "TG201")
    assert "already made" in verdict.stderr


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_rebase_of_pushed_history_is_blocked(runtime: str, coder: GitRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    coder.git("init", "-q", "--bare", str(remote))
    coder.git("remote", "add", "origin", str(remote))
    coder.git("push", "-q", "--no-verify", "origin", "main")
    coder.git("fetch", "-q", "origin")
    for i in range(2):
        coder.write(f"docs/n{i}.md", "x\n")
        coder.add()
        coder.commit(f"docs(lead): note {i}", "--no-verify", check=True)
    for command in ("git rebase -i --root", "git rebase --root main"):
        blocked = guard(runtime, shell_event(runtime, coder.path, command))
        assert_blocked(runtime, blocked, "TG806")
    for command in ("git rebase -i origin/main", "git rebase main~2 main", "git rebase --abort"):
        fine = guard(runtime, shell_event(runtime, coder.path, command))
        assert_allowed(runtime, fine)


# --- the real process: exit status and channels, as the runtime sees them ---------------


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_real_process_blocks_with_exit_2(runtime: str, coder: GitRepo) -> None:
    event = json.dumps(edit_event(runtime, coder.path, "web/app.ts"))
    proc = run_taskgate("guard", "--runtime", runtime, cwd=coder.path, input=event)
    assert proc.returncode == 2, proc
    channel = proc.stdout if runtime == "cursor" else proc.stderr
    assert "TG201" in channel
    ok = json.dumps(edit_event(runtime, coder.path, "services/api/app/u.py"))
    proc = run_taskgate("guard", "--runtime", runtime, cwd=coder.path, input=ok)
    assert proc.returncode == 0, proc


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_real_process_fails_closed_outside_a_repository(runtime: str, tmp_path: Path) -> None:
    event = json.dumps(shell_event(runtime, tmp_path, "ls"))
    proc = run_taskgate("guard", "--runtime", runtime, cwd=tmp_path, input=event)
    assert proc.returncode == 2
    assert "TG807" in proc.stderr


def test_bad_arguments_block_too(tmp_path: Path) -> None:
    for args in (["guard"], ["guard", "--runtime", "vim"], ["guard", "--runtime"]):
        proc = run_taskgate(*args, cwd=tmp_path, input="{}")
        assert proc.returncode == 2, args
        assert "TG807" in proc.stderr


def test_guard_process_keeps_heavy_imports_out(coder: GitRepo) -> None:
    """Through the CLI's entry: no argparse, jsonschema or tomllib (policy cache warm)."""
    import subprocess

    event = json.dumps(edit_event("claude-code", coder.path, "web/x.ts"))
    code = (
        "import sys; from taskgate.cli import main; "
        "status = main(['guard', '--runtime', 'claude-code']); "
        "print(status, [m for m in ('jsonschema', 'argparse', 'tomllib') if m in sys.modules])"
    )
    for _ in range(2):  # the first run parses the policy and fills the cache
        out = subprocess.run(
            [PYTHON, "-c", code], cwd=coder.path, input=event, capture_output=True, text=True,
            check=True,
        ).stdout.split(None, 1)  # fmt: skip
    assert out[0] == "2"
    assert out[1].strip() == "[]"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_repository_without_a_module_map(runtime: str, repo: GitRepo) -> None:
    """No project_structure.json: no lanes to judge edits by; the bypasses still blocked."""
    repo.write("README.md", "hi\n")
    repo.add()
    repo.commit("docs: start", check=True)
    assert_allowed(runtime, guard(runtime, edit_event(runtime, repo.path, "src/x.py")))
    blocked = guard(runtime, shell_event(runtime, repo.path, "git commit --no-verify -m x"))
    assert_blocked(runtime, blocked, "TG801")

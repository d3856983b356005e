"""Real-shaped tool-call events of the four runtimes, and the guard's answer read back.

The shapes follow each runtime's documentation:
- Claude Code, PreToolUse input: https://docs.claude.com/en/docs/claude-code/hooks
  ("session_id", "transcript_path", "cwd", "permission_mode", "hook_event_name",
  "tool_name", "tool_input"; Write/Edit/MultiEdit take an absolute "file_path",
  NotebookEdit a "notebook_path", Bash a "command"). Exit 2 blocks, stderr is the reason.
- Codex CLI hooks: https://developers.openai.com/codex/hooks (the Claude Code wire format;
  "Bash" with tool_input.command, "apply_patch" with the patch body in tool_input.command,
  openai/codex#18391). Exit 2 blocks with the reason on stderr.
- Gemini CLI, BeforeTool: https://geminicli.com/docs/hooks/reference ("session_id",
  "transcript_path", "cwd", "hook_event_name", "timestamp", "tool_name" such as
  write_file/replace/run_shell_command, "tool_input"). Exit 2 is a system block.
- Cursor: https://cursor.com/docs/hooks ("conversation_id", "generation_id",
  "hook_event_name", "workspace_roots"; beforeShellExecution adds "command" and "cwd",
  preToolUse "tool_name"/"tool_input", afterFileEdit "file_path" and "edits"); the answer
  is {"permission": "allow"|"deny", "user_message", "agent_message"}.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.agentside.guard import run

RUNTIMES = ("claude-code", "codex", "gemini", "cursor")


def edit_event(runtime: str, repo: Path, rel: str, content: str = "x = 1\n") -> dict[str, Any]:
    """A file write as the runtime describes it (absolute path, like the runtimes send)."""
    path = str(repo / rel)
    if runtime == "claude-code":
        return {
            "session_id": "0f3a2c",
            "transcript_path": "/home/dev/.claude/projects/p/0f3a2c.jsonl",
            "cwd": str(repo),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": path, "content": content},
        }
    if runtime == "codex":
        patch = f"*** Begin Patch\n*** Add File: {rel}\n+{content}*** End Patch\n"
        return {
            "session_id": "s-1",
            "transcript_path": None,
            "cwd": str(repo),
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "tool_use_id": "call_1",
            "tool_name": "apply_patch",
            "tool_input": {"command": patch},
        }
    if runtime == "gemini":
        return {
            "session_id": "g-1",
            "transcript_path": "/home/dev/.gemini/tmp/chats/g-1.json",
            "cwd": str(repo),
            "hook_event_name": "BeforeTool",
            "timestamp": "2026-12-02T22:00:00Z",
            "tool_name": "write_file",
            "tool_input": {"file_path": path, "content": content},
        }
    return {
        "conversation_id": "c-1",
        "generation_id": "g-1",
        "hook_event_name": "preToolUse",
        "workspace_roots": [str(repo)],
        "tool_name": "Write",
        "tool_input": {"file_path": path, "contents": content},
    }


def shell_event(runtime: str, repo: Path, command: str) -> dict[str, Any]:
    if runtime == "claude-code":
        return {
            "session_id": "0f3a2c",
            "transcript_path": "/home/dev/.claude/projects/p/0f3a2c.jsonl",
            "cwd": str(repo),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command, "description": "run it"},
        }
    if runtime == "codex":
        return {
            "session_id": "s-1",
            "transcript_path": None,
            "cwd": str(repo),
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "tool_use_id": "call_2",
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    if runtime == "gemini":
        return {
            "session_id": "g-1",
            "transcript_path": "/home/dev/.gemini/tmp/chats/g-1.json",
            "cwd": str(repo),
            "hook_event_name": "BeforeTool",
            "timestamp": "2026-12-02T22:00:00Z",
            "tool_name": "run_shell_command",
            "tool_input": {"command": command, "description": "run it"},
        }
    return {
        "conversation_id": "c-1",
        "generation_id": "g-1",
        "hook_event_name": "beforeShellExecution",
        "workspace_roots": [str(repo)],
        "command": command,
        "cwd": str(repo),
    }


class Verdict(NamedTuple):
    status: int
    stdout: str
    stderr: str

    @property
    def blocked(self) -> bool:
        return self.status == 2

    def rules(self, runtime: str) -> list[str]:
        """Rule ids on the runtime's channel: stderr, or Cursor's JSON agent_message."""
        if runtime == "cursor":
            doc = json.loads(self.stdout)
            text = doc.get("agent_message", "") if doc.get("permission") == "deny" else ""
        else:
            text = self.stderr
        return [w for w in text.split() if len(w) == 5 and w.startswith("TG") and w[2:].isdigit()]


def guard(runtime: str, event: dict[str, Any] | bytes, *extra: str) -> Verdict:
    """Run the guard in this process (the subprocess tests cover the real process)."""
    raw = event if isinstance(event, bytes) else json.dumps(event).encode()
    answer = run(["--runtime", runtime, *extra], io.BytesIO(raw))
    assert answer.status in (0, 2), answer  # never 1: exit 1 lets the call through
    return Verdict(*answer)


def assert_allowed(runtime: str, verdict: Verdict) -> None:
    assert verdict.status == 0, verdict
    if runtime == "cursor":
        assert json.loads(verdict.stdout).get("permission", "allow") == "allow"


def assert_blocked(runtime: str, verdict: Verdict, rule: str) -> None:
    assert verdict.status == 2, verdict
    assert rule in verdict.rules(runtime), verdict
    if runtime == "gemini":
        assert json.loads(verdict.stdout)["decision"] == "deny"

"""A scripted stand-in for a Claude Code agent: it follows Claude Code's hook protocol.

    python fake_agent.py PROJECT_DIR STEPS.json  ->  a JSON log on stdout

For each step (a tool call: Write, Edit or Bash) it builds the PreToolUse event Claude
Code sends (https://docs.claude.com/en/docs/claude-code/hooks: session_id,
transcript_path, cwd, permission_mode, hook_event_name, tool_name, tool_input), runs
every matching hook command of `.claude/settings.json` through a shell, with the event on
stdin and CLAUDE_PROJECT_DIR set, and then does what Claude Code does: exit 2 blocks the
call (stderr goes back to the model), exit 0 lets it run, any other status is a
non-blocking error and the call runs anyway.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any


def hooks_for(settings: dict[str, Any], tool: str) -> list[str]:
    out = []
    for group in settings.get("hooks", {}).get("PreToolUse", []):
        matcher = group.get("matcher", "")
        if matcher in ("", "*") or re.fullmatch(matcher, tool):
            out += [h["command"] for h in group.get("hooks", []) if h.get("type") == "command"]
    return out


def perform(project: Path, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    if tool == "Write":
        path = Path(tool_input["file_path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tool_input["content"])
        return {"ran": True}
    if tool == "Edit":
        path = Path(tool_input["file_path"])
        path.write_text(
            path.read_text().replace(tool_input["old_string"], tool_input["new_string"], 1)
        )
        return {"ran": True}
    proc = subprocess.run(
        ["bash", "-c", tool_input["command"]],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return {"ran": True, "status": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def main() -> int:
    project = Path(sys.argv[1])
    steps = json.loads(Path(sys.argv[2]).read_text())
    settings = json.loads((project / ".claude/settings.json").read_text())
    log = []
    for step in steps:
        tool, tool_input = step["tool_name"], step["tool_input"]
        if "file_path" in tool_input:
            tool_input = {**tool_input, "file_path": str(project / tool_input["file_path"])}
        event = {
            "session_id": "fake-session",
            "transcript_path": "/tmp/fake.jsonl",
            "cwd": str(project),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
        entry: dict[str, Any] = {"tool": tool, "blocked": False, "reason": ""}
        for command in hooks_for(settings, tool):
            proc = subprocess.run(
                ["bash", "-c", command],
                cwd=project,
                input=json.dumps(event),
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "CLAUDE_PROJECT_DIR": str(project)},
            )
            if proc.returncode == 2:
                entry.update(blocked=True, reason=proc.stderr)
                break
        if not entry["blocked"]:
            entry.update(perform(project, tool, tool_input))
        log.append(entry)
    json.dump(log, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`taskgate agent hooks --runtime R [--module M] [--check]`: the runtime's hook file.

Writes (or verifies) the entries that make the runtime run `taskgate guard` on file
edits and shell commands, merged into the file that is there: other keys and other
hooks are kept, an older taskgate entry is replaced. Event names (and the tool names in
taskgate's matchers) are checked against each runtime's documented list, because a
misspelt event loads without complaint and never fires.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from taskgate.errors import TaskgateError


class Runtime(NamedTuple):
    name: str
    file: str  # relative to the repository root
    events: frozenset[str]  # documented hook events
    tools: frozenset[str]  # documented tool names a matcher may name
    # event -> matcher (None: the event takes no matcher) taskgate registers
    wants: tuple[tuple[str, str | None], ...]


CLAUDE_EVENTS = frozenset(
    {
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PermissionRequest",
        "Notification",
        "UserPromptSubmit",
        "Stop",
        "SubagentStart",
        "SubagentStop",
        "PreCompact",
        "SessionStart",
        "SessionEnd",
    }
)
CLAUDE_TOOLS = frozenset(
    {
        "Bash",
        "BashOutput",
        "Edit",
        "MultiEdit",
        "Write",
        "NotebookEdit",
        "NotebookRead",
        "Read",
        "Glob",
        "Grep",
        "LS",
        "WebFetch",
        "WebSearch",
        "Task",
        "TodoWrite",
        "KillShell",
        "ExitPlanMode",
        "SlashCommand",
        "Skill",
    }
)
CODEX_EVENTS = frozenset(
    {
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PermissionRequest",
        "PostToolUse",
        "PreCompact",
        "Stop",
    }
)
CODEX_TOOLS = frozenset({"Bash", "apply_patch", "Edit", "Write"})
GEMINI_EVENTS = frozenset(
    {
        "SessionStart",
        "SessionEnd",
        "BeforeAgent",
        "AfterAgent",
        "BeforeModel",
        "AfterModel",
        "BeforeToolSelection",
        "BeforeTool",
        "AfterTool",
        "PreCompress",
        "Notification",
    }
)
GEMINI_TOOLS = frozenset(
    {
        "read_file",
        "read_many_files",
        "write_file",
        "replace",
        "run_shell_command",
        "glob",
        "search_file_content",
        "grep_search",
        "list_directory",
        "web_fetch",
        "google_web_search",
        "save_memory",
        "write_todos",
    }
)
CURSOR_EVENTS = frozenset(
    {
        "sessionStart",
        "sessionEnd",
        "preToolUse",
        "postToolUse",
        "postToolUseFailure",
        "subagentStart",
        "subagentStop",
        "beforeShellExecution",
        "afterShellExecution",
        "beforeMCPExecution",
        "afterMCPExecution",
        "beforeReadFile",
        "afterFileEdit",
        "beforeSubmitPrompt",
        "preCompact",
        "stop",
        "afterAgentResponse",
        "afterAgentThought",
        "beforeTabFileRead",
        "afterTabFileEdit",
    }
)

RUNTIME_TABLE = {
    "claude-code": Runtime(
        "claude-code",
        ".claude/settings.json",
        CLAUDE_EVENTS,
        CLAUDE_TOOLS,
        (("PreToolUse", "Write|Edit|MultiEdit|NotebookEdit|Bash"),),
    ),
    "codex": Runtime(
        "codex",
        ".codex/hooks.json",
        CODEX_EVENTS,
        CODEX_TOOLS,
        (("PreToolUse", "Bash|apply_patch"),),
    ),
    "gemini": Runtime(
        "gemini",
        ".gemini/settings.json",
        GEMINI_EVENTS,
        GEMINI_TOOLS,
        (("BeforeTool", "write_file|replace|run_shell_command"),),
    ),
    # Cursor: no matcher on preToolUse (its tool names are not a documented list), so it
    # sees every tool and the guard skips readers; afterFileEdit reports what slipped by.
    "cursor": Runtime(
        "cursor",
        ".cursor/hooks.json",
        CURSOR_EVENTS,
        frozenset(),
        (("beforeShellExecution", None), ("preToolUse", None), ("afterFileEdit", None)),
    ),
}

MARK = "taskgate guard"


def guard_command(runtime: str, module: str | None) -> str:
    """The hook command; `|| exit 2` keeps it blocking even when taskgate cannot start."""
    mod = f" --module {module}" if module else ""
    return f"taskgate guard --runtime {runtime}{mod} || exit 2"


class Problem(NamedTuple):
    severity: str  # "error" or "warning"
    message: str


def expected_entries(rt: Runtime, module: str | None) -> dict[str, list[dict[str, Any]]]:
    """event -> the entries taskgate adds for it."""
    command = guard_command(rt.name, module)
    out: dict[str, list[dict[str, Any]]] = {}
    for event, matcher in rt.wants:
        if rt.name == "cursor":
            out[event] = [{"command": command}]
            continue
        hook: dict[str, Any] = {"type": "command", "command": command}
        if rt.name == "gemini":
            hook = {"name": "taskgate-guard", **hook, "timeout": 10000}
        elif rt.name == "claude-code":
            hook["timeout"] = 10
        entry: dict[str, Any] = (
            {"hooks": [hook]} if matcher is None else {"matcher": matcher, "hooks": [hook]}
        )
        out[event] = [entry]
    return out


def _is_ours(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    if MARK in str(entry.get("command", "")):
        return True
    hooks = entry.get("hooks")
    return isinstance(hooks, list) and any(
        isinstance(h, dict) and MARK in str(h.get("command", "")) for h in hooks
    )


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    from taskgate.workflow.jsonfile import JsonProblem, load_json

    try:
        data = load_json(path.read_bytes())
    except JsonProblem as exc:
        raise TaskgateError(f"{path}: not valid JSON ({exc}); fix or remove it first") from exc
    if not isinstance(data, dict):
        raise TaskgateError(f"{path}: the top level is not a JSON object")
    return data


def merged(rt: Runtime, current: dict[str, Any], module: str | None) -> dict[str, Any]:
    """`current` with taskgate's entries in place (older ones replaced, the rest kept)."""
    data: dict[str, Any] = json.loads(json.dumps(current))  # a deep copy, JSON types only
    if rt.name == "cursor":
        data.setdefault("version", 1)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise TaskgateError(f"{rt.file}: 'hooks' is not an object; fix it first")
    for event, entries in expected_entries(rt, module).items():
        kept = [e for e in hooks.get(event, []) if not _is_ours(e)]
        if not isinstance(hooks.get(event, []), list):
            raise TaskgateError(f"{rt.file}: hooks.{event} is not a list; fix it first")
        hooks[event] = kept + entries
    return data


def problems(rt: Runtime, data: dict[str, Any], module: str | None) -> list[Problem]:
    """What is wrong with a hook file: misspelt events or tools, taskgate missing."""
    out: list[Problem] = []
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict):
        return [Problem("error", "'hooks' is not an object")]
    for event in hooks:
        if not isinstance(event, str) or event in rt.events:
            continue
        close = _close(event, rt.events)
        if close:
            out.append(
                Problem(
                    "error",
                    f"hooks.{event}: not a {rt.name} event (did you mean "
                    f"{close}?); a misspelt event never fires",
                )
            )
        else:
            out.append(
                Problem(
                    "warning",
                    f"hooks.{event}: not in taskgate's list of documented "
                    f"{rt.name} events; it may never fire",
                )
            )
    for event, entries in hooks.items():
        if not isinstance(entries, list):
            out.append(Problem("error", f"hooks.{event} is not a list"))
            continue
        for entry in entries:
            if _is_ours(entry) and rt.tools and isinstance(entry.get("matcher"), str):
                for tool in re.split(r"[|()^$]", entry["matcher"]):
                    if tool and tool not in rt.tools and not tool.startswith("mcp__"):
                        close = _close(tool, rt.tools)
                        out.append(
                            Problem(
                                "error",
                                f"hooks.{event}: matcher names {tool!r}, not "
                                f"a {rt.name} tool"
                                + (f" (did you mean {close}?)" if close else ""),
                            )
                        )
    want = expected_entries(rt, module)
    for event, entries in want.items():
        have = hooks.get(event)
        if not isinstance(have, list) or not all(e in have for e in entries):
            out.append(
                Problem(
                    "error",
                    f"hooks.{event}: taskgate's guard entry is missing or "
                    f"differs (`taskgate agent hooks --runtime {rt.name}` writes it)",
                )
            )
    if rt.name == "cursor" and data.get("version") != 1:
        out.append(Problem("error", "version must be 1"))
    return out


def _close(name: str, known: frozenset[str]) -> str | None:
    lower = {k.lower(): k for k in known}
    if name.lower() in lower:
        return lower[name.lower()]
    found = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return found[0] if found else None


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` in one step; a failure leaves the old file and no temporary one."""
    tmp = path.with_name(path.name + ".taskgate-tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def hooks_command(root: Path, runtime: str, module: str | None, check: bool) -> tuple[int, str]:
    """Write or check the file; (exit status, what to tell the user)."""
    rt = RUNTIME_TABLE.get(runtime)
    if rt is None:
        raise TaskgateError(f"--runtime must be one of {', '.join(RUNTIME_TABLE)}")
    path = root / rt.file
    current = _load(path)
    if check:
        found = problems(rt, current, module)
        if not path.exists():
            found.insert(0, Problem("error", "the file does not exist"))
        lines = [f"{rt.file}: {p.severity}: {p.message}" for p in found]
        errors = [p for p in found if p.severity == "error"]
        lines.append(f"{rt.file}: " + (f"{len(errors)} error(s)" if errors else "ok"))
        return (1 if errors else 0), "\n".join(lines) + "\n"
    pre = [
        p
        for p in problems(rt, {"version": 1, **current}, module)
        if p.severity == "error" and "taskgate's guard entry" not in p.message
    ]
    if pre:
        raise TaskgateError(
            f"{rt.file}: " + "; ".join(p.message for p in pre) + " — fix these first"
        )
    text = render(merged(rt, current, module))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"))
    return 0, f"{rt.file}: taskgate guard runs on file edits and shell commands\n"

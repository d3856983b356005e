"""The four coding-agent runtimes: their tool-call events, blocking protocols and hook files.

Everything here is taken from each runtime's documentation (the tests cite the pages):

- Claude Code: `PreToolUse` JSON on stdin (`tool_name`, `tool_input` with an absolute
  `file_path` for Write/Edit/MultiEdit, `notebook_path` for NotebookEdit, `command` for
  Bash, `cwd`). Exit 0 allows; exit 2 blocks with stderr as the reason; any other exit
  status is a non-blocking error, so the guard never exits 1.
  https://docs.claude.com/en/docs/claude-code/hooks
- Codex CLI: the same wire format (`PreToolUse`, `tool_name` "Bash" or "apply_patch" whose
  `tool_input.command` is the patch body); exit 2 with the reason on stderr blocks.
  https://developers.openai.com/codex/hooks
- Gemini CLI: `BeforeTool` JSON (`tool_name` such as write_file, replace,
  run_shell_command; `tool_input`; `cwd`); exit 0 with JSON on stdout allows, exit 2 is a
  "system block" with stderr as the reason. https://geminicli.com/docs/hooks/reference
- Cursor: `.cursor/hooks.json` events `beforeShellExecution` (`command`, `cwd`),
  `preToolUse` (`tool_name`, `tool_input`) answered with `{"permission": "allow"|"deny",
  "user_message", "agent_message"}`; `afterFileEdit` (`file_path`) runs after the edit and
  cannot prevent it. https://cursor.com/docs/hooks
"""

# Lean on purpose: the guard's quick path (agentside.quick) imports this on every tool
# call, so no `typing`, no `json` at import and no NamedTuple class to build (docs/
# architecture.md, "The hot path"); `json` loads only to answer Gemini or Cursor with a block.

from __future__ import annotations

import os

from taskgate.agentside.leanjson import loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

RUNTIMES = ("claude-code", "codex", "gemini", "cursor")


class ToolCall:
    """What one tool call would do, whatever runtime described it."""

    __slots__ = ("after_the_fact", "command", "cwd", "paths", "tool")

    def __init__(
        self,
        tool: str,
        paths: tuple[str, ...],  # files it would write (absolute, or relative to cwd)
        command: str | None,  # a shell command it would run
        cwd: str | None,
        after_the_fact: bool = False,  # the edit already happened (Cursor's afterFileEdit)
    ) -> None:
        self.tool = tool
        self.paths = paths
        self.command = command
        self.cwd = cwd
        self.after_the_fact = after_the_fact

    def __repr__(self) -> str:
        return (
            f"ToolCall({self.tool!r}, {self.paths!r}, {self.command!r}, {self.cwd!r}, "
            f"after_the_fact={self.after_the_fact!r})"
        )


class EventError(ValueError):
    """The event is not the runtime's documented JSON."""


# Tools whose `file_path` is read, never written: their paths are not judged.
_READ_WORDS = ("read", "grep", "glob", "search", "list", "fetch", "web", "todo", "ls")
_PATH_KEYS = ("file_path", "notebook_path", "path", "filePath", "absolute_path", "target_file")


_WRITE_WORDS = ("write", "edit", "replace", "delete", "patch", "create", "move", "rename")


def _is_reader(tool: str) -> bool:
    low = tool.lower()
    if any(word in low for word in _WRITE_WORDS):
        return False  # search_replace, TodoWrite and the like change something
    return low == "ls" or any(word in low for word in _READ_WORDS if word != "ls")


def parse_event(runtime: str, raw: bytes) -> ToolCall:
    """The tool call an event describes; EventError when it is not a JSON object."""
    try:
        data = loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EventError(f"the {runtime} event on standard input is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise EventError(f"the {runtime} event on standard input is not a JSON object")
    cwd = data.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        roots = data.get("workspace_roots")
        cwd = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
    event = data.get("hook_event_name")
    if runtime == "cursor" and event in ("beforeShellExecution", "afterFileEdit"):
        if event == "beforeShellExecution":
            return ToolCall("Shell", (), _command(data.get("command")), cwd)
        return ToolCall("Edit", _paths(data), None, cwd, after_the_fact=True)
    tool = data.get("tool_name")
    tool_input = data.get("tool_input")
    if isinstance(tool_input, str):  # Cursor's MCP events carry their input as JSON text
        try:
            tool_input = loads(tool_input)
        except ValueError:
            tool_input = {}
    if not isinstance(tool, str) or not isinstance(tool_input, dict | None):
        raise EventError(
            f"the {runtime} event has no tool_name/tool_input (hook_event_name: {event!r})"
        )
    tool_input = tool_input or {}
    if tool == "apply_patch":
        patch = _command(tool_input.get("command")) or _command(tool_input.get("input")) or ""
        return ToolCall(tool, patch_paths(patch), None, cwd)
    if _is_reader(tool):
        return ToolCall(tool, (), None, cwd)
    return ToolCall(tool, _paths(tool_input), _command(tool_input.get("command")), cwd)


def _command(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        import shlex

        return shlex.join(value)  # Codex may hand over an argv list
    return None


def _paths(data: dict[str, Any]) -> tuple[str, ...]:
    out = [data[k] for k in _PATH_KEYS if isinstance(data.get(k), str) and data[k]]
    edits = data.get("edits")
    if isinstance(edits, list):  # a multi-file edit lists its own paths
        out += [
            e[k]
            for e in edits
            if isinstance(e, dict)
            for k in _PATH_KEYS
            if isinstance(e.get(k), str)
        ]
    return tuple(dict.fromkeys(out))


def patch_paths(patch: str) -> tuple[str, ...]:
    """Every file an apply_patch body adds, updates, deletes or moves to."""
    marks = ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ")
    out = []
    for line in patch.splitlines():
        for mark in marks:
            if line.startswith(mark):
                out.append(line[len(mark) :].strip())
    return tuple(dict.fromkeys(out))


class Answer:
    """The exit status and what to write on standard output and error."""

    __slots__ = ("status", "stderr", "stdout")

    def __init__(self, status: int, stdout: str, stderr: str) -> None:
        self.status = status
        self.stdout = stdout
        self.stderr = stderr

    def __iter__(self) -> Iterator[int | str]:  # unpacks as the NamedTuple it was
        return iter((self.status, self.stdout, self.stderr))

    def __repr__(self) -> str:
        return f"Answer({self.status!r}, {self.stdout!r}, {self.stderr!r})"


def answer(runtime: str, reasons: list[str], call: ToolCall | None) -> Answer:
    """Allow (no reasons) or block, in the runtime's own protocol. Never exit 1."""
    if not reasons:
        if runtime == "gemini":
            return Answer(0, "{}\n", "")
        if runtime == "cursor":
            after = call is not None and call.after_the_fact
            return Answer(0, "{}\n" if after else '{"permission": "allow"}\n', "")
        return Answer(0, "", "")
    text = "\n".join(reasons) + "\n"
    if runtime not in ("cursor", "gemini"):
        return Answer(2, "", text)
    import json  # a block in a JSON protocol: an allowed call never loads it

    if runtime == "cursor":
        # The JSON carries the decision; exit 2 blocks as well should the JSON be lost.
        body = {"permission": "deny", "user_message": text.strip(), "agent_message": text.strip()}
        return Answer(2, json.dumps(body) + "\n", text)
    return Answer(2, json.dumps({"decision": "deny", "reason": text.strip()}) + "\n", text)


def project_dir(runtime: str) -> str | None:
    """The project folder the runtime names in the hook's environment, if any."""
    names = {
        "claude-code": ("CLAUDE_PROJECT_DIR",),
        "codex": ("CODEX_PROJECT_DIR",),
        "gemini": ("GEMINI_PROJECT_DIR", "CLAUDE_PROJECT_DIR"),
        "cursor": ("CURSOR_PROJECT_DIR",),
    }
    for name in names.get(runtime, ()):
        value = os.environ.get(name)
        if value:
            return value
    return None

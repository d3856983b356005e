"""`task_list.json`: the task board, parsed into frozen data.

Plain data in, plain data out: the rules reach a change's board through
`change.reader(side).board(path)` (`taskgate.reading`), which calls this.
"""

# No `from __future__ import annotations`: on the hook's path, where NamedTuple would
# compile each string annotation at import (see taskgate.finding).

from typing import Any, NamedTuple

from taskgate.workflow.jsonfile import JsonProblem, load_json

STATUSES = ("todo", "in_progress", "done", "review_feedback", "blocked")


class Task(NamedTuple):
    """One task; `raw` keeps the whole JSON object for field-by-field comparison."""

    id: str
    title: str
    assignee: str
    status: str
    depends_on: tuple[str, ...] = ()
    output_files: tuple[str, ...] = ()
    blocked_reason: str | None = None
    raw: dict[str, Any] | None = None


class Board(NamedTuple):
    tasks: tuple[Task, ...]
    # Top-level keys other than "tasks" (version, x- extensions): the lead's.
    top: dict[str, Any] | None = None

    def by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    def of_module(self, module: str) -> list[Task]:
        return [t for t in self.tasks if t.assignee.lower() == module.lower()]


class BoardError(Exception):
    """The board cannot be read; the message says where and why."""


def board_from_data(data: Any) -> Board:
    """Build a Board from parsed JSON, tolerating what the schema reports (TG302)."""
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise BoardError("expected an object with a 'tasks' list")
    tasks = []
    # Plain loops: a 10,000-task board is built twice per commit (before and after).
    for i, raw in enumerate(data["tasks"]):
        if not isinstance(raw, dict):
            raise BoardError(f"tasks[{i}] must be an object")
        tid, title = raw.get("id"), raw.get("title", "")
        assignee, status = raw.get("assignee"), raw.get("status")
        if not (
            isinstance(tid, str)
            and isinstance(title, str)
            and isinstance(assignee, str)
            and isinstance(status, str)
        ):
            raise BoardError(f"tasks[{i}] needs string id, title, assignee and status")
        deps = raw.get("depends_on")
        outputs = raw.get("outputs")
        files = outputs.get("files") if isinstance(outputs, dict) else None
        reason = raw.get("blocked_reason")
        tasks.append(
            Task(
                tid,
                title,
                assignee,
                status,
                _strings(deps),
                _strings(files),
                reason if isinstance(reason, str) else None,
                raw,
            )
        )
    return Board(tuple(tasks), {k: v for k, v in data.items() if k != "tasks"})


def _strings(value: Any) -> tuple[str, ...]:
    if not value or not isinstance(value, list):
        return ()
    for item in value:
        if not isinstance(item, str):
            return tuple(v for v in value if isinstance(v, str))
    return tuple(value)


def parse_board(raw: bytes) -> Board:
    try:
        data = load_json(raw)
    except JsonProblem as exc:
        raise BoardError(str(exc)) from exc
    return board_from_data(data)

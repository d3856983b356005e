"""`taskgate board`: the task board as columns per status, one block per module.

It shows the board *as staged* (the index): what the next commit would record,
which is what the hooks judge. A board edited but not `git add`ed is not shown;
the paths come from the policy of HEAD, as for the hooks (the index on a first
commit). `--format json` gives the same content for tools.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

from taskgate.errors import TaskgateError
from taskgate.git import Repo
from taskgate.gitsides import IndexSide, TreeSide
from taskgate.policy import Policy, load_policy
from taskgate.rules.catalog import RULE_IDS
from taskgate.workflow.jsonfile import JsonProblem, load_json
from taskgate.workflow.structure import Structure, StructureError, parse_structure
from taskgate.workflow.tasklist import STATUSES, Board, BoardError, Task, board_from_data

HEADINGS = {
    "todo": "TODO",
    "in_progress": "IN PROGRESS",
    "review_feedback": "REVIEW FEEDBACK",
    "blocked": "BLOCKED",
    "done": "DONE",
}
# Left to right, the way work flows.
ORDER = ("todo", "in_progress", "review_feedback", "blocked", "done")


def show_board(repo: Repo, fmt: str) -> str:
    """The staged board rendered as text (columns) or JSON; TaskgateError when unreadable."""
    head = repo.head()
    base = TreeSide(repo, head) if head else IndexSide(repo)
    where = f"commit {head[:12]}" if head else "the index"
    policy = load_policy(base.read, where, rule_ids=RULE_IDS)
    staged = IndexSide(repo)
    board = _board(staged.read(policy.paths.tasks), policy)
    structure = _structure(staged.read(policy.paths.structure))
    if fmt == "json":
        return json.dumps(board_json(board, structure, policy), ensure_ascii=False, indent=2) + "\n"
    return board_text(board, structure, policy, _width())


def _board(raw: bytes | None, policy: Policy) -> Board:
    path = policy.paths.tasks
    if raw is None:
        raise TaskgateError(
            f"no board at {path} in the index: `git add` it, or create one with `taskgate init`"
        )
    try:
        return board_from_data(load_json(raw))
    except JsonProblem as exc:
        raise TaskgateError(f"{path} is not valid JSON: {exc}") from exc
    except BoardError as exc:
        raise TaskgateError(f"{path} cannot be shown: {exc} (taskgate check says more)") from exc


def _structure(raw: bytes | None) -> Structure | None:
    if raw is None:
        return None
    try:
        return parse_structure(raw)
    except StructureError:
        return None  # the board is still worth seeing; TG30x findings say what is wrong


def _width() -> int:
    if "COLUMNS" in os.environ:
        try:
            return max(60, int(os.environ["COLUMNS"]))
        except ValueError:
            pass
    return max(60, shutil.get_terminal_size((120, 24)).columns)


def _groups(board: Board, structure: Structure | None) -> list[tuple[str, str, list[Task]]]:
    """(module name, description, tasks) in the order of project_structure.json."""
    by_module: dict[str, list[Task]] = {}
    for task in board.tasks:
        by_module.setdefault(task.assignee.lower(), []).append(task)
    out: list[tuple[str, str, list[Task]]] = []
    modules = structure.modules if structure is not None else {}
    for name, module in modules.items():
        out.append((name, f"{module.path}/ ({module.agent})", by_module.pop(name, [])))
    for name, tasks in by_module.items():
        note = "not a module of project_structure.json" if structure is not None else ""
        out.append((name, note, tasks))
    return out


def _open_comments(task: Task) -> int:
    comments = (task.raw or {}).get("review_comments")
    if not isinstance(comments, list):
        return 0
    return sum(1 for c in comments if not (isinstance(c, dict) and c.get("resolved") is True))


def _cell(task: Task, done: set[str]) -> str:
    marks = []
    waiting = [d for d in task.depends_on if d not in done]
    if task.status == "todo" and waiting:
        marks.append("waits for " + ",".join(waiting[:3]) + ("…" if len(waiting) > 3 else ""))
    open_ = _open_comments(task)
    if open_:
        marks.append(f"{open_} open comment{'s' * (open_ != 1)}")
    if task.status == "blocked" and task.blocked_reason:
        marks.append(task.blocked_reason)
    return f"{task.id} {task.title}" + (f" [{'; '.join(marks)}]" if marks else "")


def _disputed(board: Board) -> list[Task]:
    from taskgate.agentside.dispute import is_disputed

    return [t for t in board.tasks if is_disputed(t.status, t.blocked_reason)]


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())  # newlines and tabs in a title must not break the grid
    return text if len(text) <= width else text[: width - 1] + "…"


def board_text(board: Board, structure: Structure | None, policy: Policy, width: int) -> str:
    counts = dict.fromkeys(STATUSES, 0)
    for task in board.tasks:
        counts[task.status] = counts.get(task.status, 0) + 1
    summary = ", ".join(f"{counts.get(s, 0)} {HEADINGS[s].lower()}" for s in ORDER)
    lines = [f"{policy.paths.tasks} (staged): {len(board.tasks)} tasks — {summary}", ""]
    disputed = _disputed(board)
    if disputed:
        # Disputes first: each waits for a person (`taskgate dispute`).
        lines.append(f"DISPUTED ({len(disputed)}): a person decides")
        lines.extend(
            "  " + _fit(f"{t.assignee}: {t.id} {t.title}: {t.blocked_reason}", width - 2)
            for t in disputed
        )
        lines.append("")
    done = {t.id for t in board.tasks if t.status == "done"}
    col = max(12, (width - 2 - 2 * (len(ORDER) - 1)) // len(ORDER))
    for name, description, tasks in _groups(board, structure):
        lines.append(f"{name}  {description}".rstrip())
        columns = {s: [t for t in tasks if t.status == s] for s in ORDER}
        others = [t for t in tasks if t.status not in HEADINGS]
        header = [_fit(f"{HEADINGS[s]} ({len(columns[s])})", col) for s in ORDER]
        lines.append("  " + "  ".join(h.ljust(col) for h in header).rstrip())
        for row in range(max((len(c) for c in columns.values()), default=0)):
            cells = [
                _fit(_cell(columns[s][row], done), col) if row < len(columns[s]) else ""
                for s in ORDER
            ]
            lines.append("  " + "  ".join(c.ljust(col) for c in cells).rstrip())
        if not tasks:
            lines.append("  (no tasks)")
        for task in others:
            lines.append(f"  {task.id} has an unknown status {task.status!r}")
        lines.append("")
    if not board.tasks:
        lines.append("(the board has no tasks)")
    return "\n".join(lines).rstrip("\n") + "\n"


def board_json(board: Board, structure: Structure | None, policy: Policy) -> dict[str, Any]:
    done = {t.id for t in board.tasks if t.status == "done"}
    modules = []
    for name, description, tasks in _groups(board, structure):
        module = structure.modules.get(name) if structure is not None else None
        modules.append(
            {
                "name": name,
                "path": module.path if module is not None else None,
                "agent": module.agent if module is not None else None,
                "known": module is not None,
                "note": description if module is None else "",
                "columns": {
                    s: [
                        {
                            "id": t.id,
                            "title": t.title,
                            "depends_on": list(t.depends_on),
                            "waiting_for": [d for d in t.depends_on if d not in done],
                            "open_comments": _open_comments(t),
                            "blocked_reason": t.blocked_reason,
                            "outputs": list(t.output_files),
                        }
                        for t in tasks
                        if t.status == s
                    ]
                    for s in ORDER
                },
            }
        )
    counts = {s: sum(1 for t in board.tasks if t.status == s) for s in ORDER}
    return {
        "version": 1,
        "board": policy.paths.tasks,
        "disputed": [
            {"id": t.id, "module": t.assignee, "title": t.title, "reason": t.blocked_reason}
            for t in _disputed(board)
        ],
        "source": "index",
        "statuses": list(ORDER),
        "counts": counts,
        "modules": modules,
    }

"""Board rules TG304 to TG306, TG308 and TG309 (SPEC §1.3): every difference between the
board before the commit and after it must be one the actor may make (TG307, an active
task for a coder's work, is in `taskgate.rules.activetask`).

Tasks are matched by id (dicts, so a 10,000-task board costs one pass); a task
whose JSON object is unchanged is not looked at further. Missing optional fields
equal their empty defaults, so a tool that normalises the board changes nothing.
The lead may change anything (the schema and TG303 still hold); merges are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from taskgate.change import Actor, Change, Role
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.registry import EVERY_STAGE, check, rule
from taskgate.workflow.jsonfile import JsonProblem
from taskgate.workflow.structure import Module
from taskgate.workflow.tasklist import Task

CODER_MOVES = {
    "todo": ("in_progress",),
    "in_progress": ("done", "blocked"),
    "blocked": ("in_progress",),
    # → blocked: SPEC §10.8, a coder disputes a task under review too (`taskgate dispute`).
    "review_feedback": ("in_progress", "done", "blocked"),
    "done": (),
}
REVIEWER_MOVES = {"done": ("review_feedback",)}

LEAD_FIELDS = ("title", "assignee", "depends_on")
CODER_FIELDS = frozenset({"status", "outputs", "blocked_reason", "review_comments"})
REVIEWER_FIELDS = frozenset({"status", "review_comments"})
_DEFAULTS: dict[str, Any] = {
    "depends_on": [], "outputs": {}, "review_comments": [], "blocked_reason": None,
}  # fmt: skip
_MISSING = object()

JsonPath = tuple[str | int, ...]


class _Pending(NamedTuple):
    """A finding whose line is found later, in one scan of the board text."""

    rule: str
    message: str
    hint: str
    where: JsonPath | None


TG304 = rule(
    id="TG304",
    name="status-move",
    stages=EVERY_STAGE,
    summary="status change not allowed for this actor",
    what=(
        "Every status change on the board must be a move the actor may make (the transition "
        "table per actor: `taskgate explain board`, docs/board-reference.md)."
    ),
    why="The board is how the lead knows what is done; agents must not skip review.",
    example="coder moves T1 todo → done",
    fix="Move it todo → in_progress, then in_progress → done.",
    see_also="board",
)

TG305 = rule(
    id="TG305",
    name="other-module-task",
    stages=EVERY_STAGE,
    summary="coder changed another module's task",
    what="A coder may change only tasks assigned to its own module.",
    why="Another module's task belongs to its owner and the lead.",
    example="feat(python): mark web task done",
    fix="Leave other modules' tasks alone.",
    see_also="board",
)

TG306 = rule(
    id="TG306",
    name="done-outputs",
    stages=EVERY_STAGE,
    summary="`done` without outputs, or outputs naming missing files or files outside the module",
    what=(
        "A task moved to done must list outputs.files, each present in the commit's tree "
        "and inside the module."
    ),
    why="Done means delivered: the reviewer needs to know what to look at.",
    example='"status": "done", "outputs": {"files": []}',
    fix='"outputs": {"files": ["services/api/app/users.py"]}',
    see_also="board",
)

TG308 = rule(
    id="TG308",
    name="lead-only-fields",
    stages=EVERY_STAGE,
    summary="coder changed a lead-only task field, or added/removed tasks",
    what=(
        "title, assignee and depends_on, the list of tasks itself, the board's top-level keys "
        "and creating or deleting the board are the lead's; rewriting review comments too. "
        "Also reported for fields the actor may not edit: a coder adding review comments, the "
        "reviewer editing outputs, blocked_reason or a comment's resolved flag."
    ),
    why="The plan of work is the lead's decision.",
    example="coder changes T1's assignee",
    fix="Ask the lead.",
    see_also="board",
)

TG309 = rule(
    id="TG309",
    name="dependencies-first",
    stages=EVERY_STAGE,
    summary="task started before its dependencies are done",
    what="A coder may move a task to in_progress only when all its depends_on are done.",
    why="Work on top of unfinished work is work done twice.",
    example="T2 depends on T1 (in_progress); coder moves T2 todo → in_progress",
    fix="Finish T1 first, or ask the lead.",
    see_also="board",
)


@check(TG304, TG305, TG306, TG308, TG309, needs_actor=True)
def board_rules(change: Change, policy: Policy) -> Iterator[Finding]:
    actor = change.actor
    if (
        actor is None
        or actor.role is Role.LEAD
        or change.unjudged_merge
        or change.structure is None
    ):
        return
    path = policy.paths.tasks
    if any(path in fc.paths for fc in change.files):
        pending = list(_board_changes(change, path, actor))
        if pending:
            yield from _place(change, path, pending)


def _place(change: Change, path: str, pending: list[_Pending]) -> Iterator[Finding]:
    from taskgate.workflow.jsonlocate import locate_all

    wanted = [p.where for p in pending if p.where is not None]
    lines: dict[JsonPath, int] = {}
    if wanted:
        raw = change.after.read(path) or b""
        lines = locate_all(raw.decode("utf-8", "replace"), wanted)
    for p in pending:
        line = lines.get(p.where) if p.where is not None else None
        yield Finding(p.rule, p.message, path=path, line=line, hint=p.hint)


# --- differences between the two boards ------------------------------------------------


def _board_changes(change: Change, path: str, actor: Actor) -> Iterator[_Pending]:
    after_data = change.reader("after").json(path)
    if after_data is None:
        yield _Pending("TG308", f"the board {path} is deleted by the {actor.name}",
                       "only the lead may remove the board", None)  # fmt: skip
        return
    after = change.reader("after").board(path)
    if isinstance(after_data, JsonProblem) or after is None:
        return  # TG301/TG302 say why
    before = change.reader("before").board(path)
    if before is None:
        if change.reader("before").json(path) is not None:
            yield _Pending(
                "TG308",
                f"the board before this commit cannot be read; only the lead may repair it "
                f"(this commit is by the {actor.name})",
                "the lead fixes the board in a commit scoped to the lead role",
                None,
            )
            return
        yield _Pending(
            "TG308",
            f"the board {path} is created by the {actor.name}; only the lead creates it",
            "ask the lead to create the board",
            None,
        )
        return
    if (before.top or {}) != (after.top or {}):
        keys = sorted(set(before.top or {}) ^ set(after.top or {}) | {
            k for k in set(before.top or {}) & set(after.top or {})
            if (before.top or {})[k] != (after.top or {})[k]
        })  # fmt: skip
        yield _Pending(
            "TG308",
            f"the board's top-level {', '.join(keys)} changed: the lead's to change",
            "change only tasks",
            (keys[0],) if keys[0] in (after.top or {}) else None,
        )
    was = {t.id: t for t in before.tasks}
    now: dict[str, tuple[int, Task]] = {t.id: (i, t) for i, t in enumerate(after.tasks)}
    for tid in was:
        if tid not in now:
            yield _Pending(
                "TG308",
                f"task {tid} is removed from the board; only the lead adds or removes tasks",
                "put the task back; ask the lead to remove it",
                None,
            )
    for tid, (i, task) in now.items():
        old = was.get(tid)
        if old is None:
            yield _Pending(
                "TG308",
                f"task {tid} is added to the board; only the lead adds or removes tasks",
                "ask the lead to add the task",
                ("tasks", i),
            )
        elif old.raw != task.raw:
            yield from _task_change(change, actor, old, task, i, now)


def _norm(raw: dict[str, Any] | None, key: str) -> Any:
    value = (raw or {}).get(key, _MISSING)
    return _DEFAULTS.get(key) if value is _MISSING else value


def _changed_fields(old: Task, new: Task) -> list[str]:
    keys = dict.fromkeys([*(old.raw or {}), *(new.raw or {})])
    return [k for k in keys if _norm(old.raw, k) != _norm(new.raw, k)]


class _Comments(NamedTuple):
    appended: list[Any]
    edited: list[int]
    removed: int
    resolved_flips: list[int]


def _comments(old: Task, new: Task) -> _Comments:
    before, after = _norm(old.raw, "review_comments"), _norm(new.raw, "review_comments")
    before = before if isinstance(before, list) else []
    after = after if isinstance(after, list) else []
    edited: list[int] = []
    flips: list[int] = []
    for i in range(min(len(before), len(after))):
        b, a = before[i], after[i]
        if b == a:
            continue
        if (
            isinstance(b, dict)
            and isinstance(a, dict)
            and _without_resolved(b) == _without_resolved(a)
        ):
            flips.append(i)
        else:
            edited.append(i)
    return _Comments(after[len(before) :], edited, max(0, len(before) - len(after)), flips)


def _without_resolved(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if k != "resolved"}


def _task_change(
    change: Change,
    actor: Actor,
    old: Task,
    new: Task,
    index: int,
    now: dict[str, tuple[int, Task]],
) -> Iterator[_Pending]:
    fields = _changed_fields(old, new)
    at: JsonPath = ("tasks", index)
    owner = old.assignee.lower()
    module = actor.module
    if actor.role is Role.CODER and module is not None and owner != module.name:
        yield _Pending(
            "TG305",
            f"task {old.id} belongs to module '{old.assignee}'; the {actor.name} changed its "
            f"{', '.join(fields)}",
            f"leave '{old.assignee}' tasks to their owner and the lead",
            at,
        )
        return
    allowed = CODER_FIELDS if actor.role is Role.CODER else REVIEWER_FIELDS
    forbidden = [f for f in fields if f not in allowed]
    if forbidden:
        lead_only = [f for f in forbidden if f in LEAD_FIELDS]
        what = "the lead's to change" if lead_only == forbidden else f"not the {actor.name}'s"
        yield _Pending(
            "TG308",
            f"task {old.id}: {', '.join(forbidden)} changed by the {actor.name}: {what}",
            "the " + actor.name + " may change "
            + ("status (by the table), outputs, blocked_reason and the resolved flag of "
               "review comments" if actor.role is Role.CODER
               else "status (done → review_feedback) and append review comments"),
            (*at, forbidden[0]),
        )  # fmt: skip
    comments = _comments(old, new) if "review_comments" in fields else None
    if comments is not None:
        yield from _comment_changes(actor, old, comments, at)
    if "status" in fields:
        yield from _move(change, actor, old, new, at, now, comments)


def _comment_changes(actor: Actor, old: Task, c: _Comments, at: JsonPath) -> Iterator[_Pending]:
    where: JsonPath = (*at, "review_comments")
    if c.removed or c.edited:
        what = f"{c.removed} removed" if c.removed else f"comment {c.edited[0]} edited"
        yield _Pending(
            "TG308",
            f"task {old.id}: review comments rewritten by the {actor.name} ({what}); comments "
            "are only appended",
            "leave existing comments as they are"
            + ("; set resolved: true when addressed" if actor.role is Role.CODER else ""),
            where,
        )
    if actor.role is Role.CODER and c.appended:
        yield _Pending(
            "TG308",
            f"task {old.id}: the {actor.name} added a review comment; only the reviewer or the "
            "lead adds review comments",
            "answer a comment by fixing it and setting its resolved flag to true",
            where,
        )
    if actor.role is Role.REVIEWER and c.resolved_flips:
        yield _Pending(
            "TG308",
            f"task {old.id}: the reviewer changed whether comment {c.resolved_flips[0]} is "
            "resolved; the coder resolves comments",
            "add a new comment instead",
            where,
        )


def _move(
    change: Change,
    actor: Actor,
    old: Task,
    new: Task,
    at: JsonPath,
    now: dict[str, tuple[int, Task]],
    comments: _Comments | None,
) -> Iterator[_Pending]:
    table = CODER_MOVES if actor.role is Role.CODER else REVIEWER_MOVES
    src, dst = old.status, new.status
    allowed = table.get(src, ())
    move = f"{old.id}: {src} → {dst}"
    where: JsonPath = (*at, "status")
    targets = " or ".join(allowed) if allowed else "nothing (only the lead may)"
    allowed_text = f"from {src} the {actor.name} may move a task to {targets}"
    if dst not in allowed:
        yield _Pending("TG304", f"{move} is not a move the {actor.name} may make",
                       allowed_text, where)  # fmt: skip
        return
    if actor.role is Role.REVIEWER:
        fresh = [c for c in (comments.appended if comments else [])
                 if not (isinstance(c, dict) and c.get("resolved") is True)]  # fmt: skip
        if not fresh:
            yield _Pending(
                "TG304",
                f"{move} needs a new unresolved review comment in the same commit",
                "append a comment saying what to fix: "
                '{"author": "review", "body": "...", "resolved": false}',
                where,
            )
        return
    module = actor.module
    if module is None:
        return
    if (src, dst) == ("todo", "in_progress"):
        waiting = [f"{d} ({now[d][1].status})" for d in new.depends_on
                   if d in now and now[d][1].status != "done"]  # fmt: skip
        if waiting:
            yield _Pending(
                "TG309",
                f"{move}, but it depends on tasks that are not done: {', '.join(waiting)}",
                "finish the dependencies first, or ask the lead",
                where,
            )
    elif dst == "blocked":
        reason = new.blocked_reason
        if not (isinstance(reason, str) and reason.strip()):
            yield _Pending(
                "TG304",
                f"{move} needs a non-empty blocked_reason",
                'say why: "blocked_reason": "waiting for the users API"',
                (*at, "blocked_reason") if "blocked_reason" in (new.raw or {}) else where,
            )
    elif dst == "done":
        if src == "review_feedback":
            raw_comments = _norm(new.raw, "review_comments")
            open_ = [i for i, c in enumerate(raw_comments if isinstance(raw_comments, list) else [])
                     if not (isinstance(c, dict) and c.get("resolved") is True)]  # fmt: skip
            if open_:
                yield _Pending(
                    "TG304",
                    f"{move} needs every review comment resolved ({len(open_)} open: "
                    f"comment {', '.join(map(str, open_[:5]))})",
                    'address each comment, then set its "resolved": true',
                    where,
                )
        yield from _outputs(change, actor, module, new, at, move)


def _outputs(
    change: Change, actor: Actor, module: Module, task: Task, at: JsonPath, move: str
) -> Iterator[_Pending]:
    """TG306: done means delivered — files listed, present in the commit, in the module."""
    files = task.output_files
    where: JsonPath = (*at, "outputs") if "outputs" in (task.raw or {}) else at
    if not files:
        yield _Pending(
            "TG306",
            f"{move} with no outputs.files",
            f'list what the task delivered: "outputs": {{"files": ["{module.path}/…"]}}',
            where,
        )
        return
    outside = [f for f in files if not module.owns(f)]
    if outside:
        yield _Pending(
            "TG306",
            f"{move}: outputs.files names files outside module '{module.name}' "
            f"({module.path}/): {', '.join(outside[:5])}",
            f"list only files under {module.path}/",
            where,
        )
    inside_files = [f for f in files if module.owns(f)]
    present = change.after.exists(inside_files) if inside_files else set()
    missing = [f for f in inside_files if f not in present]
    if missing:
        yield _Pending(
            "TG306",
            f"{move}: outputs.files names files absent from the commit: {', '.join(missing[:5])}",
            "commit the files (git add them) or correct the list",
            where,
        )

"""TG307 (SPEC §1.3): a coder's commit that changes its module needs a task of that
module in progress (or one it finishes) on the board."""

from __future__ import annotations

from collections.abc import Iterator

from taskgate.change import Change, Role
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.registry import EVERY_STAGE, check, rule
from taskgate.workflow.structure import Module

ACTIVE = ("in_progress", "review_feedback")

TG307 = rule(
    id="TG307",
    name="active-task",
    stages=EVERY_STAGE,
    summary="module code changed with no active task of that module",
    what=(
        "A coder commit that changes module files needs a task of that module in_progress "
        "or review_feedback after the commit, or one moved to done by it."
    ),
    why="No work without a task: the board must say what the work is for.",
    example="feat(python): refactor   # with no task in progress",
    fix="Move your task to in_progress in the same commit.",
    see_also="board",
)


@check(TG307, needs_actor=True)
def active_task(change: Change, policy: Policy) -> Iterator[Finding]:
    actor = change.actor
    if (
        actor is None
        or actor.role is not Role.CODER
        or actor.module is None
        or change.unjudged_merge
        or change.structure is None
    ):
        return
    found = _active_task(change, policy.paths.tasks, actor.module)
    if found is not None:
        yield found


def _active_task(change: Change, path: str, module: Module) -> Finding | None:
    own = next((p for p in change.touched_paths() if module.owns(p)), None)
    if own is None:
        return None
    hint = (
        f"move a task of '{module.name}' to in_progress in this commit (or finish one: "
        "in_progress → done)"
    )
    after = change.reader("after").board(path)
    if after is None:
        if change.reader("after").json(path) is None:
            return Finding(
                "TG307",
                f"{own} changes module '{module.name}', and there is no board ({path})",
                path=own,
                hint="the lead creates the board and a task for this work",
            )
        return None  # unreadable: TG301/TG302 say why
    name = module.name
    mine = [t for t in after.tasks if t.assignee.lower() == name]
    if any(t.status in ACTIVE for t in mine):
        return None
    before = change.reader("before").board(path)
    was = before.by_id() if before is not None else {}
    if any(t.status == "done" and t.id in was and was[t.id].status != "done" for t in mine):
        return None
    return Finding(
        "TG307",
        f"{own} changes module '{name}' with no task of '{name}' in_progress or "
        "review_feedback on the board",
        path=own,
        hint=hint + (f"; tasks of '{name}': " + ", ".join(f"{t.id} ({t.status})" for t in mine[:8])
                     if mine else f"; the board has no task of '{name}': ask the lead"),
    )  # fmt: skip

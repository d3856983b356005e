"""What a commit message claims (SPEC §2): the task it works on (TG108, its `Task:`
trailers) and the agent it is by (TG109, against `TASKGATE_AGENT`)."""

from __future__ import annotations

from collections.abc import Iterator

from taskgate.change import Change, Role
from taskgate.finding import Finding
from taskgate.message import Header, HeaderProblem, caret, parse_header
from taskgate.policy import Policy
from taskgate.rules.message import MSG, exempt
from taskgate.rules.registry import COMMIT_MSG_CHECK_CI, check, rule
from taskgate.workflow.tasklist import Board

TG108 = rule(
    id="TG108",
    name="task-trailer",
    stages=COMMIT_MSG_CHECK_CI,
    summary="`Task:` trailer names an unknown task, or one not assigned to the scope",
    what=(
        "Each `Task: <id>` trailer must name a task of the board that is assigned to the "
        "commit's module. With `[commit] require_task_trailer = true` a coder commit must "
        "carry at least one."
    ),
    why="A trailer that names the wrong task links the work to the wrong place on the board.",
    example="feat(python): add login\n\nTask: T9",
    fix="feat(python): add login\n\nTask: T1",
)


@check(TG108, needs_message=True)
def task_trailers(change: Change, policy: Policy) -> Iterator[Finding]:
    """Each `Task:` trailer names a task of the board assigned to the commit's module."""
    msg = change.message
    if msg is None or exempt(change) or msg.is_fixup:
        return
    parsed = parse_header(msg.header, policy.commit.types, free_scope=change.structure is None)
    if not isinstance(parsed, HeaderProblem):
        yield from _task_trailers(parsed, change, policy)


def _load_board(change: Change, policy: Policy) -> Board | None:
    return change.reader("after").board(policy.paths.tasks)  # None: TG301/TG302 report it


def _task_trailers(parsed: Header, change: Change, policy: Policy) -> Iterator[Finding]:
    msg = change.message
    if msg is None:
        return
    trailers = [t for t in msg.trailers() if t.key.lower() == "task"]
    actor = change.actor
    is_coder = actor is not None and actor.role is Role.CODER
    if not trailers:
        if policy.commit.require_task_trailer and is_coder:
            yield Finding(
                "TG108",
                "a 'Task: <id>' trailer is required",
                path=MSG,
                hint="end the message with a blank line and 'Task: <id of your task>'",
            )
        return
    board = _load_board(change, policy)
    if board is None:
        return  # no board to check against (or a broken one, which TG301/TG302 report)
    tasks = board.by_id()
    scope = (parsed.scope or "").lower()
    for trailer in trailers:
        task = tasks.get(trailer.value)
        if task is None:
            from taskgate.rules.headerfix import closest  # only for a wrong trailer

            own = [t.id for t in board.of_module(scope)] if scope else []
            close = closest(trailer.value, list(tasks)) if tasks else None
            yield Finding(
                "TG108",
                f"Task '{trailer.value}' is not on the board"
                + (f" (did you mean '{close}'?)" if close else ""),
                path=MSG,
                line=trailer.line,
                hint=f"tasks of '{scope}': {', '.join(own)}"
                if own
                else f"the board is {policy.paths.tasks}",
            )
        elif (
            change.structure is not None
            and scope in change.structure.modules
            and task.assignee.lower() != scope
        ):
            yield Finding(
                "TG108",
                f"Task '{task.id}' is assigned to '{task.assignee}', not to '{scope}'",
                path=MSG,
                line=trailer.line,
                hint="name a task of the commit's own module",
            )


TG109 = rule(
    id="TG109",
    name="agent-agrees",
    stages=COMMIT_MSG_CHECK_CI,
    summary="scope disagrees with `TASKGATE_AGENT`",
    what=(
        "When `TASKGATE_AGENT` (or `git config taskgate.agent`) names an agent, the scope "
        "must be that agent's module (or its role, for the lead and the reviewer)."
    ),
    why="An agent that writes another module's scope is claiming to be someone else.",
    example="TASKGATE_AGENT=python-coder git commit -m 'feat(web): x'",
    fix="Commit as your own module: feat(python): x",
)


@check(TG109, needs_message=True)
def agent_agrees(change: Change, policy: Policy) -> Iterator[Finding]:
    """TASKGATE_AGENT names the agent; the scope must then be that agent's."""
    claim, structure, msg = change.agent_claim, change.structure, change.message
    if not claim or structure is None or msg is None or exempt(change) or msg.is_fixup:
        return
    parsed = parse_header(msg.header, policy.commit.types)
    if isinstance(parsed, HeaderProblem) or parsed.scope is None:
        return
    scope = parsed.scope.lower()
    module = structure.module_for_agent(claim)
    if module is not None:
        expected = module.name
    elif claim.lower() in (structure.lead, structure.reviewer):
        expected = claim.lower()
    else:
        yield Finding(
            "TG109",
            f"TASKGATE_AGENT '{claim}' is not an agent of project_structure.json",
            path=MSG,
            hint="set it to a module's agent id, or to the lead or reviewer role",
        )
        return
    if scope != expected:
        yield Finding(
            "TG109",
            f"the scope '{parsed.scope}' disagrees with TASKGATE_AGENT '{claim}' "
            f"(whose scope is '{expected}')",
            path=MSG,
            line=1,
            hint=f"write it as: {parsed.type}({expected}){'!' * parsed.breaking}: "
            f"{parsed.description}",
            snippet=caret(msg.header, parsed.scope_column),
        )

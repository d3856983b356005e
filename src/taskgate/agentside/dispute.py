"""`taskgate dispute TASK --reason TEXT [--test NODEID]`: a coder flags a task for a person.

The sanctioned way out when a rule or a test looks wrong: the coder's own task goes from
`in_progress` or `review_feedback` to `blocked`, its `blocked_reason` saying why (and
which test), and the board is staged — the one command of taskgate that writes the index,
on the user's explicit request, and only the board's path. It prints the commit to make;
that commit is an ordinary coder commit the board rules accept. `taskgate board` lists
disputed tasks first.
"""

from __future__ import annotations

from typing import Any

from taskgate.errors import TaskgateError
from taskgate.git import Repo

DISPUTE_PREFIX = "DISPUTE: "
FROM_STATUSES = ("in_progress", "review_feedback")


def is_disputed(status: str, blocked_reason: str | None) -> bool:
    return (
        status == "blocked"
        and bool(blocked_reason)
        and str(blocked_reason).startswith(DISPUTE_PREFIX)
    )


def dispute(repo: Repo, task_id: str, reason: str, test: str | None) -> str:
    """Block the task, stage the board; the text to show (the commit to make)."""
    from taskgate.actors import actor_from_claim
    from taskgate.builders import agent_claim, load_base
    from taskgate.gitsides import IndexSide, TreeSide
    from taskgate.workflow.jsonfile import JsonProblem, load_json

    if not reason.strip():
        raise TaskgateError("--reason must say why the rule or the test looks wrong")
    if repo.bare:
        raise TaskgateError("dispute needs a working tree")
    head = repo.head()
    base = load_base((TreeSide(repo, head) if head else IndexSide(repo)).read, "HEAD")
    if base.structure is None:
        raise TaskgateError(f"no module map at {base.policy.paths.structure}")
    path = base.policy.paths.tasks
    staged = IndexSide(repo).read(path)
    if staged is None:
        raise TaskgateError(f"no board at {path} in the index")
    file = repo.root / path
    try:
        on_disk = file.read_bytes()
    except OSError as exc:
        raise TaskgateError(f"cannot read {path}: {exc.strerror}") from exc
    if on_disk != staged:
        raise TaskgateError(
            f"{path} has changes that are not staged; stage or undo them first, so the "
            "dispute commit holds the dispute alone"
        )
    try:
        data = load_json(staged)
    except JsonProblem as exc:
        raise TaskgateError(f"{path} is not valid JSON: {exc}") from exc
    tasks = data.get("tasks") if isinstance(data, dict) else None
    task = next((t for t in tasks or [] if isinstance(t, dict) and t.get("id") == task_id), None)
    if task is None:
        raise TaskgateError(f"no task {task_id!r} on the board {path}")
    module = str(task.get("assignee", "")).lower()
    if module not in base.structure.modules:
        raise TaskgateError(f"task {task_id} is assigned to {module!r}, which is no module")
    claim = agent_claim(repo)
    if claim:
        actor = actor_from_claim(base.structure, claim)
        if actor is None or actor.module is None or actor.module.name != module:
            raise TaskgateError(
                f"task {task_id} belongs to module '{module}'; the agent {claim!r} may dispute "
                "only its own tasks"
            )
    status = task.get("status")
    if status not in FROM_STATUSES:
        raise TaskgateError(
            f"task {task_id} is {status!r}; a coder disputes a task that is in_progress or "
            "review_feedback"
        )
    text = " ".join(reason.split())
    if test:
        text += f" (disputed test: {test})"
    task["status"] = "blocked"
    task["blocked_reason"] = DISPUTE_PREFIX + text
    from taskgate.agentside.hooksconfig import write_atomically

    write_atomically(file, _dump(data, staged))
    repo.git.run("add", "--", path)
    import shlex

    command = shlex.join(
        ["git", "commit", "-m", f"chore({module}): dispute {task_id}", "-m", f"Task: {task_id}"]
    )
    return (
        f"{path}: {task_id} {status} → blocked ({DISPUTE_PREFIX}{text}); the board is staged.\n"
        "Commit it on its own:\n\n"
        f"    {command}\n\n"
        "Then stop work on this task: a person decides.\n"
    )


def _dump(data: Any, original: bytes) -> bytes:
    """JSON in the file's own indentation (two spaces unless it used another)."""
    import json

    indent = 2
    for line in original.decode("utf-8", "replace").splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped and len(line) > len(stripped):
            indent = len(line) - len(stripped)
            break
    return (json.dumps(data, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")

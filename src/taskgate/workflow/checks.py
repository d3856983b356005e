"""Structural rules of the workflow files, on their parsed JSON, tolerant of a wrong shape.

TG310 for `project_structure.json` (names, paths, overlaps, role clashes) and TG303
for `task_list.json` (duplicate ids, unknown dependencies, cycles, unknown
assignees). Imported only when a workflow file is in the change.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from taskgate.repopath import path_problem
from taskgate.workflow.structure import DEFAULT_LEAD, DEFAULT_REVIEWER

JsonPath = tuple[str | int, ...]


class Problem(NamedTuple):
    """One broken structural rule: where in the JSON, what, and how to fix it."""

    path: JsonPath
    message: str
    hint: str


# --- structural rules (TG310), on the parsed JSON, tolerant of a wrong shape ---------------

SCOPE_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
SCOPE_TEXT = "a lowercase letter, then up to 39 lowercase letters, digits, '_' or '-'"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def structure_problems(data: Any, workflow_roots: list[str]) -> list[Problem]:
    """TG310: names, paths, overlaps and role clashes of a parsed project_structure.json.

    `workflow_roots` are the lead's folders no module may live in (`shared` and the
    folders of the configured workflow files).
    """
    out: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        return out
    modules: dict[str, Any] = data["modules"]
    by_path: dict[str, str] = {}
    agents: dict[str, str] = {}
    for name, spec in modules.items():
        if not SCOPE_RE.fullmatch(name):
            out.append(
                Problem(
                    ("modules", name),
                    f"module name {name!r} is not a valid commit scope ({SCOPE_TEXT})",
                    f"rename it, e.g. {_scope_like(name)!r}",
                )
            )
        if not isinstance(spec, dict):
            continue
        path, agent = spec.get("path"), spec.get("agent")
        if isinstance(agent, str) and agent:
            if agent in agents:
                out.append(
                    Problem(
                        ("modules", name, "agent"),
                        f"agent {agent!r} owns both module {agents[agent]!r} and {name!r}",
                        "give each module its own agent id: the agent id names the module "
                        "a commit belongs to (TASKGATE_AGENT)",
                    )
                )
            else:
                agents[agent] = name
        if not isinstance(path, str):
            continue
        reason = path_problem(path)
        if reason is not None:
            out.append(
                Problem(
                    ("modules", name, "path"),
                    f"module {name!r}: path {path!r} {reason}",
                    "use a repository-relative directory such as 'services/api'",
                )
            )
            continue
        root = next((r for r in workflow_roots if _inside(path, r)), None)
        if root is not None:
            out.append(
                Problem(
                    ("modules", name, "path"),
                    f"module {name!r}: path {path!r} is inside {root}/, the lead's workflow folder",
                    "keep module code out of the shared workflow folder",
                )
            )
            continue
        if path in by_path:
            out.append(
                Problem(
                    ("modules", name, "path"),
                    f"modules {by_path[path]!r} and {name!r} have the same path {path!r}",
                    "each directory has exactly one owner",
                )
            )
            continue
        by_path[path] = name
    # Nesting: a module path whose proper prefix (by whole segments) is another module's.
    for path, name in by_path.items():
        segments = path.split("/")
        for cut in range(1, len(segments)):
            outer = by_path.get("/".join(segments[:cut]))
            if outer is not None:
                out.append(
                    Problem(
                        ("modules", name, "path"),
                        f"module {name!r} ({path}) is nested inside module {outer!r} "
                        f"({modules[outer]['path']})",
                        "modules never nest or overlap: move one of them",
                    )
                )
                break
    roles = data.get("roles", {})
    if isinstance(roles, dict):
        names = {n.lower() for n in modules}
        lead, reviewer = roles.get("lead", DEFAULT_LEAD), roles.get("reviewer", DEFAULT_REVIEWER)
        for role, value in (("lead", lead), ("reviewer", reviewer)):
            if isinstance(value, str) and value.lower() in names:
                out.append(
                    Problem(
                        ("roles", role) if role in roles else ("modules", value),
                        f"the {role} role's scope {value!r} is also a module name",
                        "a scope names either a module or a role: rename one of them",
                    )
                )
        if isinstance(lead, str) and isinstance(reviewer, str) and lead.lower() == reviewer.lower():
            out.append(
                Problem(
                    ("roles",),
                    f"the lead and the reviewer share the scope {lead!r}",
                    "give the reviewer its own scope, e.g. 'review'",
                )
            )
    return out


def _scope_like(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "m" + cleaned
    return cleaned[:40]


# --- structural rules (TG303), on the parsed JSON, tolerant of a wrong shape ---------------


def board_problems(data: Any, modules: list[str] | None, limit: int = 50) -> list[Problem]:
    """TG303: duplicate ids, unknown dependencies, dependency cycles, unknown assignees.

    `modules` are the module names an assignee must be one of (None: not checked).
    Linear in the number of tasks and dependencies; the cycle search is iterative.
    """
    out: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        return out
    known = {m.lower() for m in modules} if modules is not None else None
    first: dict[str, int] = {}
    deps: dict[str, list[str]] = {}
    for i, task in enumerate(data["tasks"]):
        if not isinstance(task, dict) or not isinstance(task.get("id"), str):
            continue
        tid = task["id"]
        if tid in first:
            out.append(
                Problem(
                    ("tasks", i, "id"),
                    f"duplicate task id {tid!r} (first used by tasks[{first[tid]}])",
                    "give every task its own id",
                )
            )
            continue
        first[tid] = i
        raw_deps = task.get("depends_on", [])
        deps[tid] = (
            [d for d in raw_deps if isinstance(d, str)] if isinstance(raw_deps, list) else []
        )
        assignee = task.get("assignee")
        if known is not None and isinstance(assignee, str) and assignee.lower() not in known:
            out.append(
                Problem(
                    ("tasks", i, "assignee"),
                    f"task {tid!r} is assigned to {assignee!r}, which is not a module",
                    "assign it to one of: " + (", ".join(sorted(known)) or "(no modules)"),
                )
            )
    for tid, i in first.items():
        for j, dep in enumerate(deps[tid]):
            if dep not in first:
                out.append(
                    Problem(
                        ("tasks", i, "depends_on", j),
                        f"task {tid!r} depends on {dep!r}, which is not on the board",
                        "remove the dependency or add the task",
                    )
                )
    for cycle in dependency_cycles(deps, limit=10):
        out.append(
            Problem(
                ("tasks", first[cycle[0]], "depends_on"),
                "dependency cycle: " + " → ".join(cycle),
                "a task cannot wait for itself: remove one of these dependencies",
            )
        )
    return out[:limit]


def dependency_cycles(deps: dict[str, list[str]], limit: int = 10) -> list[list[str]]:
    """Cycles of the dependency graph (each as ids, first id repeated at the end).

    Iterative depth-first search, so a 10,000-long chain needs no recursion.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    cycles: list[list[str]] = []
    for start in deps:
        if start in state:
            continue
        path = [start]
        position = {start: 0}
        stack = [iter(deps[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                node = path.pop()
                del position[node]
                state[node] = 2
                stack.pop()
                continue
            if nxt not in deps:
                continue
            seen = state.get(nxt)
            if seen is None:
                state[nxt] = 1
                position[nxt] = len(path)
                path.append(nxt)
                stack.append(iter(deps[nxt]))
            elif seen == 1 and len(cycles) < limit:
                cycles.append([*path[position[nxt] :], nxt])
    return cycles

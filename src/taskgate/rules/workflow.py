"""Workflow-file rules TG301, TG302, TG303, TG310 (SPEC §1.1, §1.2).

They judge `project_structure.json` and `task_list.json` as they are after the
change, and only when the change writes one of them (on a first commit every file
is written). The verdict for a blob is cached by blob id (see
`taskgate.workflow.blobcache.ValidatedBlobs`): the entry points put the cache on the
change (`Change.validated_blobs`) before the rules run and save it afterwards, so the
rules stay pure.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from taskgate.change import Change, FileChange
from taskgate.finding import Finding
from taskgate.policy import Policy
from taskgate.rules.registry import EVERY_STAGE, check, rule
from taskgate.workflow.blobcache import ValidatedBlobs, blob_key
from taskgate.workflow.jsonfile import JsonProblem

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from taskgate.workflow.checks import Problem
    from taskgate.workflow.validation import SchemaProblem

# Kinds of workflow file, as taskgate.workflow.schema names them (not imported: it is heavy).
STRUCTURE, TASKS = "structure", "tasks"
_SHARED = "shared"


TG301 = rule(
    id="TG301",
    name="json-valid",
    stages=EVERY_STAGE,
    summary="a workflow JSON file is not valid JSON or has duplicate keys",
    what="The module map and the board must parse as JSON; duplicate keys are errors.",
    why=(
        "The standard json module silently keeps the last duplicate; a board that means "
        "two things must not land."
    ),
    example='{"version": 1, "tasks": [ }',
    fix="Fix the syntax at the line and column shown.",
    see_also="board",
)

TG302 = rule(
    id="TG302",
    name="schema",
    stages=EVERY_STAGE,
    summary="a workflow JSON file does not match its schema",
    what=(
        "Validates against the JSON Schema shipped in taskgate's schemas/ folder and shows "
        "the JSON pointer, the offending value and what was expected."
    ),
    why="Every rule reads these files; a wrong shape would make them guess.",
    example='{"version": 1, "tasks": [{"id": "T1", "status": "started"}]}',
    fix='Use one of the allowed values, e.g. "status": "in_progress".',
    see_also="board",
)

TG303 = rule(
    id="TG303",
    name="board-structure",
    stages=EVERY_STAGE,
    summary="board structure: duplicate id, unknown dependency, cycle, unknown assignee",
    what=(
        "Task ids are unique, every depends_on names a task, dependencies have no cycle, "
        "every assignee is a module."
    ),
    why="A board with a cycle can never be finished; an unknown assignee has no owner.",
    example='{"id": "T1", "depends_on": ["T1"]}',
    fix="Remove the cycle or the unknown reference.",
    see_also="board",
)

TG310 = rule(
    id="TG310",
    name="structure-valid",
    stages=EVERY_STAGE,
    summary="project_structure.json invalid: overlapping modules, escaping paths, name clash",
    what=(
        "Module paths are relative POSIX directories, not empty, '.', absolute, with '..', "
        "backslashes or a trailing '/', not inside shared/ and not nested in each other; "
        "module names are scopes and differ from the role names."
    ),
    why="Overlapping or escaping paths make ownership ambiguous.",
    example='{"path": "../other"}',
    fix='{"path": "services/api"}',
)


@check(TG301, TG302, TG303, TG310)
def workflow_files(change: Change, policy: Policy) -> Iterator[Finding]:
    """The workflow files the change writes: JSON, schema, structure. Again at commit-msg,
    failing closed when the pre-commit hook did not run; when it did, the blob is in the
    cache and nothing is parsed or validated twice."""
    yield from check_workflow_files(change, policy)


def validated_blobs(change: Change) -> ValidatedBlobs:
    """The cache the entry point put on the change (an in-memory one otherwise)."""
    return change.validated_blobs


def workflow_roots(policy: Policy) -> list[str]:
    """Folders no module may live in: shared/ and the folders of the workflow files."""
    roots = {_SHARED, policy.paths.api}
    for path in (policy.paths.structure, policy.paths.tasks, policy.paths.plan):
        folder = posixpath.dirname(path)
        if folder:
            roots.add(folder)
    return sorted(r for r in roots if r)


def check_workflow_files(change: Change, policy: Policy) -> Iterator[Finding]:
    written = {fc.path: fc for fc in change.files if fc.new is not None}
    structure_fc = written.get(policy.paths.structure)
    board_fc = written.get(policy.paths.tasks)
    if structure_fc is None and board_fc is None:
        return
    blobs = validated_blobs(change)
    modules = sorted(change.structure.modules) if change.structure is not None else None
    if structure_fc is not None:
        found, after_modules = _structure(change, policy, structure_fc, blobs)
        yield from found
        if after_modules is not None:
            # A lead commit adding a module and its first task is judged as a whole.
            modules = after_modules
    if board_fc is not None or structure_fc is not None:
        yield from _board(change, policy, board_fc, modules, blobs)


def _structure(
    change: Change, policy: Policy, fc: FileChange, blobs: ValidatedBlobs
) -> tuple[list[Finding], list[str] | None]:
    path = policy.paths.structure
    roots = workflow_roots(policy)
    key = blob_key(fc.new.oid, STRUCTURE, roots) if fc.new is not None else None
    data = change.reader("after").json(path)
    if isinstance(data, JsonProblem):
        return [_not_json(path, data)], None
    if data is None:
        return [], None
    names = _module_names(data)
    if key is not None and key in blobs:
        return [], names
    problems, total = _schema(STRUCTURE, data)
    findings = _schema_findings(change, path, problems, total)
    from taskgate.workflow.checks import structure_problems

    findings += _problem_findings(change, path, "TG310", structure_problems(data, roots))
    if key is not None and not findings:
        blobs.add(key)
    return findings, names


def _board(
    change: Change,
    policy: Policy,
    fc: FileChange | None,
    modules: list[str] | None,
    blobs: ValidatedBlobs,
) -> list[Finding]:
    path = policy.paths.tasks
    data = change.reader("after").json(path)
    if isinstance(data, JsonProblem):
        return [_not_json(path, data)]
    if data is None:
        return []
    context = modules if modules is not None else ["<no project_structure.json>"]
    key = blob_key(fc.new.oid, TASKS, context) if fc is not None and fc.new is not None else None
    if key is not None and key in blobs:
        return []
    problems, total = _schema(TASKS, data)
    findings = _schema_findings(change, path, problems, total)
    from taskgate.workflow.checks import board_problems

    findings += _problem_findings(change, path, "TG303", board_problems(data, modules))
    if key is not None and not findings:
        blobs.add(key)
    return findings


def _module_names(data: object) -> list[str] | None:
    if isinstance(data, dict) and isinstance(data.get("modules"), dict):
        return sorted(str(name).lower() for name in data["modules"])
    return None


def _schema(kind: str, data: object) -> tuple[list[SchemaProblem], int]:
    from taskgate.workflow.validation import SchemaProblem, schema_problems

    try:
        # Module names are TG310's, with a better message than the pattern's.
        return schema_problems(kind, data, skip=_module_name_error if kind == STRUCTURE else None)
    except RecursionError:
        return [SchemaProblem((), "", "a document nested too deeply to be a workflow file")], 1


def _module_name_error(error: ValidationError) -> bool:
    return "propertyNames" in error.absolute_schema_path


def _not_json(path: str, problem: JsonProblem) -> Finding:
    return Finding(
        "TG301",
        f"not valid JSON: {problem}",
        path=path,
        line=problem.line,
        hint="fix the syntax at the line and column shown (duplicate keys are errors: the "
        "json module would silently keep the last one)",
    )


def _text(change: Change, path: str) -> str:
    # Only ever called for a file that parsed as JSON: present, and not binary.
    return change.reader("after").text(path) or ""


def _lines(change: Change, path: str, paths: list[tuple[str | int, ...]]) -> dict[
    tuple[str | int, ...], int
]:  # fmt: skip
    from taskgate.workflow.jsonlocate import locate_all

    return locate_all(_text(change, path), paths) if paths else {}


def _schema_findings(
    change: Change, path: str, problems: list[SchemaProblem], total: int
) -> list[Finding]:
    lines = _lines(change, path, [p.path for p in problems])
    out = [
        Finding(
            "TG302",
            f"does not match its schema at {p.describe()}",
            path=path,
            line=lines.get(p.path),
            hint=_schema_hint(path),
        )
        for p in problems
    ]
    if total > len(problems):
        out.append(
            Finding(
                "TG302",
                f"{total - len(problems)} more part(s) of the file do not match the schema",
                path=path,
                hint="fix the problems above, then commit again to see the rest",
            )
        )
    return out


def _schema_hint(path: str) -> str:
    name = STRUCTURE if path.endswith("project_structure.json") else TASKS
    schema = "project_structure" if name == STRUCTURE else "task_list"
    return (
        f"the schema is taskgate's schemas/{schema}.schema.json; unknown keys are errors "
        "unless they start with 'x-'"
    )


def _problem_findings(
    change: Change,
    path: str,
    rule: str,
    problems: list[Problem],
) -> list[Finding]:
    lines = _lines(change, path, [p.path for p in problems])
    return [
        Finding(rule, p.message, path=path, line=lines.get(p.path), hint=p.hint) for p in problems
    ]

"""Property test: random boards and random changes to them never make the board rules raise.

The rules are pure, so the change is built in memory: two sides holding the board (and a
few module files), every actor, every stage that runs them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.change import Actor, Change, FileChange, PlainSide, Role, Stage
from taskgate.git import Entry
from taskgate.policy import Policy
from taskgate.rules.catalog import RULES
from taskgate.rules.registry import run_checks
from taskgate.workflow.structure import structure_from_data
from tests.conftest import STRUCTURE

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOARD_PATH = "shared/task_list.json"
STRUCT = structure_from_data(STRUCTURE)
STATUSES = ["todo", "in_progress", "done", "review_feedback", "blocked", "bogus", ""]
IDS = ["T1", "T2", "T3", "t1", ""]
FILES = ["services/api/app/users.py", "web/index.html", "../x", "", "services/api"]


class MemorySide(PlainSide):
    """A side of a change held in a dict."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def exists(self, paths: Iterable[str]) -> set[str]:
        return {p for p in paths if p in self.files}


anything = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just([])
comment = st.fixed_dictionaries(
    {"author": st.sampled_from(["review", "lead", "x"]), "body": st.text(max_size=5)},
    optional={"resolved": st.booleans() | anything},
)
task = st.fixed_dictionaries(
    {
        "id": st.sampled_from(IDS) | anything,
        "title": st.text(max_size=5),
        "assignee": st.sampled_from(["python", "web", "nobody", "PYTHON"]) | anything,
        "status": st.sampled_from(STATUSES) | anything,
    },
    optional={
        "depends_on": st.lists(st.sampled_from(IDS) | anything, max_size=3) | anything,
        "outputs": st.fixed_dictionaries({}, optional={
            "files": st.lists(st.sampled_from(FILES) | anything, max_size=3) | anything,
            "notes": st.text(max_size=3),
        }) | anything,
        "review_comments": st.lists(comment | anything, max_size=3) | anything,
        "blocked_reason": st.none() | st.text(max_size=5) | anything,
    },
)  # fmt: skip
board = st.fixed_dictionaries(
    {"version": st.just(1) | anything, "tasks": st.lists(task, max_size=4)}
)
board_bytes = (
    board.map(lambda b: json.dumps(b).encode())
    | st.just(b"null")
    | st.just(b"{not json")
    | st.binary(max_size=20)
)


def _status_changes(data: st.DataObject, before: dict[str, Any]) -> dict[str, Any]:
    """`before` with some statuses moved and some outputs rewritten."""
    after: dict[str, Any] = json.loads(json.dumps(before))
    for t in after["tasks"]:
        if data.draw(st.booleans()):
            t["status"] = data.draw(st.sampled_from(STATUSES))
        if data.draw(st.booleans()):
            t["outputs"] = {"files": data.draw(st.lists(st.sampled_from(FILES), max_size=2))}
    return after


ACTORS = [
    Actor(Role.CODER, STRUCT.modules["python"]),
    Actor(Role.CODER, STRUCT.modules["web"]),
    Actor(Role.LEAD),
    Actor(Role.REVIEWER),
]


@pytest.mark.slow
@SETTINGS
@given(
    before=board,
    data=st.data(),
    actor=st.sampled_from(ACTORS),
    stage=st.sampled_from([Stage.COMMIT_MSG, Stage.CHECK, Stage.CI]),
    code=st.booleans(),
)
def test_random_status_changes_never_raise(
    before: dict[str, Any], data: st.DataObject, actor: Actor, stage: Stage, code: bool
) -> None:
    after = _status_changes(data, before)
    _run(json.dumps(before).encode(), json.dumps(after).encode(), actor, stage, code)


@SETTINGS
@given(
    before=st.none() | board_bytes,
    after=st.none() | board_bytes,
    actor=st.sampled_from(ACTORS),
    code=st.booleans(),
)
def test_random_boards_never_raise(
    before: bytes | None, after: bytes | None, actor: Actor, code: bool
) -> None:
    _run(before, after, actor, Stage.CI, code)


def _run(before: bytes | None, after: bytes | None, actor: Actor, stage: Stage, code: bool) -> None:
    from taskgate.message import message_from_bytes

    old = {BOARD_PATH: before} if before is not None else {}
    new = {BOARD_PATH: after} if after is not None else {}
    files = []
    if before != after:
        status = "M" if before is not None and after is not None else "A" if after else "D"
        files.append(FileChange(
            status, BOARD_PATH, BOARD_PATH,
            Entry(BOARD_PATH, "100644", "1" * 40) if before is not None else None,
            Entry(BOARD_PATH, "100644", "2" * 40) if after is not None else None,
        ))  # fmt: skip
    if code:
        path = "services/api/app/users.py"
        new[path] = b"x = 1\n"
        files.append(FileChange("A", path, path, None, Entry(path, "100644", "3" * 40)))
    scope = actor.module.name if actor.module else actor.role.value
    scope = {"reviewer": "review"}.get(scope, scope)
    change = Change(
        files=tuple(files),
        before=MemorySide(old),
        after=MemorySide(new),
        stage=stage,
        structure=STRUCT,
        message=message_from_bytes(f"feat({scope}): x\n".encode(), "#", "strip"),
        actor=actor,
    )
    for f in run_checks(change, Policy()):
        assert f.rule in RULES
        assert f.message

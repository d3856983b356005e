"""Edits of a board's task list for the lane and board tests: `edit_board(repo, set_("T1",
status="done"))` and friends (shared by several test modules, so they live here)."""

from __future__ import annotations

from typing import Any

from tests.lanes.conftest import Edit, task

DROP = object()


def set_(tid: str, **fields: Any) -> Edit:
    def edit(tasks: list[dict[str, Any]]) -> None:
        t = next(t for t in tasks if t["id"] == tid)
        for key, value in fields.items():
            if value is DROP:
                t.pop(key, None)
            else:
                t[key] = value

    return edit


def comment(tid: str, resolved: bool = False, body: str = "Return 404 for unknown ids") -> Edit:
    def edit(tasks: list[dict[str, Any]]) -> None:
        t = next(t for t in tasks if t["id"] == tid)
        t.setdefault("review_comments", []).append(
            {"author": "review", "body": body, "resolved": resolved}
        )

    return edit


def resolve(tid: str, index: int = 0) -> Edit:
    def edit(tasks: list[dict[str, Any]]) -> None:
        next(t for t in tasks if t["id"] == tid)["review_comments"][index]["resolved"] = True

    return edit


def add_task(tid: str, assignee: str) -> Edit:
    return lambda tasks: tasks.append(task(tid, assignee))


def remove_task(tid: str) -> Edit:
    def edit(tasks: list[dict[str, Any]]) -> None:
        tasks[:] = [t for t in tasks if t["id"] != tid]

    return edit


def both(*edits: Edit) -> Edit:
    def edit(tasks: list[dict[str, Any]]) -> None:
        for e in edits:
            e(tasks)

    return edit

"""`taskgate init`: scaffold the workflow files, the policy and a pre-commit config."""

from __future__ import annotations

import json
import os
from pathlib import Path

from taskgate.errors import TaskgateError
from taskgate.git import Repo

STRUCTURE = {
    "version": 1,
    "modules": {
        "python": {"path": "services/api", "agent": "python-coder", "language": "python"},
        "web": {"path": "web", "agent": "frontend-coder"},
    },
    "roles": {"lead": "lead", "reviewer": "review"},
}

BOARD = {
    "version": 1,
    "tasks": [
        {
            "id": "T1",
            "title": "User CRUD endpoints",
            "assignee": "python",
            "status": "todo",
            "depends_on": [],
            "outputs": {"files": [], "commits": [], "endpoints": [], "dependencies": [],
                        "notes": ""},
            "review_comments": [],
            "blocked_reason": None,
        },
        {
            "id": "T2",
            "title": "Users page",
            "assignee": "web",
            "status": "todo",
            "depends_on": ["T1"],
        },
    ],
}  # fmt: skip

PLAN = """# Plan

## Milestones

1. Users can be created, read, updated and deleted through the API.
2. The web module shows them.

## Contracts

Coders append the endpoints they expose here, one per line, as `METHOD /path`.

## Database schema

- users(id integer primary key, name text not null)
"""

POLICY = """# taskgate policy. Everything has a default; this file shows the main ones.
[commit]
require_scope = true
header_max = 100
require_task_trailer = false

[rules]
ignore = []
warn = []

[gate]
timeout = 600

# Commands per language: every module whose "language" is "python" in
# shared/project_structure.json runs these (in its own folder).
[gate.python]
commands = ["ruff check .", "mypy .", "pytest -q"]

# Commands of one module, by its name in project_structure.json; they replace the
# language's commands for that module. A table that names no language or module is
# an error. docs/policy-reference.md lists every table and key.
[gate.modules.web]
commands = []
"""

PRE_COMMIT = """# taskgate via the pre-commit framework; `pre-commit install` sets up all stages.
# Use this route or `taskgate install`, not both (every check would run twice).
default_install_hook_types: [pre-commit, commit-msg, pre-merge-commit, pre-push]
repos:
  - repo: local
    hooks:
      - id: taskgate
        name: taskgate
        entry: taskgate hook pre-commit
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-commit]
      - id: taskgate-commit-msg
        name: taskgate (commit message)
        entry: taskgate hook commit-msg
        language: system
        always_run: true
        stages: [commit-msg]
      - id: taskgate-pre-merge-commit
        name: taskgate (merge)
        entry: taskgate hook pre-merge-commit
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-merge-commit]
      - id: taskgate-pre-push
        name: taskgate (pre-push)
        entry: taskgate hook pre-push
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-push]
"""


def history_table(baseline: str) -> str:
    return (
        "\n# The last commit from before taskgate: it and its ancestors are not judged by\n"
        "# ci, pre-push and pre-receive, so existing history needs no rewrite.\n"
        f'[history]\nbaseline = "{baseline}"\n'
    )


def scaffold_files(*, baseline: str | None = None, pre_commit: bool = True) -> dict[str, str]:
    files = {
        "shared/project_structure.json": json.dumps(STRUCTURE, indent=2) + "\n",
        "shared/task_list.json": json.dumps(BOARD, indent=2) + "\n",
        "shared/plan.md": PLAN,
        "taskgate.toml": POLICY + (history_table(baseline) if baseline else ""),
    }
    if pre_commit:
        files[".pre-commit-config.yaml"] = PRE_COMMIT
    return files


def init(repo: Repo, *, pre_commit: bool = False) -> list[str]:
    """Create what is missing; never overwrite. Returns one line per file.

    `.pre-commit-config.yaml` only with `pre_commit` (the framework route): next to
    `taskgate install` it would run every check twice. With history, the policy names
    HEAD as `[history] baseline` (commits up to it are not judged).
    """
    done = []
    baseline = repo.head()
    for rel, content in scaffold_files(baseline=baseline, pre_commit=pre_commit).items():
        path: Path = repo.root / rel
        # A dangling symlink "does not exist" yet is the user's: keep it, never write through.
        if path.exists() or path.is_symlink():
            done.append(f"kept     {rel} (already exists)")
            continue
        # realpath, not resolve(): Path.resolve raises RuntimeError on a symlink loop.
        if not Path(os.path.realpath(path.parent)).is_relative_to(os.path.realpath(repo.root)):
            done.append(f"skipped  {rel} (its folder leads outside the repository)")
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as fh:
                fh.write(content)
        except OSError as exc:
            made = [d.split()[1] for d in done if d.startswith("created")]
            raise TaskgateError(
                f"cannot create {rel}: {exc.strerror or exc}; "
                f"created so far: {', '.join(made) or 'nothing'}"
            ) from exc
        done.append(f"created  {rel}")
    if baseline and any(d.startswith("created  taskgate.toml") for d in done):
        done.append(f"history: commits up to {baseline[:12]} ([history] baseline) are not judged")
    elif baseline:
        done.append(
            f"history: to leave the commits up to {baseline[:12]} alone, add [history] "
            f'baseline = "{baseline}" to your policy'
        )
    if pre_commit:
        done.append("next: edit shared/project_structure.json, then `pre-commit install`")
    else:
        done.append("next: edit shared/project_structure.json, then `taskgate install`")
    return done

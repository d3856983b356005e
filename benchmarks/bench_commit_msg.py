"""commit-msg hook: taskgate against conventional-pre-commit, gitlint and commitizen.

Whole processes, alternating, on the same message file, in a repository with the
workflow files committed by the lead (the realistic path: policy and module map
read from HEAD). Three states of the index:

- nothing staged (the message alone decides);
- three files of the committing coder's module staged (the lane rules run);
- the board staged as well (a workflow file changed: it is parsed and checked
  against its schema).

The first (warm-up) run of each tool is not timed; for taskgate it also fills the
parsed-policy cache, as the first commit in a clone does.

The peers only read the message, so their figures do not depend on the index;
they run in every benchmark anyway so each table is one alternating run.
Budget (SPEC §9): taskgate under 100 ms and faster than conventional-pre-commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from harness import (
    VENV_BIN,
    Row,
    fresh_dir,
    git,
    hook_env,
    median_ms,
    python_exe,
    run_process,
    time_commands,
)

BUDGET_MS = 100.0

STRUCTURE = {
    "version": 1,
    "modules": {
        "python": {"path": "services/api", "agent": "python-coder", "language": "python"},
        "web": {"path": "web", "agent": "frontend-coder"},
    },
    "roles": {"lead": "lead", "reviewer": "review"},
}


def _board(t1_status: str) -> dict[str, object]:
    return {
        "version": 1,
        "tasks": [
            {"id": "T1", "title": "User CRUD", "assignee": "python", "status": t1_status,
             "depends_on": []},
            {"id": "T2", "title": "Users page", "assignee": "web", "status": "todo",
             "depends_on": ["T1"]},
        ],
    }  # fmt: skip


PLAN = "# Plan\n\n## Milestones\n\n1. Users.\n\n## Contracts\n\n- GET /health\n"
POLICY = "[gate]\nenabled = false\n"

# Valid for all four tools: gitlint wants a body, commitizen and conventional-pre-commit
# a Conventional Commits header.
MESSAGE = (
    "feat(python): add the user listing endpoint\n"
    "\n"
    "List users page by page so the web module can show them in a table.\n"
    "The page size is fixed for now.\n"
)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_repo(root: Path, env: dict[str, str], t1_status: str) -> Path:
    """A repository whose HEAD holds the workflow files and a small Python module."""
    git(root, "init", "-q", "-b", "main", env=env)
    _write(root, "shared/project_structure.json", json.dumps(STRUCTURE, indent=2) + "\n")
    _write(root, "shared/task_list.json", json.dumps(_board(t1_status), indent=2) + "\n")
    _write(root, "shared/plan.md", PLAN)
    _write(root, "taskgate.toml", POLICY)
    _write(root, "services/api/pyproject.toml", '[project]\nname = "api"\nversion = "0"\n')
    _write(root, "services/api/app/__init__.py", "")
    for i in range(20):
        _write(root, f"services/api/app/mod{i}.py", f"def f{i}(x: int) -> int:\n    return x\n")
    _write(root, "web/index.html", "<p>hi</p>\n")
    git(root, "add", ".", env=env)
    git(root, "commit", "-q", "--no-verify", "-m", "chore(lead): set up the workflow", env=env)
    return root


def stage_module_files(root: Path, env: dict[str, str], count: int = 3) -> None:
    for i in range(count):
        _write(root, f"services/api/app/mod{i}.py", f"def f{i}(x: int) -> int:\n    return x + 1\n")
    git(root, "add", "services/api", env=env)


def stage_board_move(root: Path, env: dict[str, str]) -> None:
    _write(root, "shared/task_list.json", json.dumps(_board("in_progress"), indent=2) + "\n")
    git(root, "add", "shared/task_list.json", env=env)


def commands(repo: Path, env: dict[str, str], message: Path) -> dict[str, Callable[[], object]]:
    """The four tools (and taskgate as the installed shim starts it) on one message file."""
    return {
        "taskgate": run_process(
            [VENV_BIN / "taskgate", "hook", "commit-msg", message], repo, env, check_returncode=0
        ),
        "taskgate (python -m, as the shim runs it)": run_process(
            [python_exe(), "-m", "taskgate", "hook", "commit-msg", message],
            repo,
            env,
            check_returncode=0,
        ),
        "conventional-pre-commit": run_process(
            [VENV_BIN / "conventional-pre-commit", message], repo, env, check_returncode=0
        ),
        "gitlint": run_process(
            [VENV_BIN / "gitlint", "--msg-filename", message], repo, env, check_returncode=0
        ),
        "commitizen": run_process(
            [VENV_BIN / "cz", "check", "--commit-msg-file", message],
            repo,
            env,
            check_returncode=0,
        ),
    }


SCENARIOS = (
    ("commit-msg, nothing staged", "in_progress", ()),
    ("commit-msg, 3 module files staged", "in_progress", ("module",)),
    ("commit-msg, module files and board staged", "todo", ("module", "board")),
)


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 7 if quick else 31
    rows: list[Row] = []
    for name, t1_status, staged in SCENARIOS:
        root = fresh_dir(workdir, name.split(", ", 1)[1].replace(" ", "-").replace("+", "and"))
        repo = root / "repo"
        repo.mkdir()
        env = hook_env(root, repo)
        make_repo(repo, env, t1_status)
        if "module" in staged:
            stage_module_files(repo, env)
        if "board" in staged:
            stage_board_move(repo, env)
        message = root / "COMMIT_EDITMSG"
        message.write_text(MESSAGE, encoding="utf-8")
        timings = time_commands(commands(repo, env, message), runs=runs, warmup=2)
        what = {
            (): "HEAD has the policy, module map and board; index equals HEAD",
            ("module",): "3 files of services/api staged; T1 in_progress at HEAD",
            ("module", "board"): "3 module files + T1 todo → in_progress staged "
            "(the board is parsed and schema-checked)",
        }[staged]
        for tool, seconds in timings.items():
            budget = BUDGET_MS if tool == "taskgate" else None
            note = f"{what}; {runs} runs" if tool == "taskgate" else f"{runs} runs"
            rows.append(Row(name, tool, median_ms(seconds), budget, note))
    return rows

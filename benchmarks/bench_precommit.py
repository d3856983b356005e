"""pre-commit hook on a 50,000-file repository, and a 10,000-task board (SPEC §9).

1. `taskgate hook pre-commit` (gate off), whole process, in a generated repository
   of 50,000 files (25,000 in the python module, 20,000 in web, 5,000 docs) with
   100 staged changes: 98 module files edited, one added, and the board (a task
   moved todo → in_progress). The validated-blobs cache is removed before every
   run, so the board is parsed and validated each time (the cold case). Two
   variants: no identity known (the "pre" rules), and TASKGATE_AGENT set (the lane
   and board rules run at pre-commit as well). `git diff-index --cached` alone,
   the floor any hook pays on this index, is shown for reference. Budget: 150 ms.
2. A 10,000-task board (5 MB of JSON): `taskgate check --no-gate --no-cache` of a
   coder commit moving one task in_progress → done (schema validation, TG303
   structure, every transition, TG306 outputs, TG307), whole process. Budget: 1 s.
   The in-process cost of the board work alone is in the note.

The repositories are generated with `git fast-import` (one process, seconds) and
kept under benchmarks/.work/precommit/ between runs; the index is filled with
`git read-tree` and the working tree is not checked out (the hook reads the
index and HEAD only).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import (
    REPO_ROOT,
    Row,
    bench_env,
    git,
    median_ms,
    python_exe,
    run_process,
    time_commands,
)

SRC = REPO_ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

HOOK_BUDGET_MS = 150.0
BOARD_BUDGET_MS = 1000.0
GENERATION = "v1"  # bump to regenerate the cached repositories

STRUCTURE = {
    "version": 1,
    "modules": {
        "python": {"path": "services/api", "agent": "python-coder", "language": "python"},
        "web": {"path": "web", "agent": "frontend-coder"},
    },
    "roles": {"lead": "lead", "reviewer": "review"},
}
PLAN = "# Plan\n\n## Milestones\n\n1. Users.\n\n## Contracts\n\n- GET /health\n"
POLICY = "[gate]\nenabled = false\n"


def _task(tid: str, module: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": tid, "title": f"Task {tid}", "assignee": module, "status": status,
            "depends_on": [], **extra}  # fmt: skip


def _json(doc: object) -> str:
    return json.dumps(doc, indent=2) + "\n"


class _Stream:
    """A `git fast-import` stream: blobs by mark, then commits listing paths."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0

    def blob(self, text: str) -> int:
        data = text.encode()
        self.mark += 1
        self.parts.append(b"blob\nmark :%d\ndata %d\n%s\n" % (self.mark, len(data), data))
        return self.mark

    def commit(self, ref: str, message: str, files: dict[str, int], parent: str | None) -> None:
        msg = message.encode()
        self.parts.append(
            b"commit %s\ncommitter Bench <bench@example.com> 1700000000 +0000\n"
            b"data %d\n%s\n" % (ref.encode(), len(msg), msg)
        )
        if parent:
            self.parts.append(b"from %s\n" % parent.encode())
        self.parts.extend(b"M 100644 :%d %s\n" % (m, p.encode()) for p, m in files.items())
        self.parts.append(b"\n")

    def run(self, repo: Path) -> None:
        proc = subprocess.run(
            ["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(self.parts),
            env=bench_env(), capture_output=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"git fast-import failed: {proc.stderr.decode()[-500:]}")


def _init(path: Path) -> None:
    import shutil

    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")


def _ready(path: Path) -> bool:
    return (path / ".git" / f"bench-{GENERATION}").exists()


def _finish(path: Path, staged_ref: str) -> None:
    git(path, "read-tree", staged_ref)  # the staged state: HEAD + the changes
    (path / ".git" / f"bench-{GENERATION}").write_text("ok\n")


def big_repo(workdir: Path, files: int = 50_000, changes: int = 100) -> Path:
    """HEAD: `files` files; index: `changes` staged changes (module files + the board)."""
    path = workdir / f"repo-{files}"
    if _ready(path):
        return path
    _init(path)
    board = {"version": 1, "tasks": [_task("T1", "python", "in_progress"),
                                     _task("T2", "web", "todo"),
                                     _task("T3", "python", "todo")]}  # fmt: skip
    s = _Stream()
    tree: dict[str, int] = {
        "shared/project_structure.json": s.blob(_json(STRUCTURE)),
        "shared/task_list.json": s.blob(_json(board)),
        "shared/plan.md": s.blob(PLAN),
        "taskgate.toml": s.blob(POLICY),
        "services/api/pyproject.toml": s.blob('[project]\nname = "api"\nversion = "0"\n'),
    }
    python, web = files // 2, files * 2 // 5
    for i in range(files - len(tree)):
        if i < python:
            rel, text = f"services/api/app/pkg{i // 100}/mod{i}.py", f"VALUE_{i} = {i}\n"
        elif i < python + web:
            rel, text = f"web/src/part{i // 100}/comp{i}.ts", f"export const v{i} = {i};\n"
        else:
            rel, text = f"docs/section{i // 100}/page{i}.md", f"# Page {i}\n"
        tree[rel] = s.blob(text)
    s.commit("refs/heads/main", "chore(lead): a big repository", tree, None)
    staged = dict(tree)
    for i in range(changes - 2):
        staged[f"services/api/app/pkg{i // 100}/mod{i}.py"] = s.blob(f"VALUE_{i} = {i + 1}\n")
    staged["services/api/app/new_module.py"] = s.blob("NEW = 1\n")
    board["tasks"][2]["status"] = "in_progress"
    staged["shared/task_list.json"] = s.blob(_json(board))
    s.commit("refs/bench/staged", "the staged state", staged, "refs/heads/main")
    s.run(path)
    _finish(path, "refs/bench/staged")
    return path


def board_repo(workdir: Path, tasks: int = 10_000) -> Path:
    """HEAD: a `tasks`-task board; index: one python task moved in_progress → done."""
    path = workdir / f"board-{tasks}"
    if _ready(path):
        return path
    _init(path)
    mid = tasks // 2
    items = []
    for i in range(tasks):
        module = "python" if i % 2 == 0 else "web"
        status = ("done", "todo", "in_progress", "review_feedback")[i % 4]
        extra: dict[str, Any] = {"depends_on": [f"T{i - 1}"]} if i else {}
        if status == "done":
            extra["outputs"] = {"files": [f"services/api/app/t{i}.py"], "notes": "delivered"}
        if status == "review_feedback":
            extra["review_comments"] = [{"author": "review", "body": "check the error codes",
                                         "resolved": False}]  # fmt: skip
        items.append(_task(f"T{i}", module, status, **extra))
    items[mid] = _task(f"T{mid}", "python", "in_progress", depends_on=[f"T{mid - 1}"])
    s = _Stream()
    tree = {
        "shared/project_structure.json": s.blob(_json(STRUCTURE)),
        "shared/task_list.json": s.blob(_json({"version": 1, "tasks": items})),
        "shared/plan.md": s.blob(PLAN),
        "taskgate.toml": s.blob(POLICY),
        "services/api/pyproject.toml": s.blob('[project]\nname = "api"\nversion = "0"\n'),
    }
    s.commit("refs/heads/main", "chore(lead): a big board", tree, None)
    done = f"services/api/app/t{mid}.py"
    items[mid] = {**items[mid], "status": "done", "outputs": {"files": [done]}}
    staged = {**tree, done: s.blob("DONE = True\n"),
              "shared/task_list.json": s.blob(_json({"version": 1, "tasks": items}))}  # fmt: skip
    s.commit("refs/bench/staged", "the staged state", staged, "refs/heads/main")
    s.run(path)
    _finish(path, "refs/bench/staged")
    return path


def _without_cache(repo: Path, runner: Any) -> Any:
    cache = repo / ".git" / "taskgate" / "validated-blobs"

    def run() -> object:
        cache.unlink(missing_ok=True)
        return runner()

    return run


def _in_process_board_ms(repo: Path, runs: int) -> float:
    """Median of the workflow validation plus the board rules alone, in this process."""
    from taskgate.builders import staged_change
    from taskgate.change import Stage
    from taskgate.git import Repo
    from taskgate.message import message_from_bytes
    from taskgate.rules import board as board_rules
    from taskgate.rules import workflow as workflow_rules

    timings = []
    for _ in range(runs + 1):
        with Repo(repo) as r:
            message = message_from_bytes(b"feat(python): finish the task\n", "#", "strip")
            built = staged_change(r, Stage.CHECK, message)
            built.change.after.read("shared/task_list.json")  # blob reads are git's share
            built.change.before.read("shared/task_list.json")
            start = time.perf_counter()
            found = [*workflow_rules.workflow_files(built.change, built.policy),
                     *board_rules.board_rules(built.change, built.policy)]  # fmt: skip
            timings.append(time.perf_counter() - start)
            if found:
                raise RuntimeError(f"the benchmark board has findings: {found[:3]}")
    return median_ms(timings[1:])


def run(workdir: Path, quick: bool) -> list[Row]:
    runs = 5 if quick else 21
    python = python_exe()
    rows: list[Row] = []

    repo = big_repo(workdir)
    env = bench_env()
    agent_env = bench_env({"TASKGATE_AGENT": "python-coder"})
    hook = [python, "-m", "taskgate", "hook", "pre-commit"]
    commands = {
        "taskgate": _without_cache(repo, run_process(hook, repo, env, check_returncode=0)),
        "taskgate, TASKGATE_AGENT set": _without_cache(
            repo, run_process(hook, repo, agent_env, check_returncode=0)
        ),
        "git diff-index --cached (floor)": run_process(
            ["git", "diff-index", "--cached", "-z", "--raw", "-M", "-C", "HEAD"], repo, env,
            check_returncode=0,
        ),
    }  # fmt: skip
    staged = len(git(repo, "diff-index", "--cached", "--name-only", "HEAD").split())
    indexed = len(git(repo, "ls-files").split("\n")) - 1
    timings = time_commands(commands, runs)
    bench = f"pre-commit hook, gate off: {indexed:,} files, {staged} staged changes"
    rows.append(
        Row(
            bench,
            "taskgate",
            median_ms(timings["taskgate"]),
            HOOK_BUDGET_MS,
            "pre rules (workflow files, integrity); board validated cold each run",
        )
    )
    rows.append(
        Row(
            bench,
            "taskgate (TASKGATE_AGENT set)",
            median_ms(timings["taskgate, TASKGATE_AGENT set"]),
            HOOK_BUDGET_MS,
            "lane and board rules run at pre-commit as well",
        )
    )
    rows.append(Row(bench, "git diff-index --cached (floor)",
                    median_ms(timings["git diff-index --cached (floor)"]), None,
                    "the diff every hook needs, nothing else"))  # fmt: skip

    board = board_repo(workdir)
    size = len(git(board, "cat-file", "-p", "HEAD:shared/task_list.json"))
    check = [python, "-m", "taskgate", "check", "-m", "feat(python): finish the task",
             "--no-gate", "--no-cache"]  # fmt: skip
    timings = time_commands(
        {"taskgate": run_process(check, board, env, check_returncode=0)}, max(3, runs // 2)
    )
    inner = _in_process_board_ms(board, 3 if quick else 7)
    rows.append(
        Row(
            f"10,000-task board ({size / 1e6:.1f} MB): validation and transition checks",
            "taskgate",
            median_ms(timings["taskgate"]),
            BOARD_BUDGET_MS,
            f"`taskgate check --no-cache` whole process; the workflow and board rules alone "
            f"take {inner:.0f} ms in-process (both sides parsed, validated, compared)",
        )
    )
    return rows


if __name__ == "__main__":
    from harness import WORK_ROOT, markdown_table

    work = WORK_ROOT / "precommit"
    work.mkdir(parents=True, exist_ok=True)
    print(markdown_table(run(work, "--quick" in sys.argv)))

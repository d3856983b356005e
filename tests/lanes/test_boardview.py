"""`taskgate board`: the staged board as columns per status, grouped by module."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import GitRepo
from tests.lanes.conftest import TASKS, base, board_doc, edit_board, lead_setup, task
from tests.support.boards import set_
from tests.support.inprocess import run_main


def board(
    repo: GitRepo, *args: str, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`taskgate board ARGS` through `cli.main` in this process (the text-format tests and
    the `--repo` test below start real processes: the console script, the width fallback)."""
    return run_main("board", *args, cwd=repo.path, env=env)


def column_of(text: str, heading: str, cell: str) -> bool:
    """Whether `cell` sits in the column headed `heading` (same offset, same block)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if heading in line:
            offset = line.index(heading)
            for below in lines[i + 1 :]:
                if not below.startswith("  "):
                    break
                if below[offset:].startswith(cell):
                    return True
    return False


def test_text_columns_per_module(lane_repo: GitRepo) -> None:
    tasks = base(t1="in_progress", t2="blocked", blocked_reason=None)
    tasks[1]["blocked_reason"] = "db down"
    open_comment = {"author": "r", "body": "b", "resolved": False}
    tasks.append(task("T4", "python", "review_feedback", review_comments=[open_comment]))
    tasks.append(task("T5", "python", "done", outputs={"files": ["services/api/app/__init__.py"]}))
    lead_setup(lane_repo, {TASKS: board_doc(tasks)})
    proc = lane_repo.taskgate("board", env={"COLUMNS": "150"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"{TASKS} (staged): 5 tasks — 1 todo, 1 in progress, 1 review feedback,"
                          " 1 blocked, 1 done")  # fmt: skip
    python_at, web_at = out.index("\npython  services/api/"), out.index("\nweb  web/")
    assert python_at < web_at
    python_block, web_block = out[python_at:web_at], out[web_at:]
    assert column_of(python_block, "IN PROGRESS (1)", "T1 Task T1")
    assert column_of(python_block, "TODO (1)", "T3 Task T3 [waits for T1]")
    assert column_of(python_block, "REVIEW FEEDBACK (1)", "T4 Task T4 [1 open comment]")
    assert column_of(python_block, "DONE (1)", "T5 Task T5")
    assert column_of(web_block, "BLOCKED (1)", "T2 Task T2 [db down]")
    assert not column_of(web_block, "TODO (0)", "T2")


def test_shows_the_staged_board(lane_repo: GitRepo) -> None:
    edit_board(lane_repo, set_("T1", status="in_progress"))
    # An unstaged edit on top: not what the next commit records, so not shown.
    doc = json.loads((lane_repo.path / TASKS).read_text())
    doc["tasks"][0]["status"] = "done"
    lane_repo.write_json(TASKS, doc)
    out = board(lane_repo, "--format", "json").stdout
    python = json.loads(out)["modules"][0]
    assert [t["id"] for t in python["columns"]["in_progress"]] == ["T1"]
    assert python["columns"]["done"] == []


def test_json_shape(lane_repo: GitRepo) -> None:
    tasks = [*base(), task("M1", "mobile")]
    lead_setup(lane_repo, {TASKS: board_doc(tasks)})
    proc = board(lane_repo, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert doc["board"] == TASKS
    assert doc["source"] == "index"
    assert doc["statuses"] == ["todo", "in_progress", "review_feedback", "blocked", "done"]
    assert doc["counts"] == {"todo": 4, "in_progress": 0, "review_feedback": 0, "blocked": 0,
                             "done": 0}  # fmt: skip
    names = [(m["name"], m["path"], m["known"]) for m in doc["modules"]]
    assert names == [("python", "services/api", True), ("web", "web", True),
                     ("mobile", None, False)]  # fmt: skip
    t3 = doc["modules"][0]["columns"]["todo"][1]
    assert t3 == {"id": "T3", "title": "Task T3", "depends_on": ["T1"], "waiting_for": ["T1"],
                  "open_comments": 0, "blocked_reason": None, "outputs": []}  # fmt: skip


def test_unknown_module_is_shown_and_marked(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc([*base(), task("M1", "mobile")])})
    out = lane_repo.taskgate("board").stdout
    assert "mobile  not a module of project_structure.json" in out
    assert "web  web/ (frontend-coder)" in out


def test_odd_titles_keep_the_grid(lane_repo: GitRepo) -> None:
    tasks = base()
    tasks[0]["title"] = "line one\nline two\tand a very long title " + "x" * 300
    lead_setup(lane_repo, {TASKS: board_doc(tasks)})
    out = board(lane_repo, env={"COLUMNS": "100"}).stdout
    assert all(len(line) <= 100 for line in out.split("\n")[1:])
    assert "\n  T1 line one line " in out  # newline and tab folded, cut to the column


def test_no_board_is_a_clear_error(lane_repo: GitRepo) -> None:
    lane_repo.git("rm", "-q", "--cached", TASKS)
    proc = board(lane_repo)
    assert proc.returncode == 2
    assert f"no board at {TASKS} in the index" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_board_is_a_clear_error(lane_repo: GitRepo) -> None:
    lane_repo.write(TASKS, '{"version": 1, "tasks": [\n}\n')
    lane_repo.add(TASKS)
    proc = board(lane_repo)
    assert proc.returncode == 2
    assert f"{TASKS} is not valid JSON: line 2, column 1" in proc.stderr
    lane_repo.write_json(TASKS, {"version": 1, "tasks": [{"id": 3}]})
    lane_repo.add(TASKS)
    proc = board(lane_repo)
    assert proc.returncode == 2
    assert "cannot be shown" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_board_before_the_first_commit(repo: GitRepo) -> None:
    assert repo.taskgate("init").returncode == 0
    repo.add()
    proc = board(repo)
    assert proc.returncode == 0, proc.stderr
    assert "T1 User CRUD endpoints" in proc.stdout


def test_board_with_repo_option_from_elsewhere(lane_repo: GitRepo) -> None:
    proc = lane_repo.taskgate("board", "--repo", str(lane_repo.path), cwd=lane_repo.path.parent)
    assert proc.returncode == 0, proc.stderr
    assert "2 tasks" in proc.stdout.split("\n")[0]

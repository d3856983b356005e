"""Workflow files (SPEC §1.1, §1.2): TG301, TG302, TG303, TG310 through the commit hooks,
hostile inputs, and the cache of validated blobs.

The case tables are judged in memory as the two hooks judge a staged change
(tests/support/staged.py); their first case also makes a real commit through the shims,
which the judge in memory must agree with. The cache of validated blobs, the hook order,
the 10 MB board and the 100,000-level documents go through real commits and processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import STRUCTURE, GitRepo
from tests.lanes.conftest import (
    STRUCT,
    TASKS,
    assert_findings,
    base,
    board_doc,
    check_json,
    lead_setup,
    task,
    text_findings,
)
from tests.support.staged import MemoryScene, agree, rules_and_paths

LEAD = "chore(lead): update the workflow files"


def my_findings(repo: GitRepo, message: str = LEAD) -> list[tuple[str, str | None]]:
    """The TG3xx findings of `taskgate check` (other families may add their own)."""
    return [(r, p) for r, p in check_json(repo, message) if r.startswith("TG3")]


def memory_findings(scene: MemoryScene, message: str = LEAD) -> list[tuple[str, str | None]]:
    """`my_findings` of the scene's staged change, `taskgate check` judged in memory."""
    found = json.loads(scene.check(message).stdout)["findings"]
    return [(f["rule"], f["path"]) for f in found if f["rule"].startswith("TG3")]


def commit_raw(repo: GitRepo, rel: str, raw: bytes | str) -> subprocess.CompletedProcess[str]:
    """Stage `raw` at `rel` and commit it as the lead through the hooks."""
    repo.write(rel, raw)
    repo.add(rel)
    return repo.commit(LEAD)


def judge_raw(rel: str, raw: bytes | str) -> subprocess.CompletedProcess[str]:
    """What the hooks answer to the lead's commit of `raw` at `rel`, judged in memory."""
    scene = MemoryScene()
    scene.write(rel, raw)
    return scene.hooks(LEAD)


def table_commit(
    request: pytest.FixtureRequest, name: str, table: list[Any], rel: str, raw: bytes | str
) -> subprocess.CompletedProcess[str]:
    """A table's case judged in memory; its first case also through a real `git commit`
    (the end-to-end proof), which the judge in memory must agree with."""
    if name != table[0][0]:
        return judge_raw(rel, raw)
    repo: GitRepo = request.getfixturevalue("lane_repo")
    real = commit_raw(repo, rel, raw)
    agree(judge_raw(rel, raw), real)
    return real


# --- TG301: not JSON ---------------------------------------------------------------------

NOT_JSON = [
    ("a syntax error", b'{"version": 1,\n  "tasks": [\n    {"id": "T1",}\n  ]\n}\n', "line 3"),
    ("duplicate keys", b'{"version": 1, "tasks": [], "tasks": []}\n', 'duplicate key "tasks"'),
    ("a duplicate key in a task",
     b'{"version": 1, "tasks": [{"id": "T1", "id": "T2", "title": "x", "assignee": "python",'
     b' "status": "todo"}]}\n', 'duplicate key "id"'),
    ("binary content", b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 4, "binary"),
    ("not UTF-8", b'{"version": 1, "tasks": [], "x-a": "\xff\xfe"}\n', "UTF-8"),
    ("a byte order mark", b'\xef\xbb\xbf{"version": 1, "tasks": []}\n', "byte order mark"),
    ("an empty file", b"", "empty"),
    ("NaN", b'{"version": NaN, "tasks": []}\n', "NaN"),
    ("100,000 levels of nesting", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("100,000 levels inside an object",
     b'{"version": 1, "tasks": [], "x-deep": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
     + b"}", "nested too deeply"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "raw", "says"), NOT_JSON, ids=[c[0] for c in NOT_JSON])
def test_board_not_json(request: pytest.FixtureRequest, name: str, raw: bytes, says: str) -> None:
    if "levels" in name:
        # The deep ones in a process of their own: this process's stack is deeper already.
        proc = commit_raw(request.getfixturevalue("lane_repo"), TASKS, raw)
    else:
        proc = table_commit(request, name, NOT_JSON, TASKS, raw)
    assert_findings(proc, [("TG301", TASKS)])
    assert says in proc.stderr


def test_not_json_gives_line_and_column() -> None:
    proc = judge_raw(TASKS, b'{"version": 1,\n  "tasks": [\n    {"id": "T1",}\n]}\n')
    assert f"{TASKS}:3: not valid JSON: line 3, column 17:" in proc.stderr


def test_structure_not_json() -> None:
    proc = judge_raw(STRUCT, b'{"version": 1, "modules": {"web": }}\n')
    assert_findings(proc, [("TG301", STRUCT)])


# --- TG302: the schema ---------------------------------------------------------------------


def tweak(**fields: Any) -> dict[str, Any]:
    tasks = base()
    tasks[0].update(fields)
    return board_doc(tasks)


SCHEMA_CASES = [
    ("tasks is not a list", {"version": 1, "tasks": {}}, "/tasks: {} — expected array"),
    ("no tasks", {"version": 1}, 'the required key "tasks" is missing'),
    ("version 2", {"version": 2, "tasks": []}, "/version: 2 — expected 1"),
    ("version true", {"version": True, "tasks": []}, "/version: true — expected 1"),
    ("an unknown status", tweak(status="started"),
     '/tasks/0/status: "started" — expected one of "todo", "in_progress"'),
    ("an unknown key", tweak(colour="red"), '/tasks/0/colour: unknown key "colour"'),
    ("an unknown top-level key", {"version": 1, "tasks": [], "sprint": 3},
     '/sprint: unknown key "sprint"'),
    ("a missing title", board_doc([{"id": "T1", "assignee": "python", "status": "todo"}]),
     '/tasks/0: the required key "title" is missing'),
    ("an empty title", tweak(title=""), '/tasks/0/title: "" — expected a non-empty string'),
    ("a number for a title", tweak(title=7), "/tasks/0/title: 7 — expected string (found number)"),
    ("an id starting with a digit", tweak(id="1T"), '/tasks/0/id: "1T" — expected'),
    ("an id ending in a newline", tweak(id="T1\n"), '/tasks/0/id: "T1\\n" — expected'),
    ("a depends_on string", tweak(depends_on="T2"), '/tasks/0/depends_on: "T2" — expected array'),
    ("a repeated dependency", tweak(depends_on=["T2", "T2"]), "no repeated items"),
    ("outputs.files not a list", tweak(outputs={"files": "a.py"}), "/tasks/0/outputs/files"),
    ("an unknown outputs key", tweak(outputs={"file": []}), '/tasks/0/outputs/file: unknown key'),
    ("a comment without a body", tweak(review_comments=[{"author": "review"}]),
     '/tasks/0/review_comments/0: the required key "body" is missing'),
    ("resolved as a string",
     tweak(review_comments=[{"author": "r", "body": "b", "resolved": "yes"}]),
     "/tasks/0/review_comments/0/resolved"),
    ("blocked_reason as a number", tweak(blocked_reason=3), "/tasks/0/blocked_reason"),
    ("a task that is a list", {"version": 1, "tasks": [[]]}, "/tasks/0: [] — expected object"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "doc", "says"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_board_schema(request: pytest.FixtureRequest, name: str, doc: Any, says: str) -> None:
    raw = json.dumps(doc, indent=2) + "\n"
    proc = table_commit(request, name, SCHEMA_CASES, TASKS, raw)
    found = text_findings(proc.stderr)
    assert found, proc.stderr
    assert all(rule in ("TG302", "TG303") for rule, _ in found), proc.stderr
    assert ("TG302", TASKS) in [(r, rest.split(":", 1)[0]) for r, rest in found]
    assert says in proc.stderr
    assert proc.returncode == 1


def test_extension_keys_are_allowed_everywhere() -> None:
    tasks = base()
    tasks[0].update({"x-estimate": 3, "outputs": {"files": [], "x-ci": "ok"},
                     "review_comments": [{"author": "r", "body": "b", "x-id": 1}]})  # fmt: skip
    doc = board_doc(tasks, **{"$schema": "https://taskgate.dev/schemas/task_list.schema.json",
                              "x-sprint": {"n": 3}})  # fmt: skip
    structure = {**STRUCTURE, "x-owner": "team", "roles": {"lead": "lead", "x-r": 1}}
    structure["modules"] = {**STRUCTURE["modules"], "web": {"path": "web", "agent": "fe",
                                                            "x-port": 3000}}  # fmt: skip
    scene = MemoryScene()
    scene.write_json(TASKS, doc)
    scene.write_json(STRUCT, structure)
    assert_findings(scene.hooks(LEAD), [])


def test_schema_problem_line_points_at_the_value() -> None:
    doc = board_doc([task(f"T{i}", "python") for i in range(50)])
    doc["tasks"][42]["status"] = "started"
    raw = json.dumps(doc, indent=2) + "\n"
    proc = judge_raw(TASKS, raw)
    lines = raw.split("\n")
    line = lines.index('      "status": "started"') + 1
    assert f"{TASKS}:{line}: does not match its schema at /tasks/42/status" in proc.stderr


def test_many_schema_problems_are_summarised() -> None:
    doc = board_doc([task(f"T{i}", "python", "started") for i in range(500)])
    proc = judge_raw(TASKS, json.dumps(doc) + "\n")
    found = text_findings(proc.stderr)
    assert [r for r, _ in found] == ["TG302"] * 11
    assert "490 more part(s) of the file do not match the schema" in proc.stderr


STRUCTURE_SCHEMA = [
    ("a module without agent", {"web": {"path": "web"}}, '/modules/web: the required key "agent"'),
    ("an unknown module key", {"web": {"path": "web", "agent": "a", "owner": "b"}},
     '/modules/web/owner: unknown key "owner"'),
    ("a path that is a number", {"web": {"path": 3, "agent": "a"}}, "/modules/web/path: 3"),
    ("modules as a list", [], "/modules: [] — expected object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "modules", "says"), STRUCTURE_SCHEMA, ids=[c[0] for c in STRUCTURE_SCHEMA]
)
def test_structure_schema(
    request: pytest.FixtureRequest, name: str, modules: Any, says: str
) -> None:
    doc = {"version": 1, "modules": modules}
    raw = json.dumps(doc, indent=2) + "\n"
    proc = table_commit(request, name, STRUCTURE_SCHEMA, STRUCT, raw)
    if name == STRUCTURE_SCHEMA[0][0]:  # `taskgate check` agrees with the hooks
        assert ("TG302", STRUCT) in my_findings(request.getfixturevalue("lane_repo"))
    assert ("TG302", STRUCT) in rules_and_paths(proc.stderr)
    assert says in proc.stderr
    assert proc.returncode == 1


def test_structure_unknown_role() -> None:
    doc = {**STRUCTURE, "roles": {"lead": "lead", "owner": "boss"}}
    scene = MemoryScene()
    scene.write(STRUCT, json.dumps(doc) + "\n")
    assert memory_findings(scene) == [("TG302", STRUCT)]


# --- TG303: board structure ------------------------------------------------------------------

BOARD_STRUCTURE = [
    ("a duplicate id", [task("T1", "python"), task("T1", "web")], "duplicate task id 'T1'"),
    ("an unknown dependency", [task("T1", "python", depends_on=["T9"])],
     "task 'T1' depends on 'T9', which is not on the board"),
    ("a cycle", [task("T1", "python", depends_on=["T2"]), task("T2", "web", depends_on=["T1"])],
     "dependency cycle: T1 → T2 → T1"),
    ("a self-dependency", [task("T1", "python", depends_on=["T1"])], "dependency cycle: T1 → T1"),
    ("an unknown assignee", [task("T1", "mobile")],
     "task 'T1' is assigned to 'mobile', which is not a module"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "tasks", "says"), BOARD_STRUCTURE, ids=[c[0] for c in BOARD_STRUCTURE]
)
def test_board_structure(request: pytest.FixtureRequest, name: str, tasks: Any, says: str) -> None:
    raw = json.dumps(board_doc(tasks), indent=2) + "\n"
    proc = table_commit(request, name, BOARD_STRUCTURE, TASKS, raw)
    assert_findings(proc, [("TG303", TASKS)])
    assert says in proc.stderr


def test_long_dependency_chain_and_cycle() -> None:
    """A 5,000-long chain closing on itself: found without recursion."""
    n = 5000
    tasks = [task(f"T{i}", "python", depends_on=[f"T{(i + 1) % n}"]) for i in range(n)]
    proc = judge_raw(TASKS, json.dumps(board_doc(tasks)) + "\n")
    assert_findings(proc, [("TG303", TASKS)])
    assert "dependency cycle: T0 → T1 → T2" in proc.stderr


def test_lead_adds_module_and_its_task_together() -> None:
    structure = json.loads(json.dumps(STRUCTURE))
    structure["modules"]["mobile"] = {"path": "apps/mobile", "agent": "mobile-coder"}
    scene = MemoryScene()
    scene.write_json(STRUCT, structure)
    scene.write_json(TASKS, board_doc([*base(), task("M1", "mobile")]))
    assert_findings(scene.hooks(LEAD), [])


def test_lead_removing_a_module_with_tasks() -> None:
    structure = json.loads(json.dumps(STRUCTURE))
    del structure["modules"]["web"]
    scene = MemoryScene()
    scene.write_json(STRUCT, structure)
    proc = scene.hooks(LEAD)
    assert_findings(proc, [("TG303", TASKS)])
    assert "task 'T2' is assigned to 'web', which is not a module" in proc.stderr


# --- TG310: project_structure.json ----------------------------------------------------------


def modules_with(**extra: Any) -> dict[str, Any]:
    modules = json.loads(json.dumps(STRUCTURE["modules"]))
    modules.update(extra)
    return modules


STRUCTURE_RULES = [
    ("an upper-case module name", modules_with(Mobile={"path": "m", "agent": "m"}),
     "module name 'Mobile' is not a valid commit scope"),
    ("a module name with a dot", modules_with(**{"mo.bile": {"path": "m", "agent": "m"}}),
     "module name 'mo.bile' is not a valid commit scope"),
    ("an empty path", modules_with(mobile={"path": "", "agent": "m"}), "path '' is empty"),
    ("the whole repository", modules_with(mobile={"path": ".", "agent": "m"}), "is '.'"),
    ("an absolute path", modules_with(mobile={"path": "/srv/m", "agent": "m"}), "is absolute"),
    ("an escaping path", modules_with(mobile={"path": "apps/../../m", "agent": "m"}),
     "contains '..'"),
    ("a backslash", modules_with(mobile={"path": "apps\\mobile", "agent": "m"}), "backslash"),
    ("a trailing slash", modules_with(mobile={"path": "apps/mobile/", "agent": "m"}),
     "ends with '/'"),
    ("a double slash", modules_with(mobile={"path": "apps//mobile", "agent": "m"}),
     "not normalised"),
    ("a path inside shared/", modules_with(mobile={"path": "shared/mobile", "agent": "m"}),
     "is inside shared/"),
    ("a nested module", modules_with(mobile={"path": "web/mobile", "agent": "m"}),
     "module 'mobile' (web/mobile) is nested inside module 'web' (web)"),
    ("an enclosing module", modules_with(services={"path": "services", "agent": "m"}),
     "module 'python' (services/api) is nested inside module 'services' (services)"),
    ("the same path twice", modules_with(mobile={"path": "web", "agent": "m"}),
     "modules 'web' and 'mobile' have the same path 'web'"),
    ("one agent for two modules", modules_with(mobile={"path": "m", "agent": "frontend-coder"}),
     "agent 'frontend-coder' owns both module 'web' and 'mobile'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "modules", "says"), STRUCTURE_RULES, ids=[c[0] for c in STRUCTURE_RULES]
)
def test_structure_rules(
    request: pytest.FixtureRequest, name: str, modules: Any, says: str
) -> None:
    raw = json.dumps({**STRUCTURE, "modules": modules}, indent=2)
    proc = table_commit(request, name, STRUCTURE_RULES, STRUCT, raw)
    assert_findings(proc, [("TG310", STRUCT)])
    assert says in proc.stderr


def test_look_alike_paths_do_not_overlap() -> None:
    modules = modules_with(api2={"path": "services/api2", "agent": "a2"},
                           webapp={"path": "webapp", "agent": "wa"})  # fmt: skip
    proc = judge_raw(STRUCT, json.dumps({**STRUCTURE, "modules": modules}))
    assert_findings(proc, [])


@pytest.mark.parametrize(
    ("roles", "says"),
    [
        (
            {"lead": "python", "reviewer": "review"},
            "the lead role's scope 'python' is also a module",
        ),
        ({"reviewer": "web"}, "the reviewer role's scope 'web' is also a module name"),
        ({"lead": "boss", "reviewer": "boss"}, "the lead and the reviewer share the scope 'boss'"),
    ],
)
def test_role_clashes(roles: dict[str, str], says: str) -> None:
    proc = judge_raw(STRUCT, json.dumps({**STRUCTURE, "roles": roles}, indent=2))
    assert_findings(proc, [("TG310", STRUCT)])
    assert says in proc.stderr


def test_default_role_clashes_with_a_module() -> None:
    doc = {"version": 1, "modules": {**STRUCTURE["modules"], "lead": {"path": "l", "agent": "x"}}}
    proc = judge_raw(STRUCT, json.dumps(doc))
    assert_findings(proc, [("TG310", STRUCT)])


# --- hostile sizes ------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_megabyte_board(lane_repo: GitRepo) -> None:
    """A 10 MB board: validated in one pass; the bad task is found and placed."""
    tasks = [task(f"T{i}", "python", "done", outputs={"notes": "n" * 380}) for i in range(24_000)]
    tasks[23_999]["status"] = "started"
    raw = json.dumps(board_doc(tasks), indent=1) + "\n"
    assert len(raw) > 10_000_000
    proc = commit_raw(lane_repo, TASKS, raw)
    assert [(r, p) for r, p in rules_and_paths(proc.stderr) if r.startswith("TG3")] == [
        ("TG302", TASKS)
    ]
    assert proc.returncode == 1
    assert "/tasks/23999/status" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ten_megabyte_title() -> None:
    tasks = base()
    tasks[0]["title"] = "x" * 10_000_000
    tasks[0]["colour"] = "red"
    scene = MemoryScene()
    scene.write_json(TASKS, board_doc(tasks))
    assert memory_findings(scene) == [("TG302", TASKS)]


# --- commit-msg fails closed when pre-commit did not run; the cache ----------------------------


def test_commit_msg_validates_when_pre_commit_was_skipped(lane_repo: GitRepo) -> None:
    (lane_repo.path / ".git" / "hooks" / "pre-commit").unlink()
    proc = commit_raw(lane_repo, TASKS, json.dumps(tweak(status="started")))
    assert_findings(proc, [("TG302", TASKS)])
    assert "taskgate commit-msg: 1 error" in proc.stderr


def _validated(repo: GitRepo) -> list[str]:
    path = repo.path / ".git" / "taskgate" / "validated-blobs"
    return path.read_text().split("\n") if path.exists() else []


def test_validated_blob_is_cached(lane_repo: GitRepo) -> None:
    lane_repo.write_json(TASKS, board_doc(base()))
    lane_repo.add(TASKS)
    blob = lane_repo.git("rev-parse", f":{TASKS}").stdout.strip()
    assert_findings(lane_repo.commit(LEAD), [])
    assert any(line.startswith(f"{blob} tasks ") for line in _validated(lane_repo))


def test_invalid_blob_is_not_cached(lane_repo: GitRepo) -> None:
    commit_raw(lane_repo, TASKS, json.dumps(tweak(status="started")))
    blob = lane_repo.git("rev-parse", f":{TASKS}").stdout.strip()
    assert not any(line.startswith(blob) for line in _validated(lane_repo))


_PROBE = """
import sys
from taskgate.cli import main
code = main(["hook", "commit-msg", sys.argv[1]])
heavy = [m for m in ("jsonschema", "taskgate.workflow.schema", "taskgate.workflow.checks")
         if m in sys.modules]
print(code, ",".join(heavy))
"""


def _commit_msg_probe(repo: GitRepo, message: str) -> str:
    msg = repo.path / ".git" / "PROBE_MSG"
    msg.write_text(message + "\n")
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(msg)], cwd=repo.path, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.strip()


def test_commit_msg_skips_a_blob_pre_commit_validated(lane_repo: GitRepo) -> None:
    lane_repo.write_json(TASKS, board_doc(base(), **{"x-n": 1}))
    lane_repo.add(TASKS)
    assert lane_repo.taskgate("hook", "pre-commit").returncode == 0
    assert _commit_msg_probe(lane_repo, LEAD) == "0"  # nothing validated, nothing heavy
    (lane_repo.path / ".git" / "taskgate" / "validated-blobs").unlink()
    assert (
        _commit_msg_probe(lane_repo, LEAD) == "0 taskgate.workflow.schema,taskgate.workflow.checks"
    )


def test_commit_msg_without_workflow_change_imports_nothing_heavy(lane_repo: GitRepo) -> None:
    lead_setup(lane_repo, {TASKS: board_doc(base(t1="in_progress"))})
    lane_repo.write("services/api/app/core.py", "X = 1\n")
    lane_repo.add("services/api/app/core.py")
    assert _commit_msg_probe(lane_repo, "feat(python): core") == "0"


def test_invalid_board_explained_with_jsonschema(lane_repo: GitRepo) -> None:
    lane_repo.write_json(TASKS, tweak(status="started"))
    lane_repo.add(TASKS)
    out = _commit_msg_probe(lane_repo, LEAD)
    assert out == "1 jsonschema,taskgate.workflow.schema,taskgate.workflow.checks"


def test_rule_ignore_policy_applies() -> None:
    scene = MemoryScene()
    scene.setup({"taskgate.toml": '[gate]\nenabled = false\n[rules]\nwarn = ["TG303"]\n'})
    scene.write(TASKS, json.dumps(board_doc([task("T1", "mobile")])))
    proc = scene.hooks(LEAD)
    assert proc.returncode == 0, proc.stderr
    assert "TG303 warning" in proc.stderr


def test_huge_array_of_distinct_objects() -> None:
    """uniqueItems over 20,000 objects: jsonschema alone compares them pairwise (hours)."""
    tasks = base()
    tasks[0]["depends_on"] = [{"k": i} for i in range(20_000)]
    proc = judge_raw(TASKS, json.dumps(board_doc(tasks), indent=2) + "\n")
    assert rules_and_paths(proc.stderr) == [("TG302", TASKS)]


def test_hundred_thousand_failing_tasks() -> None:
    doc = board_doc([task(f"T{i}", "python", "started") for i in range(100_000)])
    proc = judge_raw(TASKS, json.dumps(doc) + "\n")
    found = text_findings(proc.stderr)
    assert [r for r, _ in found if r.startswith("TG3")] == ["TG302"] * 11
    assert [r for r, _ in found if not r.startswith("TG3")] == ["TG605"]  # over 1 MiB
    assert "99990 more part(s) of the file do not match the schema" in proc.stderr

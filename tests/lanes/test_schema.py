"""The JSON Schemas: valid Draft 2020-12, usable by check-jsonschema, matching the fast
acceptor, and satisfied by what `taskgate init` writes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.resources import schema_path
from taskgate.workflow.acceptor import acceptor
from taskgate.workflow.checks import dependency_cycles
from taskgate.workflow.jsonlocate import locate_all
from taskgate.workflow.schema import STRUCTURE, TASKS, json_equal, load_schema
from taskgate.workflow.validation import _validator, schema_problems
from tests.conftest import GitRepo
from tests.lanes.conftest import STRUCT, text_findings
from tests.lanes.conftest import TASKS as TASKS_PATH

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ["project_structure.schema.json", "task_list.schema.json"]

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def check_jsonschema(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real check-jsonschema command (pinned below 0.38 in pyproject: see the comment)."""
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_passes_check_metaschema(name: str) -> None:
    proc = check_jsonschema("--check-metaschema", str(ROOT / "schemas" / name))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_check_jsonschema_rejects_a_broken_schema(tmp_path: Path) -> None:
    """The metaschema check above can fail: a schema with a wrong keyword type does."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "type": 12}))  # fmt: skip
    assert check_jsonschema("--check-metaschema", str(broken)).returncode == 1


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_draft_2020_12_with_a_stable_id(name: str) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / name).read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://taskgate.dev/schemas/{name}"
    assert schema["additionalProperties"] is False
    assert schema["patternProperties"] == {"^x-": True}
    assert schema_path(name) == ROOT / "schemas" / name


def test_init_output_passes_the_schemas(repo: GitRepo) -> None:
    proc = repo.taskgate("init")
    assert proc.returncode == 0, proc.stderr
    for schema, instance in (("task_list", TASKS_PATH), ("project_structure", STRUCT)):
        checked = check_jsonschema(
            "--schemafile", str(ROOT / "schemas" / f"{schema}.schema.json"), instance,
            cwd=repo.path,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
    repo.write("taskgate.toml", "[gate]\nenabled = false\n")
    repo.add()
    assert [f for f in repo_check(repo) if f[0].startswith("TG3")] == []
    assert repo.taskgate("install").returncode == 0
    landed = repo.commit("chore(lead): scaffold the workflow")  # the first commit, hooks on
    assert landed.returncode == 0, landed.stderr
    assert text_findings(landed.stderr) == []


def repo_check(repo: GitRepo) -> list[tuple[str, str | None]]:
    proc = repo.taskgate("check", "-m", "chore(lead): x", "--format", "json", "--no-gate")
    return [(f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"]]


# --- the fast acceptor agrees with jsonschema ---------------------------------------------
# Valid documents with up to three mutations each: a wholly random document is invalid in
# many ways at once, and would let a wrong acceptor pass unnoticed.

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([1.0, 0.5])
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=5,
)  # fmt: skip
odd_values = st.sampled_from(
    ["T1", "T1\n", "1T", "", "T" * 65, "é", "started", "done", "python", "Web", "a" * 41, "9a",
     "x-y", 1, 1.0, True, False, None, [], {}, ["T1", "T1"], [1, True], ["a.py"]]
)  # fmt: skip
odd_keys = st.sampled_from(
    ["x-k", "colour", "id", "title", "status", "files", "notes", "resolved", "lead", "agent",
     "path", "$schema", "version", "tasks", "modules", "Web", "x"]
)  # fmt: skip
task_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,3}", fullmatch=True)
statuses = st.sampled_from(["todo", "in_progress", "done", "review_feedback", "blocked"])
words = st.text(min_size=1, max_size=3)
valid_task = st.fixed_dictionaries(
    {"id": task_ids, "title": words, "assignee": st.sampled_from(["python", "web"]),
     "status": statuses},
    optional={
        "depends_on": st.lists(task_ids, max_size=3, unique=True),
        "outputs": st.fixed_dictionaries({}, optional={
            "files": st.lists(words, max_size=2), "commits": st.lists(st.text(max_size=2)),
            "endpoints": st.just(["GET /x"]), "dependencies": st.just([]),
            "notes": st.text(max_size=2), "x-n": json_values}),
        "review_comments": st.lists(st.fixed_dictionaries(
            {"author": words, "body": words},
            optional={"resolved": st.booleans(), "x-k": json_values}), max_size=2),
        "blocked_reason": st.none() | st.text(max_size=3),
        "x-estimate": json_values,
    },
)  # fmt: skip
valid_board = st.fixed_dictionaries(
    {"version": st.just(1), "tasks": st.lists(valid_task, max_size=3)},
    optional={"x-a": json_values, "$schema": st.text(max_size=3)},
)
scopes = st.from_regex(r"[a-z][a-z0-9_-]{0,3}", fullmatch=True)
valid_structure = st.fixed_dictionaries(
    {"version": st.just(1),
     "modules": st.dictionaries(scopes, st.fixed_dictionaries(
         {"path": st.text(max_size=4), "agent": words},
         optional={"language": words, "x-p": json_values}), max_size=3)},
    optional={"roles": st.fixed_dictionaries({}, optional={
        "lead": scopes, "reviewer": scopes, "x-r": json_values}),
        "x-s": json_values, "$schema": st.text(max_size=2)},
)  # fmt: skip


any_value = odd_values | json_values


def _slots(doc: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(doc, dict):
        out.append((doc, None))  # a place to add a key
        for key in list(doc):
            out.append((doc, key))
            _slots(doc[key], out)
    elif isinstance(doc, list):
        for i in range(len(doc)):
            out.append((doc, i))
            _slots(doc[i], out)
    return out


def mutate(data: st.DataObject, doc: Any) -> Any:
    doc = copy.deepcopy(doc)  # st.just() hands out one shared object: never change it
    for _ in range(data.draw(st.integers(0, 3))):
        parent, key = data.draw(st.sampled_from(_slots(doc, [(None, None)])))
        if parent is None:
            doc = copy.deepcopy(data.draw(any_value))
            continue
        op = data.draw(st.sampled_from(["replace", "delete", "add", "repeat"]))
        if key is None or op == "add":
            if isinstance(parent, dict):
                parent[data.draw(odd_keys)] = copy.deepcopy(data.draw(any_value))
        elif op == "replace":
            parent[key] = copy.deepcopy(data.draw(any_value))
        elif op == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


_SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@_SETTINGS
@given(valid_board, st.data())
def test_acceptor_and_explanations_agree_with_jsonschema_on_boards(
    doc: Any, data: st.DataObject
) -> None:
    """The fast acceptor accepts exactly what jsonschema accepts, and every rejection is
    explained (at most ten problems, none for a valid board). One generated board serves
    both properties: generating it is most of an example's cost."""
    doc = mutate(data, doc)
    accept = acceptor(TASKS)
    assert accept is not None
    valid = _validator(TASKS).is_valid(doc)
    assert accept(doc) == valid
    problems, total = schema_problems(TASKS, doc)
    assert (problems == [] and total == 0) == valid
    assert len(problems) == min(total, 10)


@pytest.mark.slow
@_SETTINGS
@given(valid_structure, st.data())
def test_acceptor_agrees_with_jsonschema_on_structures(doc: Any, data: st.DataObject) -> None:
    doc = mutate(data, doc)
    accept = acceptor(STRUCTURE)
    assert accept is not None
    assert accept(doc) == _validator(STRUCTURE).is_valid(doc)


RICH_BOARD = {
    "version": 1, "$schema": "s", "x-a": {"b": [1]},
    "tasks": [
        {"id": "T1", "title": "t", "assignee": "python", "status": "done",
         "depends_on": ["T2", "a.b-c_9"], "blocked_reason": None, "x-e": 3,
         "outputs": {"files": ["a.py"], "commits": ["c"], "endpoints": ["GET /x"],
                     "dependencies": ["d"], "notes": "n", "x-n": 1},
         "review_comments": [{"author": "r", "body": "b", "resolved": False, "x-k": 1}]},
        {"id": "T2", "title": "u", "assignee": "web", "status": "todo", "blocked_reason": "r"},
    ],
}  # fmt: skip
RICH_STRUCTURE = {
    "version": 1, "$schema": "s", "x-s": 1,
    "modules": {"python": {"path": "services/api", "agent": "p", "language": "python",
                           "x-p": 1}, "web": {"path": "web", "agent": "w"}},
    "roles": {"lead": "lead", "reviewer": "review", "x-r": 1},
}  # fmt: skip
SINGLE_VALUES = ["T1", "T1\n", "1T", "", "T" * 65, "é", "started", "python", "Web", "a" * 41,
                 "9a", 1, 1.0, 2, True, False, None, [], {}, ["T1", "T1"], [1, True], ["a.py"],
                 {"x-k": 1}, {"k": 1}]  # fmt: skip
SINGLE_KEYS = ["x-k", "colour", "id", "Web", "x", "$schema"]


def single_mutations(doc: Any) -> list[Any]:
    """Every document one replacement, deletion or added key away from `doc`."""
    out = []
    for index in range(len(_slots(doc, []))):
        for op in ("delete", *(("add", k) for k in SINGLE_KEYS),
                   *(("rename", k) for k in SINGLE_KEYS),
                   *(("replace", v) for v in SINGLE_VALUES)):  # fmt: skip
            clone = copy.deepcopy(doc)
            parent, key = _slots(clone, [])[index]
            if op == "delete" and key is not None:
                del parent[key]
            elif op[0] == "add" and isinstance(parent, dict):
                parent[op[1]] = 1
            elif op[0] == "rename" and isinstance(parent, dict) and key is not None:
                parent[op[1]] = parent.pop(key)
            elif op[0] == "replace" and key is not None:
                parent[key] = copy.deepcopy(op[1])
            else:
                continue
            out.append(clone)
    return out


@pytest.mark.parametrize(("kind", "doc"), [(TASKS, RICH_BOARD), (STRUCTURE, RICH_STRUCTURE)])
def test_acceptor_agrees_on_every_single_mutation(kind: str, doc: Any) -> None:
    accept = acceptor(kind)
    assert accept is not None
    assert accept(doc)
    assert _validator(kind).is_valid(doc)
    mutations = single_mutations(doc)
    assert len(mutations) > 500
    disagreements = [m for m in mutations if accept(m) != _validator(kind).is_valid(m)]
    assert disagreements == []
    assert sum(1 for m in mutations if not accept(m)) > len(mutations) // 2


def test_pattern_end_is_the_end_of_the_string() -> None:
    """ECMA-262 `$`: the id "T1\\n" is not an id, though Python's re.search would say so."""
    doc = {"version": 1, "tasks": [{"id": "T1\n", "title": "t", "assignee": "a", "status": "todo"}]}
    assert not _validator(TASKS).is_valid(doc)
    accept = acceptor(TASKS)
    assert accept is not None
    assert not accept(doc)


def test_json_equality() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal([1], [True])
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal("1", 1)


def test_schemas_load_from_the_package_resources() -> None:
    assert load_schema(TASKS)["$id"].endswith("task_list.schema.json")


# --- locating values in the text -----------------------------------------------------------


def test_locate_all() -> None:
    text = '{\n "a": [\n  1,\n  {"b": [[], {}, 3]}\n ],\n "c": "x\\"y",\n "d": {}\n}'
    found = locate_all(text, [("a",), ("a", 0), ("a", 1, "b", 2), ("a", 1, "b", 1), ("c",),
                              ("d",), (), ("zz",)])  # fmt: skip
    assert found == {("a",): 2, ("a", 0): 3, ("a", 1, "b", 2): 4, ("a", 1, "b", 1): 4,
                     ("c",): 6, ("d",): 7, (): 1}  # fmt: skip


def test_locate_all_deep_document_is_safe() -> None:
    text = "[" * 200_000 + "1" + "]" * 200_000
    assert locate_all(text, [(0,) * 5]) == {(0, 0, 0, 0, 0): 1}


def test_dependency_cycles_without_recursion() -> None:
    n = 50_000
    chain = {f"T{i}": [f"T{i + 1}"] if i + 1 < n else [] for i in range(n)}
    assert dependency_cycles(chain) == []
    chain[f"T{n - 1}"] = ["T0"]
    (cycle,) = dependency_cycles(chain)
    assert cycle[0] == cycle[-1] == "T0"
    assert len(cycle) == n + 1

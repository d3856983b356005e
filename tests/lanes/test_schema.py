"""The JSON Schemas: valid Draft 2020-12, usable by check-jsonschema, matching the fast
acceptor, and satisfied by what `taskgate init` writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.resources import schema_path
from taskgate.workflow.checks import dependency_cycles
from taskgate.workflow.schema import (
    STRUCTURE,
    TASKS,
    _validator,
    acceptor,
    json_equal,
    load_schema,
    locate_all,
    schema_problems,
)
from tests.conftest import GitRepo
from tests.lanes.conftest import STRUCT, TASKS as TASKS_PATH, text_findings

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ["project_structure.schema.json", "task_list.schema.json"]

# check-jsonschema 0.38 subclasses click.ParamType[...], which click 8.1 (pinned by gitlint's
# trusted-deps) cannot subscript (python-jsonschema/check-jsonschema#719). Run the real
# command with that one gap filled, so the test works with either click.
_CHECK_JSONSCHEMA = """
import sys, click
if not hasattr(click.ParamType, "__class_getitem__"):
    click.ParamType.__class_getitem__ = classmethod(lambda cls, item: cls)
from check_jsonschema import main
sys.argv[0] = "check-jsonschema"
main()
"""


def check_jsonschema(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CHECK_JSONSCHEMA, *args], cwd=cwd, capture_output=True,
        text=True, check=False,
    )  # fmt: skip


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

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False,
    allow_infinity=False, width=16) | st.text(max_size=4),  # fmt: skip
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),  # fmt: skip
    max_leaves=6,
)
ids = st.sampled_from(["T1", "T2", "a.b-c_9", "1T", "T1\n", "", "T" * 65, "é"]) | json_values
strings = st.sampled_from(["x", "", "python", "web"]) | json_values


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy | json_values


comments = st.lists(
    st.fixed_dictionaries({}, optional={"author": strings, "body": strings,
                                        "resolved": maybe(st.booleans()), "x-k": json_values,
                                        "other": json_values}),  # fmt: skip
    max_size=2,
)
outputs = st.fixed_dictionaries(
    {}, optional={"files": maybe(st.lists(strings, max_size=2)), "commits": maybe(st.just([])),
                  "endpoints": maybe(st.just(["GET /x"])), "dependencies": maybe(st.just([])),
                  "notes": strings, "x-n": json_values, "file": json_values},
)  # fmt: skip
tasks = st.fixed_dictionaries(
    {},
    optional={
        "id": ids, "title": strings, "assignee": strings,
        "status": maybe(st.sampled_from(["todo", "in_progress", "done", "review_feedback",
                                         "blocked", "started"])),
        "depends_on": maybe(st.lists(ids, max_size=3)), "outputs": maybe(outputs),
        "review_comments": maybe(comments), "blocked_reason": strings,
        "x-estimate": json_values, "colour": json_values,
    },
)  # fmt: skip
boards = st.fixed_dictionaries(
    {}, optional={"version": st.sampled_from([1, 1.0, True, 2, "1"]) | json_values,
                  "tasks": maybe(st.lists(maybe(tasks), max_size=3)), "x-a": json_values,
                  "$schema": strings, "sprint": json_values},
)  # fmt: skip
names = st.sampled_from(["python", "web", "Web", "a" * 41, "x-y", "9a", "ok_name-2"]) | st.text(
    max_size=3
)
modules = st.fixed_dictionaries(
    {}, optional={"path": strings, "agent": strings, "language": strings, "x-p": json_values,
                  "owner": json_values},
)  # fmt: skip
structures = st.fixed_dictionaries(
    {}, optional={"version": maybe(st.just(1)),
                  "modules": maybe(st.dictionaries(names, maybe(modules), max_size=3)),
                  "roles": maybe(st.fixed_dictionaries({}, optional={
                      "lead": maybe(names), "reviewer": maybe(names), "x-r": json_values,
                      "owner": json_values})),
                  "x-s": json_values, "other": json_values},
)  # fmt: skip

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(boards)
def test_acceptor_agrees_with_jsonschema_on_boards(doc: Any) -> None:
    accept = acceptor(TASKS)
    assert accept is not None
    assert accept(doc) == _validator(TASKS).is_valid(doc)


@_SETTINGS
@given(structures)
def test_acceptor_agrees_with_jsonschema_on_structures(doc: Any) -> None:
    accept = acceptor(STRUCTURE)
    assert accept is not None
    assert accept(doc) == _validator(STRUCTURE).is_valid(doc)


@_SETTINGS
@given(boards)
def test_every_rejection_is_explained(doc: Any) -> None:
    problems, total = schema_problems(TASKS, doc)
    valid = _validator(TASKS).is_valid(doc)
    assert (problems == [] and total == 0) == valid


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
